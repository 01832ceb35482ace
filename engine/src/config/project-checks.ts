// Checks that need the whole project: dependencies (unknown, self, cycles, disabled by a profile,
// `service_healthy` on a service without a healthcheck), host ports published twice, and named
// volumes and networks that are used but never declared.

import { relative } from 'node:path';
import type { SourceLocation } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import type { Diagnostics } from './diagnostics.js';
import { didYouMean } from './edit-distance.js';
import type { NormalisedService } from './service-spec.js';

export interface ProjectCheckInput {
  services: ReadonlyMap<string, NormalisedService>;
  active: ReadonlySet<string>;
  volumes: readonly string[];
  networks: readonly string[];
  projectDir: string;
  diagnostics: Diagnostics;
}

/**
 * `network_mode: service:X`, `pid`/`ipc: service:X`, `links` and `volumes_from` need X
 * running first: they add `depends_on: {X: {condition: service_started}}` unless the service
 * already says how it depends on X, as Compose does. A name that is not a service is an error.
 */
export function addImpliedDependencies(
  services: ReadonlyMap<string, NormalisedService>,
  diagnostics: Diagnostics,
): void {
  const names = [...services.keys()];
  for (const [name, { spec, locations }] of services) {
    for (const ref of locations.serviceRefs) {
      if (ref.service === name) {
        diagnostics.error(
          ConfigCode.unknownServiceRef,
          `\`${ref.key}\` of service \`${name}\` names the service itself`,
          ref.loc,
          `name another service, or remove the \`${ref.key}\` entry`,
        );
        continue;
      }
      if (!services.has(ref.service)) {
        diagnostics.error(
          ConfigCode.unknownServiceRef,
          `\`${ref.key}\` of service \`${name}\` names \`${ref.service}\`, which is not a service`,
          ref.loc,
          didYouMean(
            ref.service,
            names.filter((n) => n !== name),
          ) ??
            (ref.key === 'links'
              ? `define \`${ref.service}\` under \`services:\``
              : `for a container outside the project write \`container:${ref.service}\``),
        );
        continue;
      }
      if (spec.dependsOn[ref.service]) continue;
      spec.dependsOn[ref.service] = { condition: 'service_started', required: true, restart: false };
      locations.dependsOn.set(ref.service, { name: ref.loc });
    }
  }
}

export function checkProject(input: ProjectCheckInput): void {
  checkDependencies(input);
  checkPortConflicts(input);
  checkVolumesAndNetworks(input);
}

function where(loc: SourceLocation, projectDir: string): string {
  const rel = relative(projectDir, loc.file);
  return `${rel.startsWith('..') ? loc.file : rel}:${loc.line}:${loc.col}`;
}

function checkDependencies({ services, active, diagnostics }: ProjectCheckInput): void {
  const names = [...services.keys()];
  for (const [name, { spec, locations }] of services) {
    for (const [dep, dependency] of Object.entries(spec.dependsOn)) {
      const at = locations.dependsOn.get(dep);
      const target = services.get(dep);
      if (dep === name) {
        diagnostics.error(
          ConfigCode.selfDependency,
          `service \`${name}\` depends on itself`,
          at?.name,
          `remove \`${dep}\` from the \`depends_on\` of \`${name}\``,
        );
        continue;
      }
      if (!target) {
        if (!dependency.required) continue;
        diagnostics.error(
          ConfigCode.unknownDependency,
          `service \`${name}\` depends on \`${dep}\`, which is not defined`,
          at?.name,
          didYouMean(
            dep,
            names.filter((n) => n !== name),
          ) ?? `define \`${dep}\` under \`services:\`, or remove it from \`depends_on\` (defined: ${names.join(', ')})`,
        );
        continue;
      }
      if (active.has(name) && !active.has(dep) && dependency.required) {
        const profiles = target.spec.profiles;
        if (target.spec.replicas === 0) {
          diagnostics.error(
            ConfigCode.dependencyDisabled,
            `service \`${name}\` depends on \`${dep}\`, which runs no instance (\`scale: 0\`)`,
            at?.name,
            `give \`${dep}\` at least one replica, or mark the dependency \`required: false\``,
          );
        } else {
          diagnostics.error(
            ConfigCode.dependencyDisabled,
            `service \`${name}\` depends on \`${dep}\`, which is disabled: it only runs with profile ${profiles.map((p) => `\`${p}\``).join(' or ')}`,
            at?.name,
            `enable it with \`--profile ${profiles[0]}\` (or COMPOSE_PROFILES=${profiles[0]}), or mark the dependency \`required: false\``,
          );
        }
      }
      if (dependency.condition === 'service_healthy' && !hasHealthcheck(target)) {
        diagnostics.error(
          ConfigCode.healthcheckRequired,
          `service \`${name}\` waits for \`${dep}\` to be healthy, but \`${dep}\` has no healthcheck`,
          at?.condition ?? at?.name,
          `add a \`healthcheck:\` to \`${dep}\` (e.g. \`test: ["CMD", "pg_isready"]\`), or use \`condition: service_started\``,
        );
      }
    }
  }
  reportCycles(services, diagnostics);
}

