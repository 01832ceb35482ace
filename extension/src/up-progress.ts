// What the "bringing the environment up" notification says while `up` runs, from the same
// events the CLI prints: how many services are ready, and the latest thing that happened.

import type { EngineEvent, ServiceStatus } from '@devenv/engine';
import { condition } from './service-state.js';

export class UpProgress {
  private readonly services = new Map<string, ServiceStatus>();
  private last = 'starting';

  /** Fold an event in; the new message when it changed what to show. */
  apply(event: EngineEvent): string | undefined {
    switch (event.kind) {
      case 'status':
        this.services.set(event.service, event.status);
        this.last = `${event.service}: ${event.status.state}${event.status.message ? ` (${event.status.message})` : ''}`;
        break;
      case 'progress': {
        if (event.done) return undefined;
        const amount =
          event.current !== undefined && event.total ? ` ${Math.round((event.current / event.total) * 100)}%` : '';
        this.last = `${event.title}${amount}${event.message ? `: ${event.message}` : ''}`;
        break;
      }
      case 'diagnostic':
        if (event.severity !== 'error') return undefined;
        this.last = event.message;
        break;
      default:
        return undefined;
    }
    return this.message();
  }

  message(): string {
    const all = [...this.services.values()];
    const ready = all.filter((s) => condition(s) === 'healthy' || condition(s) === 'completed').length;
    return all.length > 0 ? `${ready}/${all.length} ready · ${this.last}` : this.last;
  }
}

/** One log line as an output channel shows it: time, and the stream when it is not stdout. */
export function formatLogLine(event: Extract<EngineEvent, { kind: 'log' }>): string {
  const time = event.ts.length >= 19 ? event.ts.slice(11, 19) : event.ts;
  const marker = event.stream === 'stdout' ? '' : event.stream === 'stderr' ? ' [err]' : ' [devenv]';
  return `${time}${marker} ${event.line}`;
}
