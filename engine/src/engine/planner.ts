// The planner: pure decisions from the wanted project and what the runtime holds, tested
// without a runtime (as Compose's reconcile/plan are). Running it twice on the same input gives
// the same plan.
//
// `up` is planned in two steps because a service's spec hash includes its image id, known only
// when its own build finishes (builds run while other services already start):
//   planUp         once: which services, in what order, what each waits for, which orphans go;
//   planInstances  per service once its hash is known: keep, start, recreate or create, and
//                  which duplicate instances to remove.
// `down`, `stop` and `restart` have their own small plans below.

import type { DependsOnCondition, ProjectSpec } from '../model/spec.js';
import type { ObservedInstance } from '../runtime-interface/runtime.js';
import { dependentsOf, topologicalOrder, withDependencies } from './dependency-graph.js';

export type ServiceAction =
  /** The instance runs with the wanted spec: leave it alone. */
  | { kind: 'keep'; instanceId: string }
  /** The instance exists with the wanted spec but is not running: start it again (same id). */
  | { kind: 'start'; instanceId: string }
  /** The instance's spec differs: remove it and create a new one. */
  | { kind: 'recreate'; instanceId: string }
  | { kind: 'create' };

export interface Removal {
  instanceId: string;
  service: string;
  reason: 'duplicate' | 'orphan';
}

export interface InstancePlan {
  services: Record<string, ServiceAction>;
  /** Instances to remove: extra copies of a service (e.g. left by a crash) and services no longer in the config. */
  remove: Removal[];
}

/** A `depends_on` entry `up` waits for. */
export interface DependencyWait {
  service: string;
  condition: DependsOnCondition;
  /**
   * The dependency is brought up by this same `up`: wait for its step first. Otherwise (not in
   * the project, but required) only a status the engine already knows can satisfy it.
   */
  inPlan: boolean;
}

export interface ServiceStep {
  /** What the runtime holds for this service now. */
  observed: ObservedInstance[];
  waits: DependencyWait[];
}

export interface UpPlan {
  /** The services this `up` brings up, each after its dependencies. */
  order: string[];
  services: Record<string, ServiceStep>;
  /** Instances of services no longer in the config, removed before anything starts. */
  orphans: Removal[];
}

export interface UpScope {
  /** Only these services (and their dependencies); every active service when empty. */
  services?: string[];
  /** Remove instances of services that left the config (default: when no services are named). */
  removeOrphans?: boolean;
}

/** The services `up` brings up, each after its dependencies. Throws on a dependency cycle. */
export function upOrder(project: ProjectSpec, requested: readonly string[] = []): string[] {
  const names =
    requested.length > 0 ? withDependencies(project.services, [...requested]) : Object.keys(project.services);
  return topologicalOrder(project.services, names);
}

export function planUp(project: ProjectSpec, observed: readonly ObservedInstance[], scope: UpScope = {}): UpPlan {
  const requested = scope.services ?? [];
  const order = upOrder(project, requested);
  const inPlan = new Set(order);
  const services: Record<string, ServiceStep> = {};
  for (const name of order) {
    const spec = project.services[name]!;
    services[name] = {
      observed: observed.filter((o) => o.service === name),
      waits: Object.entries(spec.dependsOn)
        // An optional dependency missing from the project is no dependency at all.
        .filter(([dep, d]) => project.services[dep] || d.required)
        .map(([dep, d]) => ({ service: dep, condition: d.condition, inPlan: inPlan.has(dep) })),
    };
  }
  const removeOrphans = scope.removeOrphans ?? requested.length === 0;
  const orphans = removeOrphans
    ? planInstances({}, [...observed], { configuredServices: Object.keys(project.services), removeOrphans }).remove
    : [];
  return { order, services, orphans };
}

const runningStates = new Set(['running', 'restarting']);

/** What to do with each service's instances, given the spec hash it should run with. */
export function planInstances(
  wanted: Record<string, string>,
  observed: ObservedInstance[],
  opts: { configuredServices: string[]; removeOrphans: boolean },
): InstancePlan {
  const byService = new Map<string, ObservedInstance[]>();
  for (const inst of observed) {
    const list = byService.get(inst.service) ?? [];
    list.push(inst);
    byService.set(inst.service, list);
  }

  const services: Record<string, ServiceAction> = {};
  const remove: Removal[] = [];

  for (const [service, hash] of Object.entries(wanted)) {
    const instances = byService.get(service) ?? [];
    // Prefer an instance with the wanted hash, running first; every other copy is a duplicate.
    const ranked = [...instances].sort((a, b) => rank(b, hash) - rank(a, hash) || a.id.localeCompare(b.id));
    const [best, ...rest] = ranked;
    for (const extra of rest) remove.push({ instanceId: extra.id, service, reason: 'duplicate' });
    if (!best) services[service] = { kind: 'create' };
    else if (best.specHash !== hash) services[service] = { kind: 'recreate', instanceId: best.id };
    else if (runningStates.has(best.state.status)) services[service] = { kind: 'keep', instanceId: best.id };
    else services[service] = { kind: 'start', instanceId: best.id };
  }

  if (opts.removeOrphans) {
    const configured = new Set(opts.configuredServices);
    for (const inst of observed) {
      if (!configured.has(inst.service)) remove.push({ instanceId: inst.id, service: inst.service, reason: 'orphan' });
    }
  }
  return { services, remove };
}

function rank(inst: ObservedInstance, hash: string): number {
  return (inst.specHash === hash ? 2 : 0) + (runningStates.has(inst.state.status) ? 1 : 0);
}

export interface DownPlan {
  /** Services with instances, dependents first; those no longer in the config last. */
  order: string[];
  /** The instances of each service. */
  instances: Map<string, ObservedInstance[]>;
  /** Who must be gone before `service` goes: everything that depends on it, directly or not. */
  waitFor(service: string): string[];
}

/**
 * `down`: a service is removed once everything that depends on it is; unrelated services go side
 * by side (see runInOrder). Services no longer in the config have no known dependents.
 */
export function planDown(project: ProjectSpec, observed: readonly ObservedInstance[]): DownPlan {
  const instances = new Map<string, ObservedInstance[]>();
  for (const inst of observed) instances.set(inst.service, [...(instances.get(inst.service) ?? []), inst]);
  const known = stopOrder(project);
  return {
    order: [...known.filter((n) => instances.has(n)), ...[...instances.keys()].filter((n) => !known.includes(n))],
    instances,
    waitFor: (name) => (project.services[name] ? dependentsOf(project.services, name) : []),
  };
}

/** Dependents before what they depend on; a cyclic config (reported by the loader) keeps file order. */
export function stopOrder(project: ProjectSpec): string[] {
  return dependencyOrder(project).reverse();
}

/** Dependencies before their dependents; a cyclic config keeps file order rather than throw. */
export function dependencyOrder(project: ProjectSpec): string[] {
  try {
    return topologicalOrder(project.services);
  } catch {
    return Object.keys(project.services);
  }
}

/**
 * `restart service`: the service, then each dependent that asked for it with `depends_on:
 * restart: true` and has an instance (`hasInstance`).
 */
export function planRestart(
  project: ProjectSpec,
  service: string,
  hasInstance: (service: string) => boolean,
): string[] {
  const followers = dependentsOf(project.services, service).filter(
    (d) => project.services[d]?.dependsOn[service]?.restart && hasInstance(d),
  );
  return [service, ...followers];
}
