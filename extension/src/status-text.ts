// The status-bar item: `devenv: 5/5 healthy` at a glance, the trouble in the tooltip.
// One-shot jobs that finished (a migration) are not counted: they are done, not down.

import { argoActivity, type ProjectStatus, runtimeHealthWords, syncLinkWords } from '@devenv/engine';
import { condition, stateLabel } from './service-state.js';

export interface StatusBarText {
  text: string;
  tooltip: string;
  /** Drives the item's background: errors red, starting plain with a spinner. */
  level: 'ok' | 'busy' | 'error' | 'idle';
}

export function statusBarText(
  status: ProjectStatus | undefined,
  serverState: 'starting' | 'ready' | 'failed',
): StatusBarText {
  if (serverState === 'failed') {
    return {
      text: '$(error) devenv: server stopped',
      tooltip: 'The devenv language server stopped. Click to restart it.',
      level: 'error',
    };
  }
  if (!status) return { text: '$(loading~spin) devenv', tooltip: 'Connecting to devenv…', level: 'busy' };
  const engine = runtimeHealthWords(status.runtimeHealth);
  if (engine) {
    const why = status.runtimeHealth?.message ? `\n${status.runtimeHealth.message}` : '';
    const away = status.runtimeHealth?.state === 'unavailable';
    return {
      text: `${away ? '$(warning)' : '$(loading~spin)'} devenv: ${engine}`,
      tooltip: `${status.project} (${status.runtime}): ${engine}${why}`,
      level: away ? 'error' : 'busy',
    };
  }
  const counted = status.services.filter((s) => condition(s) !== 'completed');
  const running = counted.filter((s) => s.instanceId !== undefined || condition(s) !== 'stopped');
  if (running.length === 0 && status.phase !== 'starting' && status.phase !== 'planning') {
    return {
      text: '$(circle-slash) devenv: down',
      tooltip: `${status.project}: not running. Click to bring it up.`,
      level: 'idle',
    };
  }
  const healthy = counted.filter((s) => condition(s) === 'healthy').length;
  const failing = counted.filter((s) => condition(s) === 'failing');
  const starting = counted.filter((s) => condition(s) === 'starting');
  const text = `devenv: ${healthy}/${counted.length} healthy`;
  const lines = status.services.map(
    (s) =>
      `${s.name}: ${stateLabel(s)}${s.message ? ` (${s.message})` : ''}${s.syncLink && s.syncLink.state !== 'live' ? `; sync ${syncLinkWords(s.syncLink)}` : ''}`,
  );
  const cluster = status.cluster;
  if (cluster) {
    lines.push(`cluster ${cluster.name} (context ${cluster.context}), Argo CD:`);
    for (const a of cluster.argocd ?? []) {
      const doing = argoActivity(a);
      lines.push(`  ${a.service ?? a.app}: ${a.sync}/${a.health}${doing ? ` (${doing.text})` : ''}`);
    }
  }
  const tooltip = `${status.project} (${status.runtime}, ${status.phase})\n${lines.join('\n')}`;
  if (failing.length > 0) {
    return {
      text: `$(error) ${text}, ${failing.map((s) => `${s.name} ${s.state}`).join(', ')}`,
      tooltip,
      level: 'error',
    };
  }
  if (starting.length > 0 || status.phase === 'starting' || status.phase === 'planning') {
    return { text: `$(loading~spin) ${text}`, tooltip, level: 'busy' };
  }
  return { text: `$(pass) ${text}`, tooltip, level: 'ok' };
}
