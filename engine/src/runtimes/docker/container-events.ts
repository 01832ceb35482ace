// The engine's event stream for a project's containers, followed across engine restarts (it
// reconnects from the last event's time, with the runtimes' one reconnect loop) and handed over
// one event at a time.

import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Dockerode from 'dockerode';
import { keepWatching } from '../shared/watch-reconnect.js';
import { LABEL, ownedContainerFilters } from './labels.js';

const watchedEvents = new Set(['start', 'die', 'restart', 'destroy', 'oom', 'pause', 'unpause', 'stop', 'kill']);

export interface ContainerEvent {
  containerId: string;
  service: string;
  /** `start`, `die`, `health_status`, … */
  verb: string;
  /** The engine's words, with the exit code when there is one: `die (exit 137)`. */
  reason: string;
  /** `kill`: the signal asked for (a number, as the engine reports it). */
  signal?: number;
}

/** Follows the events until the returned function is called. */
export function followContainerEvents(
  docker: Dockerode,
  project: string,
  onEvent: (e: ContainerEvent) => void,
): () => void {
  let since = Math.floor(Date.now() / 1000);
  // A broken event stream (engine restarted, socket closed) reopens from the last event's time.
  const watch = keepWatching(async (signal) => {
    const stream = (await docker.getEvents({
      since,
      filters: JSON.stringify({ type: ['container'], label: ownedContainerFilters(project) }),
    })) as unknown as Readable;
    if (signal.aborted) return void stream.destroy();
    signal.addEventListener('abort', () => stream.destroy(), { once: true });
    let buffer = '';
    const utf8 = new StringDecoder('utf8'); // an event split inside a character stays whole
    for await (const chunk of stream) {
      buffer += utf8.write(chunk as Buffer);
      let nl = buffer.indexOf('\n');
      while (nl >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf('\n');
        if (!line) continue;
        const ev = JSON.parse(line) as {
          status?: string;
          Action?: string;
          id?: string;
          time?: number;
          Actor?: { Attributes?: Record<string, string> };
        };
        if (ev.time) since = ev.time;
        const action = ev.Action ?? ev.status ?? '';
        const verb = action.split(':')[0]!.trim();
        if (!watchedEvents.has(verb) && verb !== 'health_status') continue;
        const service = ev.Actor?.Attributes?.[LABEL.service];
        if (!service || !ev.id) continue;
        const exit = ev.Actor?.Attributes?.exitCode;
        const killSignal = Number(ev.Actor?.Attributes?.signal);
        onEvent({
          containerId: ev.id,
          service,
          verb,
          reason: exit === undefined ? action : `${action} (exit ${exit})`,
          ...(verb === 'kill' && Number.isInteger(killSignal) ? { signal: killSignal } : {}),
        });
      }
    }
  });
  return () => watch.dispose();
}
