// Dependency order of services, from `depends_on`. The config loader reports cycles with
// positions; the graph still guards against them so the engine can never deadlock.

import type { ServiceSpec } from '../model/spec.js';

/** The requested services plus everything they depend on (required dependencies only if present). */
export function withDependencies(services: Record<string, ServiceSpec>, requested: string[]): string[] {
  const out = new Set<string>();
  const visit = (name: string): void => {
    if (out.has(name)) return;
    const svc = services[name];
    if (!svc) return;
    out.add(name);
    for (const dep of Object.keys(svc.dependsOn)) visit(dep);
  };
  for (const name of requested) visit(name);
  return [...out];
}

/** Services that depend on `name`, directly or not. */
export function dependentsOf(services: Record<string, ServiceSpec>, name: string): string[] {
  const out = new Set<string>();
  let frontier = [name];
  while (frontier.length > 0) {
    const next: string[] = [];
    for (const svc of Object.values(services)) {
      if (out.has(svc.name)) continue;
      if (frontier.some((f) => f in svc.dependsOn)) {
        out.add(svc.name);
        next.push(svc.name);
      }
    }
    frontier = next;
  }
  return [...out];
}

/** Services in an order where each comes after its dependencies; throws on a cycle. */
export function topologicalOrder(services: Record<string, ServiceSpec>, names = Object.keys(services)): string[] {
  const wanted = new Set(names);
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    const seen = state.get(name);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`dependency cycle: ${[...path, name].join(' → ')}`);
    state.set(name, 'visiting');
    for (const dep of Object.keys(services[name]?.dependsOn ?? {})) {
      if (wanted.has(dep)) visit(dep, [...path, name]);
    }
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of [...wanted].sort()) visit(name, []);
  return order;
}

/**
 * Runs `task` for each name in `order`, each once the tasks of the names `waitFor(name)` lists
 * have settled, the rest at once: `down` stops a service after its dependents, and unrelated
 * services side by side. Only names earlier in `order` are waited for, so a bad graph cannot
 * deadlock. Every task runs even when one fails; then the first failure is thrown.
 */
export async function runInOrder(
  order: string[],
  waitFor: (name: string) => string[],
  task: (name: string) => Promise<void>,
): Promise<void> {
  const settled = new Map<string, Promise<unknown>>();
  const all: Promise<void>[] = [];
  for (const name of order) {
    const before = waitFor(name)
      .map((n) => settled.get(n))
      .filter((p) => p !== undefined);
    const run = Promise.allSettled(before).then(() => task(name));
    settled.set(
      name,
      run.catch(() => undefined),
    );
    all.push(run);
  }
  const results = await Promise.allSettled(all);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}
