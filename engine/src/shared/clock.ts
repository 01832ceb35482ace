// Time as the engine sees it: `now` and one-shot timers. The supervisor's restart backoff and
// the engine's "which run is this exit from" decisions read it, so a test can step it
// (fake-clock.ts) instead of sleeping through 0.5, 1, 2 s of backoff.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Run `fn` once after `ms`; the returned function cancels it (a no-op once it ran). */
  after(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  after(ms, fn) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
