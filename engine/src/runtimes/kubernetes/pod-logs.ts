// A service's log from its current pod, through the API (`timestamps=true`, normalised to fixed
// width by the shared decoder, as on Docker), as an async iterable that ends when the stream ends
// or the signal aborts.

import { Writable } from 'node:stream';
import type { LogLine } from '../../runtime-interface/runtime.js';
import { LogDecoder } from '../shared/log-decoder.js';
import type { KubeApi, LogOptions } from './kube-api.js';

export async function* podLogs(
  api: KubeApi,
  target: { namespace: string; pod: string; container: string },
  opts: { follow: boolean; tail?: number; since?: number },
  signal: AbortSignal,
): AsyncIterable<LogLine> {
  const decoder = new LogDecoder(false);
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      queue.push(...decoder.push(chunk));
      wake?.();
      cb();
    },
    final(cb) {
      queue.push(...decoder.flush());
      ended = true;
      wake?.();
      cb();
    },
  });
  const query: LogOptions = {
    follow: opts.follow,
    ...(opts.tail === undefined ? {} : { tailLines: opts.tail }),
    ...(opts.since === undefined ? {} : { sinceSeconds: Date.now() / 1000 - opts.since }),
  };
  const handle = await api.logs(target.namespace, target.pod, target.container, query, sink);
  void handle.closed.then(() => {
    ended = true;
    wake?.();
  });
  const onAbort = () => {
    handle.close();
    ended = true;
    wake?.();
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    handle.close();
  }
}
