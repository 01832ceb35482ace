// `devenv ls [--json]`: this user's environments (the registry `up` writes and `down` clears):
// project, directory, runtime and state. The state is asked live: from the project's daemon when
// one runs, else read once from the runtime's own records (labels, pid records), as `status` does.

import { ExitCode, type ProjectStatus, type ServiceState } from '@devenv/engine';
import { daemonPaths, type EnvironmentEntry, listEnvironments, Methods, tryConnect } from '@devenv/engine/protocol';
import { clientInfo, type GlobalOptions, type ProjectContext } from '../context.js';
import { localEngine } from '../local-engine.js';
import { withCommands } from '../output/hints.js';

/** How long one environment may take to answer before it is listed as unknown. */
const ASK_TIMEOUT_MS = 15_000;

export interface EnvironmentRow {
  project: string;
  projectDir: string;
  files: string[];
  runtime: string;
  /** `running`, `stopped`, `degraded`, … (the project's phase), or `unknown`. */
  state: string;
  /** What the state is made of: services per state, or why it is unknown. */
  detail: string;
  daemonPid: number | null;
  services: { name: string; state: ServiceState }[];
}

export async function lsCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const entries = listEnvironments();
  const rows = await Promise.all(entries.map((e) => describe(e, opts)));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.ok;
  }
  if (rows.length === 0) {
    process.stdout.write(withCommands('no environments (`devenv up` records one; `devenv down` removes it)\n'));
    return ExitCode.ok;
  }
  process.stdout.write(`${lsTable(rows)}\n`);
  return ExitCode.ok;
}

export function lsTable(rows: EnvironmentRow[]): string {
  const header = ['PROJECT', 'DIRECTORY', 'RUNTIME', 'STATE'];
  const cells = rows.map((r) => [r.project, r.projectDir, r.runtime, r.detail ? `${r.state} (${r.detail})` : r.state]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fmt = (c: string[]) =>
    c
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...cells.map(fmt)].join('\n');
}

/** `5 healthy, 1 completed` */
export function stateCounts(services: { state: ServiceState }[]): string {
  const counts = new Map<string, number>();
  for (const s of services) counts.set(s.state, (counts.get(s.state) ?? 0) + 1);
  return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
}

async function describe(entry: EnvironmentEntry, opts: GlobalOptions): Promise<EnvironmentRow> {
  const base = { project: entry.project, projectDir: entry.projectDir, files: entry.files, runtime: entry.runtime };
  const identity = { name: entry.project, projectDir: entry.projectDir, files: entry.files };
  const paths = daemonPaths(identity);
  try {
    const { status, daemonPid } = await withTimeout(ask(identity, paths, entry, opts), ASK_TIMEOUT_MS);
    const services = status.services.map((s) => ({ name: s.name, state: s.state }));
    const running = status.services.some((s) => s.instanceId !== undefined);
    const state = daemonPid !== null ? status.phase : running ? 'running' : 'stopped';
    const detail = [stateCounts(services), daemonPid === null && running ? 'no daemon' : ''].filter(Boolean).join('; ');
    return { ...base, state, detail, daemonPid, services };
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    return { ...base, state: 'unknown', detail: why, daemonPid: null, services: [] };
  }
}

async function ask(
  identity: ProjectContext['identity'],
  paths: ProjectContext['paths'],
  entry: EnvironmentEntry,
  opts: GlobalOptions,
): Promise<{ status: ProjectStatus; daemonPid: number | null }> {
  const daemon = await tryConnect(paths, clientInfo);
  if (daemon) {
    try {
      return { status: await daemon.connection.sendRequest(Methods.status), daemonPid: daemon.info.pid };
    } finally {
      daemon.close();
    }
  }
  const ctx: ProjectContext = {
    identity,
    paths,
    config: { files: identity.files, projectDir: identity.projectDir, projectName: identity.name },
    runtime: opts.runtime ?? entry.runtime,
  };
  const { engine, project } = await localEngine(ctx, ctx.runtime);
  try {
    return { status: await engine.attach(project, { watch: false }), daemonPid: null };
  } finally {
    await engine.close();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
