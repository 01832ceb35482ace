import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { keepWatching } from './watch-reconnect.js';

describe('keepWatching', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('opens again after a stream ends or breaks, after the delay, until disposed', async () => {
    let opens = 0;
    const errors: unknown[] = [];
    const watch = keepWatching(
      async () => {
        opens++;
        if (opens === 2) throw new Error('connection reset');
      },
      { delayMs: 1000, onError: (e) => errors.push(e) },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(opens).toBe(1);
    await vi.advanceTimersByTimeAsync(999);
    expect(opens).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(opens).toBe(2);
    expect(errors).toEqual([new Error('connection reset')]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(opens).toBe(3);
    watch.dispose();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(opens).toBe(3);
  });

  it('dispose aborts the open stream and reports no error for it', async () => {
    const errors: unknown[] = [];
    let opens = 0;
    const watch = keepWatching(
      (signal) =>
        new Promise<void>((_, reject) => {
          opens++;
          signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
        }),
      { onError: (e) => errors.push(e) },
    );
    await vi.advanceTimersByTimeAsync(0);
    watch.dispose();
    await vi.advanceTimersByTimeAsync(5000);
    expect(opens).toBe(1);
    expect(errors).toEqual([]);
  });
});
