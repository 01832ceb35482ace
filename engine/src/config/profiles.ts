// Compose profiles: a service that lists `profiles` runs only when one of them is enabled
// (`--profile`, COMPOSE_PROFILES; `*` enables all). Services named on the command line run
// whatever their profiles, and so do the services they depend on.

import { UserError } from '../errors.js';
import type { ProjectSpec, ServiceSpec } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { didYouMean } from './edit-distance.js';

export function isEnabledByProfiles(profiles: readonly string[], enabled: readonly string[]): boolean {
  return profiles.length === 0 || enabled.includes('*') || profiles.some((p) => enabled.includes(p));
}

/** Profiles from the option and from COMPOSE_PROFILES (comma-separated), without duplicates. */
export function enabledProfiles(fromOption: readonly string[] | undefined, fromEnv: string | undefined): string[] {
  const fromVariable = (fromEnv ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return [...new Set([...(fromOption ?? []), ...fromVariable])];
}

/** `names` plus everything they depend on (transitively), looked up in `all`. Unknown names are skipped. */
export function withDependencies(names: Iterable<string>, all: Readonly<Record<string, ServiceSpec>>): Set<string> {
  const out = new Set<string>();
  const visit = (name: string) => {
    if (out.has(name) || !all[name]) return;
    out.add(name);
    for (const dep of Object.keys(all[name].dependsOn)) visit(dep);
  };
  for (const name of names) visit(name);
  return out;
}

/**
 * The services to run, dependencies first. Without `requested`: every active service. With it:
 * those services and their dependencies, including services disabled by profiles (Compose lets a
 * service named on the command line run whatever its profiles). Unknown names are a UserError.
 */
export function activeServices(project: ProjectSpec, requested?: readonly string[]): ServiceSpec[] {
  const all: Record<string, ServiceSpec> = { ...(project.disabledServices ?? {}), ...project.services };
  let names: Set<string>;
  if (!requested || requested.length === 0) {
    names = new Set(Object.keys(project.services));
  } else {
    const unknown = requested.filter((n) => !all[n]);
    if (unknown.length > 0) {
      throw new UserError(
        unknown.map((name) => ({
          code: ConfigCode.unknownService,
          message: `no service named \`${name}\` in project \`${project.name}\``,
          hint: didYouMean(name, Object.keys(all)) ?? `known services: ${Object.keys(all).join(', ')}`,
        })),
      );
    }
    names = withDependencies(requested, all);
  }
  return dependencyOrder([...names], all);
}

/** Dependencies before dependents; stable (file order) otherwise. Cycles were rejected at load. */
export function dependencyOrder(names: readonly string[], all: Readonly<Record<string, ServiceSpec>>): ServiceSpec[] {
  const wanted = new Set(names);
  const done = new Set<string>();
  const out: ServiceSpec[] = [];
  const visit = (name: string, path: Set<string>) => {
    const spec = all[name];
    if (done.has(name) || path.has(name) || !spec) return;
    path.add(name);
    for (const dep of Object.keys(spec.dependsOn)) if (wanted.has(dep)) visit(dep, path);
    path.delete(name);
    done.add(name);
    out.push(spec);
  };
  for (const name of names) visit(name, new Set());
  return out;
}
