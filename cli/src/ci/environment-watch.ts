// `devenv ci`'s eye on the environment: from the event stream, the first service that fails
// (exits, fails to start, turns unhealthy, or crashes into a restart beyond what is allowed),
// and each service's last log lines, so a failure is reported the moment it happens, naming the
// service and what it printed, not when a timeout runs out.

import type { EngineEvent, ServiceStatus } from '@devenv/engine';
import { stripAnsi } from '../output/terminal-text.js';

export interface ServiceFailure {
  service: string;
  reason: string;
}

const LAST_LINES = 20;

export class EnvironmentWatch {
  private readonly tails = new Map<string, string[]>();
  private readonly restarts = new Map<string, number>();
  private readonly states = new Map<string, ServiceStatus>();

  /** `maxRestarts`: crashes a service may restart from (its restart policy) before it counts as failed. */
  constructor(private readonly opts: { maxRestarts: number }) {}

  /** Take one event; a failure when it is one. */
  apply(e: EngineEvent): ServiceFailure | undefined {
    if (e.kind === 'log') {
      if (e.stream === 'system') return undefined;
      const tail = this.tails.get(e.service) ?? [];
      tail.push(stripAnsi(e.line));
      if (tail.length > LAST_LINES) tail.shift();
      this.tails.set(e.service, tail);
      return undefined;
    }
    if (e.kind !== 'status') return undefined;
    const before = this.states.get(e.service);
    this.states.set(e.service, e.status);
    return this.failureOf(e.service, e.status, before);
  }

  /** What the service printed last (its own output, colours removed). */
  lastLines(service: string): string[] {
    return [...(this.tails.get(service) ?? [])];
  }

  /** Services the `up` has not brought to a settled state, with what they are doing. */
  unsettled(): { service: string; state: string }[] {
    return [...this.states.values()]
      .filter((s) => !['healthy', 'running', 'completed'].includes(s.state))
      .map((s) => ({ service: s.name, state: s.message ? `${s.state}: ${s.message}` : s.state }));
  }

  private failureOf(service: string, s: ServiceStatus, before: ServiceStatus | undefined): ServiceFailure | undefined {
    switch (s.state) {
      case 'failed':
        // Its dependents fail too, naming it: the watch reports the service that failed first.
        return { service, reason: s.message ?? 'failed' };
      case 'exited':
        return { service, reason: `exited with code ${s.exitCode ?? '?'}` };
      case 'unhealthy':
        return { service, reason: 'its healthcheck fails' };
      case 'restarting': {
        if (before?.state === 'restarting') return undefined;
        const n = (this.restarts.get(service) ?? 0) + 1;
        this.restarts.set(service, n);
        if (n <= this.opts.maxRestarts) return undefined;
        const code = s.exitCode ?? before?.exitCode;
        return { service, reason: `crashed${code !== undefined ? ` (exit code ${code})` : ''} and is restarting` };
      }
      default:
        return undefined;
    }
  }
}
