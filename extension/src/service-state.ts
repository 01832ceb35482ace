// One reading of a service's state for every view (tree, status bar, progress): is it fine,
// on its way, in trouble, finished, or not running at all.

import { exitWords, type ServiceStatus } from '@devenv/engine';

export type Condition = 'healthy' | 'starting' | 'failing' | 'completed' | 'stopped';

export function condition(s: ServiceStatus): Condition {
  switch (s.state) {
    case 'healthy':
      return 'healthy';
    case 'running':
      // Running with a healthcheck still pending is not yet healthy.
      return s.health === 'none' || s.health === 'healthy' ? 'healthy' : 'starting';
    case 'pending':
    case 'building':
    case 'waiting':
    case 'starting':
    case 'restarting':
      return 'starting';
    case 'unhealthy':
    case 'exited':
    case 'killed':
    case 'failed':
      return 'failing';
    case 'completed':
      return 'completed';
    case 'stopped':
      return 'stopped';
  }
}

/** Human words for a state, with the detail that matters (exit code, restarts). */
export function stateLabel(s: ServiceStatus): string {
  if (s.state === 'exited' && s.exitCode !== undefined)
    return `exited (${s.exitCode}${s.exit?.signal ? `, ${s.exit.signal}` : ''})`;
  if (s.state === 'killed' || s.state === 'stopped') {
    const words = exitWords(s.exit, s.state);
    if (words) return `${s.state} (${words})`;
  }
  if (s.state === 'running' && s.health === 'starting') return 'running, health starting';
  if (s.state === 'restarting' && s.restartCount > 0) return `restarting (${s.restartCount})`;
  return s.state;
}
