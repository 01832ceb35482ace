// Text helpers for the TUI's rows: measure, truncate and pad strings that may hold colour
// (SGR) without breaking a sequence, and the short forms of states, ports, uptimes.

import {
  type DebugAbsence,
  type DebugEndpoint,
  exitWords,
  type PublishedPort,
  type ServiceState,
  type ServiceStatus,
  syncLinkWords,
} from '@devenv/engine';
import sliceAnsi from 'slice-ansi';
import stringWidth from 'string-width';

export { stringWidth };

/** Cut to `width` columns (an ellipsis marks the cut); colour sequences stay whole and are closed. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  if (stringWidth(text) <= width) return text;
  // A wide character straddling the cut would overflow by one: cut one column earlier then.
  for (let end = width - 1; end > 0; end--) {
    const cut = sliceAnsi(text, 0, end);
    if (stringWidth(cut) <= width - 1) return `${cut}…`;
  }
  return '…';
}

/** Exactly `width` columns: truncated or padded with spaces. */
export function fit(text: string, width: number): string {
  const cut = truncate(text, width);
  const w = stringWidth(cut);
  return w < width ? cut + ' '.repeat(width - w) : cut;
}

export function formatUptime(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d${String(h % 24).padStart(2, '0')}h`;
}

export function uptimeOf(status: ServiceStatus, now: number): string {
  const running = status.state === 'running' || status.state === 'healthy' || status.state === 'unhealthy';
  if (!running || !status.startedAt) return '-';
  const started = Date.parse(status.startedAt);
  return Number.isNaN(started) ? '-' : formatUptime(now - started);
}

export function formatPort(p: PublishedPort): string {
  return `${p.hostIp}:${p.hostPort}→${p.containerPort}${p.protocol === 'udp' ? '/udp' : ''}`;
}

/** The DEBUG cell: where the debugger listens, or why there is none (`d` shows the fix). */
export function formatDebug(d: DebugEndpoint | undefined, absent?: DebugAbsence): string {
  if (d) return `${d.protocol} ${d.hostIp}:${d.hostPort}`;
  return absent ? (absent.kind === 'unavailable' ? 'unavailable' : 'on request') : '-';
}

/** The last batch while the link is live; otherwise what the link is doing (reconnecting, failed). */
export function formatSync(s: Pick<ServiceStatus, 'sync' | 'syncLink'>): string {
  if (s.syncLink && s.syncLink.state !== 'live') return syncLinkWords(s.syncLink) ?? '-';
  const f = s.sync;
  if (!f) return s.syncLink ? 'live' : '-';
  // Latencies are measured to the microsecond; a cell shows what a person reads.
  const ms = f.lastMs < 10 ? f.lastMs.toFixed(1) : String(Math.round(f.lastMs));
  return `${f.files} file${f.files === 1 ? '' : 's'} ${ms}ms`;
}

export function stateLabel(s: ServiceStatus): string {
  if (s.state === 'exited') return `exited (${s.exitCode ?? '?'}${s.exit?.signal ? `, ${s.exit.signal}` : ''})`;
  if (s.state === 'killed' || s.state === 'stopped') {
    const words = exitWords(s.exit, s.state);
    return words ? `${s.state} (${words})` : s.state;
  }
  return s.state;
}

export type Colour = 'green' | 'yellow' | 'red' | 'gray' | 'cyan' | 'blue';

/** Icon and colour per state. Icons are single-width in every terminal font we know. */
export const stateStyle: Record<ServiceState, { icon: string; colour: Colour }> = {
  pending: { icon: '·', colour: 'gray' },
  building: { icon: '◐', colour: 'cyan' },
  waiting: { icon: '…', colour: 'yellow' },
  starting: { icon: '◌', colour: 'yellow' },
  running: { icon: '●', colour: 'green' },
  healthy: { icon: '●', colour: 'green' },
  unhealthy: { icon: '▲', colour: 'red' },
  restarting: { icon: '↻', colour: 'yellow' },
  completed: { icon: '✓', colour: 'green' },
  exited: { icon: '✗', colour: 'red' },
  killed: { icon: '✗', colour: 'red' },
  stopped: { icon: '■', colour: 'gray' },
  failed: { icon: '✗', colour: 'red' },
};

/** A service has reached a good resting state (what the header's "n/m healthy" counts). */
export function isGood(s: ServiceStatus): boolean {
  return s.state === 'healthy' || s.state === 'completed' || (s.state === 'running' && s.health === 'none');
}

/** `[████░░░░]` for current/total, `width` cells inside the brackets. */
export function bar(current: number, total: number, width: number): string {
  const w = Math.max(1, width);
  const ratio = total > 0 ? Math.min(1, Math.max(0, current / total)) : 0;
  const full = Math.round(ratio * w);
  return `[${'█'.repeat(full)}${'░'.repeat(w - full)}]`;
}
