// The status table printed by `devenv status` and at the end of `devenv up`, and the JSON
// shape of `devenv status --json` (stable: scripts depend on it).

import {
  type ExitDetail,
  type ProjectStatus,
  type PublishedPort,
  type RuntimeHealth,
  runtimeHealthWords,
  type ServiceStatus,
  type SyncLinkHealth,
  syncLinkWords,
} from '@devenv/engine';
import { describeState } from './plain-renderer.js';

export function formatPorts(ports: PublishedPort[]): string {
  return ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).join(', ');
}

/** What `devenv status` prints: the table, or with `--json` the stable JSON shape. */
export function formatStatus(status: ProjectStatus, json: boolean): string {
  return json ? `${JSON.stringify(statusJson(status), null, 2)}\n` : `${statusTable(status)}\n`;
}

export function statusTable(status: ProjectStatus): string {
  const header = ['SERVICE', 'STATE', 'HEALTH', 'ID', 'RESTARTS', 'PORTS', 'DEBUG', 'URL', 'SYNC'];
  const rows = status.services.map((s) => [
    s.name,
    truncate(describeState(s), 60),
    s.health === 'none' ? '-' : s.health,
    s.instanceId ? shortId(s.instanceId) : '-',
    String(s.restartCount),
    formatPorts(s.ports) || '-',
    debugCell(s),
    s.url ?? '-',
    truncate(syncLinkWords(s.syncLink) ?? '-', 60),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const detail = status.runtimeDetail ? ` (${status.runtimeDetail})` : '';
  const engine = runtimeHealthWords(status.runtimeHealth);
  const why = engine && status.runtimeHealth?.message ? ` (${status.runtimeHealth.message})` : '';
  return [
    `project ${status.project} on ${status.runtime}${detail}: ${status.phase}${engine ? `, ${engine}${why}` : ''}`,
    fmt(header),
    ...rows.map(fmt),
    ...debugNotes(status.services),
  ].join('\n');
}

function debugCell(s: ServiceStatus): string {
  if (s.debug) return `${s.debug.type} ${s.debug.hostIp}:${s.debug.hostPort}`;
  if (s.debugAbsent) return s.debugAbsent.kind === 'unavailable' ? 'unavailable' : 'on request';
  return '-';
}

/** Below the table, per service without its debugger: why, and the line that fixes it (or attaches). */
function debugNotes(services: ServiceStatus[]): string[] {
  const absent = services.filter((s) => !s.debug && s.debugAbsent);
  if (absent.length === 0) return [];
  return [
    '',
    ...absent.map((s) => {
      const a = s.debugAbsent!;
      return a.kind === 'unavailable'
        ? `${s.name}: debugger unavailable: ${a.reason}\n  fix: ${a.fix}`
        : `${s.name}: debugger on request: ${a.reason}\n  attach: ${a.fix}`;
    }),
  ];
}

export interface StatusJson {
  project: string;
  projectDir: string;
  runtime: string;
  phase: string;
  /** The runtime's engine as the daemon watches it (null without a daemon, or without an engine). */
  runtimeHealth: RuntimeHealth | null;
  services: {
    name: string;
    state: string;
    health: string;
    containerId: string | null;
    exitCode: number | null;
    /** How the last run ended: signal, OOM, who stopped it. */
    exit: ExitDetail | null;
    message: string | null;
    restartCount: number;
    ports: PublishedPort[];
    url: string | null;
    debug: { type: string; protocol: string; host: string; port: number } | null;
    /** Why a debuggable service has no debugger: unavailable (with the fix) or on request. */
    debugAbsent: { kind: string; type: string; reason: string; fix: string } | null;
    sync: { files: number; lastMs: number; p50Ms: number; at: string } | null;
    /** Whether live sync reaches the instance: live, reconnecting, failed (with why). */
    syncLink: SyncLinkHealth | null;
  }[];
}

export function statusJson(status: ProjectStatus): StatusJson {
  return {
    project: status.project,
    projectDir: status.projectDir,
    runtime: status.runtime,
    phase: status.phase,
    runtimeHealth: status.runtimeHealth ?? null,
    services: status.services.map((s: ServiceStatus) => ({
      name: s.name,
      state: s.state,
      health: s.health,
      containerId: s.instanceId ?? null,
      exitCode: s.exitCode ?? null,
      exit: s.exit ?? null,
      message: s.message ?? null,
      restartCount: s.restartCount,
      ports: s.ports,
      url: s.url ?? null,
      debug: s.debug
        ? { type: s.debug.type, protocol: s.debug.protocol, host: s.debug.hostIp, port: s.debug.hostPort }
        : null,
      debugAbsent: s.debugAbsent ?? null,
      sync: s.sync ?? null,
      syncLink: s.syncLink ?? null,
    })),
  };
}

/** "frontend http://127.0.0.1:5173 · backend http://127.0.0.1:8000" for the end of `up`. */
export function whereToGo(services: ServiceStatus[]): string[] {
  return services.filter((s) => s.url).map((s) => `${s.name.padEnd(10)} ${s.url}`);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}
