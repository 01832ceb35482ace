// The engine's one event stream. Every producer writes here; every UI subscribes here.
// Log lines are also kept per service in a bounded ring, so a client that connects late
// (a second terminal, the extension) can ask for history.

import type { EngineEvent, LogEvent } from '../model/events.js';
import type { Disposable } from '../runtime-interface/runtime.js';

export type Listener = (event: EngineEvent) => void;

export class EventBus {
  private readonly listeners = new Set<Listener>();
  private readonly logHistory = new Map<string, LogEvent[]>();
  private readonly historyLimit: number;

  constructor(opts: { historyLimit?: number } = {}) {
    this.historyLimit = opts.historyLimit ?? 5000;
  }

  emit = (event: EngineEvent): void => {
    if (event.kind === 'log') this.remember(event);
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A broken subscriber (a closed socket, a UI that threw) must not stop the engine.
      }
    }
  };

  subscribe(listener: Listener): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** The last `limit` log lines of one service, or of all services interleaved by time. */
  history(service?: string, limit = 1000): LogEvent[] {
    if (service !== undefined) return (this.logHistory.get(service) ?? []).slice(-limit);
    const all = [...this.logHistory.values()].flat();
    all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    return all.slice(-limit);
  }

  private remember(event: LogEvent): void {
    let ring = this.logHistory.get(event.service);
    if (!ring) {
      ring = [];
      this.logHistory.set(event.service, ring);
    }
    ring.push(event);
    // Trim in chunks so a busy service does not pay an O(n) shift per line.
    if (ring.length > this.historyLimit * 1.25) ring.splice(0, ring.length - this.historyLimit);
  }
}