function hasHealthcheck(service: NormalisedService): boolean {
  const test = service.spec.healthcheck?.test;
  if (test && test[0] !== 'NONE') return true;
  return service.spec.devenv.process?.healthcheck !== undefined;
}

function reportCycles(services: ReadonlyMap<string, NormalisedService>, diagnostics: Diagnostics): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();
  const visit = (name: string) => {
    state.set(name, 'visiting');
    stack.push(name);
    const service = services.get(name);
    for (const dep of Object.keys(service?.spec.dependsOn ?? {})) {
      if (dep === name || !services.has(dep)) continue;
      if (state.get(dep) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dep)), dep];
        const id = [...new Set(cycle)].sort().join('|');
        if (reported.has(id)) continue;
        reported.add(id);
        diagnostics.error(
          ConfigCode.dependencyCycle,
          `dependency cycle: ${cycle.join(' → ')}`,
          service?.locations.dependsOn.get(dep)?.name,
          `services in a cycle can never start: remove \`${dep}\` from the \`depends_on\` of \`${name}\` (or another link of the cycle)`,
        );
      } else if (!state.has(dep)) {
        visit(dep);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of services.keys()) if (!state.has(name)) visit(name);
}

const WILDCARDS = new Set(['0.0.0.0', '::', '']);

function checkPortConflicts({ services, active, projectDir, diagnostics }: ProjectCheckInput): void {
  const seen: {
    service: string;
    hostIp: string;
    port: number;
    last: number;
    protocol: string;
    loc: SourceLocation | undefined;
  }[] = [];
  const reported = new Set<string>();
  for (const [name, { spec, locations }] of services) {
    if (!active.has(name)) continue;
    for (const port of spec.ports) {
      if (port.published === undefined) continue;
      const loc = locations.ports.get(port);
      const last = port.publishedEnd ?? port.published;
      const clash = seen.find(
        (s) =>
          s.port <= last &&
          port.published !== undefined &&
          port.published <= s.last &&
          s.protocol === port.protocol &&
          (s.hostIp === port.hostIp || WILDCARDS.has(s.hostIp) || WILDCARDS.has(port.hostIp)),
      );
      if (clash) {
        const id = `${clash.loc?.line}:${clash.loc?.col}|${loc?.line}:${loc?.col}`;
        if (!reported.has(id)) {
          reported.add(id);
          const first = clash.service === name ? 'earlier in the same service' : `by \`${clash.service}\``;
          diagnostics.error(
            ConfigCode.portConflict,
            `host port ${port.hostIp}:${port.published}/${port.protocol} of service \`${name}\` is already published ${first}${clash.loc ? ` (${where(clash.loc, projectDir)})` : ''}`,
            loc,
            `publish a different host port, e.g. "${port.published + 1}:${port.target}"`,
          );
        }
        continue;
      }
      seen.push({ service: name, hostIp: port.hostIp, port: port.published, last, protocol: port.protocol, loc });
    }
  }
}

function checkVolumesAndNetworks({ services, volumes, networks, diagnostics }: ProjectCheckInput): void {
  const declaredVolumes = new Set(volumes);
  const declaredNetworks = new Set([...networks, 'default']);
  for (const [name, { spec, locations }] of services) {
    for (const mount of spec.volumes) {
      if (mount.type !== 'volume' || mount.source === undefined || declaredVolumes.has(mount.source)) continue;
      diagnostics.error(
        ConfigCode.undefinedVolume,
        `service \`${name}\` mounts volume \`${mount.source}\`, which is not declared under the top-level \`volumes:\``,
        locations.mounts.get(mount),
        didYouMean(mount.source, volumes) ??
          `declare it:\n    volumes:\n      ${mount.source}: {}\n  or write \`./${mount.source}:${mount.target}\` to mount a host directory`,
      );
    }
    for (const network of spec.networks) {
      if (declaredNetworks.has(network)) continue;
      diagnostics.error(
        ConfigCode.undefinedNetwork,
        `service \`${name}\` joins network \`${network}\`, which is not declared under the top-level \`networks:\``,
        locations.networks.get(network),
        didYouMean(network, [...declaredNetworks]) ?? `declare it:\n    networks:\n      ${network}: {}`,
      );
    }
  }
}
