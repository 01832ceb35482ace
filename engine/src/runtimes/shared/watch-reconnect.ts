// The loop every runtime's `watch` needs: a change stream from the engine or the API server
// (Docker's /events, a Kubernetes watch) ends or breaks — the engine restarted, the API server
// closed a long watch, a laptop slept — and must be opened again, quietly, until the watcher is
// disposed. One implementation, so both runtimes reconnect the same way.

import type { Disposable } from '../../runtime-interface/runtime.js';

export interface ReconnectOptions {
  /** Pause before opening again after an end or an error (default 1 s). */
  delayMs?: number;
  /** Told about each break, e.g. for a debug log; the loop goes on regardless. */
  onError?: (err: unknown) => void;
}

/**
 * Runs `open` until disposed: it connects, consumes the stream and resolves when the stream ends
 * (or rejects when it breaks); then, after `delayMs`, it runs again. `signal` aborts on dispose:
 * `open` closes its stream on it, so dispose ends the current stream at once (and closes a stream
 * that opened after the abort: check `signal.aborted` once it is open).
 */
export function keepWatching(open: (signal: AbortSignal) => Promise<void>, opts: ReconnectOptions = {}): Disposable {
  const controller = new AbortController();
  const { signal } = controller;
  const delayMs = opts.delayMs ?? 1000;
  void (async () => {
    while (!signal.aborted) {
      try {
        await open(signal);
      } catch (err) {
        if (!signal.aborted) opts.onError?.(err);
      }
      if (signal.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delayMs);
        signal.addEventListener(
          'abort',
          () => {
            clearTimeout(timer);
            resolve();
          },
          { once: true },
        );
      });
    }
  })();
  return { dispose: () => controller.abort() };
}
