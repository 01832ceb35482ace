// What `up` must do, decided from the wanted spec hashes and what the runtime already holds.
// Pure, so the rules (reuse on equal hash, replace on change, remove orphans and duplicates)
// are tested without a runtime, and running it twice on the same input gives the same plan.

import type { ObservedInstance } from '../runtime/runtime.js';

export type ServiceAction =
  /** The instance runs with the wanted spec: leave it alone. */
  | { kind: 'keep'; instanceId: string }
  /** The instance exists with the wanted spec but is not running: start it again (same id). */
  | { kind: 'start'; instanceId: string }
  /** The instance's spec differs: remove it and create a new one. */
  | { kind: 'recreate'; instanceId: string }
  | { kind: 'create' };

export interface UpPlan {
  services: Record<string, ServiceAction>;
  /** Instances to remove: extra copies of a service (e.g. left by a crash) and services no longer in the config. */
  remove: { instanceId: string; service: string; reason: 'duplicate' | 'orphan' }[];
}

const runningStates = new Set(['running', 'restarting']);

export function planUp(
  wanted: Record<string, string>,
  observed: ObservedInstance[],
  opts: { configuredServices: string[]; removeOrphans: boolean },
): UpPlan {
  const byService = new Map<string, ObservedInstance[]>();
  for (const inst of observed) {
    const list = byService.get(inst.service) ?? [];
    list.push(inst);
    byService.set(inst.service, list);
  }

  const services: Record<string, ServiceAction> = {};
  const remove: UpPlan['remove'] = [];

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
