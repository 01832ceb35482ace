// The critical path of an `up`: the chain of phases that decided when it ended. Shortening any
// phase on it shortens the `up`; shortening any other does not. Found backwards from the phase
// that ended last: within a service each phase follows the one that ended just before it began;
// a dependency wait follows the dependency's last phase before the wait ended (its start for
// `service_started`, its healthcheck for `service_healthy`, its run for a one-shot), and of
// several waits of one service the one that ended last is the one that held it.

import { type Span, spanMs, type Timeline, timeOf } from './timeline.js';

/** Span ends and starts recorded within this many ms of each other count as one moment. */
const SAME_MOMENT_MS = 25;

/**
 * The ids of the spans on the critical path, in time order: phases, the `service` spans they
 * belong to, and the project's `prepare` span when the path begins with it. Running phases are
 * measured up to `nowMs`.
 */
export function criticalPath(timeline: Timeline, nowMs: number = Date.now()): string[] {
  const services = new Map<string, Span>();
  for (const s of timeline.spans) if (s.name === 'service') services.set(s.id, s);
  const phases = timeline.spans.filter((s) => s.parent !== undefined && services.has(s.parent));
  if (phases.length === 0) return [];
  const endOf = (s: Span) => timeOf(s.start) + spanMs(s, nowMs);
  const startOf = (s: Span) => timeOf(s.start);
  const serviceOf = (s: Span) => services.get(s.parent!)!;
  const byService = new Map<string, Span[]>();
  for (const p of phases) {
    const name = serviceOf(p).service ?? '';
    byService.set(name, [...(byService.get(name) ?? []), p]);
  }
  const order = new Map(timeline.spans.map((s, i) => [s.id, i]));
  /** Of `candidates` (in the order they began), the one that ended last no later than `at`; a tie goes to the later one. */
  const latestEndingBy = (candidates: Span[], at: number): Span | undefined => {
    let best: Span | undefined;
    for (const c of candidates) if (endOf(c) <= at + SAME_MOMENT_MS && (!best || endOf(c) >= endOf(best))) best = c;
    return best;
  };

  let current: Span | undefined = phases.reduce((a, b) => (endOf(b) > endOf(a) ? b : a));
  const path: Span[] = [];
  const seen = new Set<string>();
  while (current && !seen.has(current.id)) {
    seen.add(current.id);
    const own = byService.get(serviceOf(current).service ?? '') ?? [];
    let next: Span | undefined;
    let heldNothing = false;
    if (current.name === 'wait' && current.attrs.dependency !== undefined) {
      // A wait its dependency met at once held nothing up: it is not part of the path. One that
      // lasted follows the dependency's last phase before it ended (that phase, or what the
      // dependency did after it, such as a one-shot running to its exit, is what it waited for).
      if (spanMs(current, nowMs) <= SAME_MOMENT_MS) heldNothing = true;
      else {
        const theirs = (byService.get(current.attrs.dependency) ?? []).filter((p) => p.name !== 'wait');
        next = latestEndingBy(theirs, endOf(current));
      }
    }
    if (!heldNothing) path.push(current);
    // Not a wait, or a wait on a dependency that ran before this `up`: the phase before it.
    const at = order.get(current.id)!;
    next ??= latestEndingBy(
      own.filter((p) => order.get(p.id)! < at),
      startOf(current),
    );
    current = next;
  }
  path.reverse();
  const ids: string[] = [];
  const prepare = timeline.spans.find((s) => s.name === 'prepare');
  if (prepare?.end !== undefined && path[0] && endOf(prepare) <= startOf(path[0]) + SAME_MOMENT_MS)
    ids.push(prepare.id);
  for (const p of path) {
    const service = serviceOf(p).id;
    if (!ids.includes(service)) ids.push(service);
    ids.push(p.id);
  }
  return ids;
}
