// What `up` waits for, as predicates over a ServiceStatus: a dependency's `depends_on`
// condition, and a service having settled. `ok` says the wait is over; `bad` says it never will
// be, and why (the reason becomes the waiting service's failure message).

import type { DependsOnSpec } from '../model/spec.js';
import type { ServiceStatus } from '../model/status.js';

export interface StatusCondition {
  ok(status: ServiceStatus): boolean;
  bad(status: ServiceStatus): string | undefined;
}

/**
 * Compose's three conditions. `service_started` is met once the dependency's instance runs,
 * even while the dependency is held at `starting` for its first sync (its own readiness waits
 * for that; its dependents need not). A runtime that cannot report the dependency's health
 * (`healthKnown` false: a Compose healthcheck on the process runtime, already warned about)
 * makes `service_healthy` mean started.
 */
export function dependencyCondition(
  dep: string,
  d: DependsOnSpec,
  opts: { healthKnown: boolean; syncPending: () => boolean },
): StatusCondition {
  const ok: (s: ServiceStatus) => boolean =
    d.condition === 'service_completed_successfully'
      ? (s) => s.state === 'completed'
      : d.condition === 'service_healthy' && opts.healthKnown
        ? (s) => s.state === 'healthy'
        : (s) =>
            (s.state === 'starting' && opts.syncPending()) ||
            (s.state !== 'starting' && s.state !== 'waiting' && s.state !== 'building' && s.state !== 'pending');
  return {
    ok,
    bad(s) {
      if (s.state === 'failed') return `dependency ${dep} failed${s.message ? `: ${s.message}` : ''}`;
      if (s.state === 'exited') return `dependency ${dep} exited with code ${s.exitCode ?? '?'}`;
      if (s.state === 'killed') return `dependency ${dep} was killed${s.message ? `: ${s.message}` : ''}`;
      if (s.state === 'unhealthy' && d.condition === 'service_healthy') return `dependency ${dep} is unhealthy`;
      if (s.state === 'stopped') return `dependency ${dep} stopped`;
      return undefined;
    },
  };
}

/**
 * A service `up` may leave: healthy (with a healthcheck), running (without), or completed. One
 * that restarts `restartLimit` times on the way (counted from `baseRestarts`) has failed.
 */
export function settledCondition(opts: {
  hasHealthcheck: boolean;
  restartLimit: number;
  baseRestarts: number;
}): StatusCondition {
  return {
    ok: (s) => s.state === 'completed' || s.state === 'healthy' || (!opts.hasHealthcheck && s.state === 'running'),
    bad(s) {
      if (s.state === 'failed') return s.message ?? 'failed';
      if (s.state === 'exited') return `exited with code ${s.exitCode ?? '?'}`;
      if (s.state === 'killed') return s.message ?? 'killed';
      if (s.state === 'unhealthy') return 'healthcheck failing';
      if (s.state === 'stopped') return 'stopped';
      const restarts = s.restartCount - opts.baseRestarts;
      if (restarts >= opts.restartLimit) return `restarted ${restarts} times while starting`;
      return undefined;
    },
  };
}

/** The condition in the words of a `waiting for …` message. */
export function conditionWord(d: DependsOnSpec): 'healthy' | 'completed' | 'started' {
  return d.condition === 'service_healthy'
    ? 'healthy'
    : d.condition === 'service_completed_successfully'
      ? 'completed'
      : 'started';
}
