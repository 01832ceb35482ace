// A replicated service's followed log: every instance's lines as they come, each with its number.
// One instance's stream ends whenever that container is not running: it was not started yet when
// the follow began (the engine starts the instances one after another, and Docker ends a follow
// on a container that is not running at once), or it exited and its restart policy starts it
// again. The other instances keep the service's follow open, so each instance's stream is
// opened again, from its last line, once its container runs again; it ends when the container
// is gone.

import type { LogLine } from '../../runtime-interface/runtime.js';
import { sleep } from '../../shared/timing.js';

export interface ReplicaLogSource {
  /** The instance's number (1…N). */
  replica: number;
  /** Its log from `since` (unix seconds; absent: from `tail` lines back, or all), followed until its container stops. */
  open(from: { since?: number; tail?: number }): AsyncIterable<LogLine>;
  /** Whether its container runs now; `gone` once it was removed. */
  state(): Promise<'running' | 'not-running' | 'gone'>;
}

/** How soon an instance that does not run is looked at again: often for its first 5 s (the engine
 * is starting the instances one after another), then every 2 s (an instance that stays down). */
const RECHECK_MS = 250;
const RECHECK_SLOW_MS = 2000;
const RECHECKS_FAST = 20;

/** One instance's lines for as long as its container exists, across its stops and starts. */
export async function* followReplica(
  source: ReplicaLogSource,
  first: { since?: number; tail?: number },
  signal: AbortSignal,
  recheckMs = RECHECK_MS,
): AsyncIterable<LogLine> {
  let from = first;
  let last: string | undefined;
  while (!signal.aborted) {
    let shown = 0;
    for await (const l of source.open(from)) {
      // A stream opened again from the last line's second repeats that second's lines.
      if (last !== undefined && l.ts <= last) continue;
      last = l.ts;
      shown++;
      yield { ...l, line: `[${source.replica}] ${l.line}`, replica: source.replica };
    }
    // Opened again: from the last line shown, or (nothing shown yet) from where the follow began.
    if (last !== undefined) from = { since: Math.floor(Date.parse(last) / 1000) };
    else from = first.since === undefined ? {} : { since: first.since };
    // Wait for the container to run (again), or to be removed. A stream that ended with nothing
    // new while its container runs is not opened again at once.
    let wait = shown === 0;
    let rechecks = 0;
    for (;;) {
      if (signal.aborted) return;
      const state = await source.state();
      if (state === 'gone') return;
      if (state === 'running' && !wait) break;
      wait = false;
      try {
        await sleep(rechecks++ < RECHECKS_FAST ? recheckMs : Math.max(recheckMs, RECHECK_SLOW_MS), undefined, {
          signal,
        });
      } catch {
        return; // aborted
      }
    }
  }
}

/** Lines of several followed streams as they come. */
export async function* mergeStreams(streams: AsyncIterable<LogLine>[]): AsyncIterable<LogLine> {
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const next = (i: number) => iterators[i]!.next().then((r) => ({ i, r }));
  const pending = new Map(iterators.map((_, i) => [i, next(i)]));
  while (pending.size > 0) {
    const { i, r } = await Promise.race(pending.values());
    if (r.done) {
      pending.delete(i);
      continue;
    }
    pending.set(i, next(i));
    yield r.value;
  }
}
