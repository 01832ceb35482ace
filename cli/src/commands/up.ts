// `devenv up`: start (or find) the project's daemon, ask it to bring the services up, and
// show the event stream until everything settled; then follow logs (or return with --detach).
// In a terminal the stream is the TUI (cli/src/tui); without one (CI, pipes), with `--no-tui`
// or `--json`, it is plain prefixed lines or JSON lines.

import { type EngineEvent, ExitCode } from '@devenv/engine';
import { type DaemonConnection, Methods, Notifications, sendUp, type UpResultWire } from '@devenv/engine/protocol';
import { daemonFor, type GlobalOptions, type ProjectContext, projectContext } from '../context.js';
import { withCommands } from '../output/hints.js';
import { colourWanted, PlainRenderer } from '../output/plain-renderer.js';
import { statusTable, whereToGo } from '../output/status-table.js';

export interface UpOptions extends GlobalOptions {
  detach?: boolean;
  build?: boolean;
  json?: boolean;
  timestamps?: boolean;
  /** false with `--no-tui`. */
  tui?: boolean;
  /** `--hyperlinks` / `--no-hyperlinks`; undefined: detect. */
  hyperlinks?: boolean;
  /** false with `--no-debug`. */
  debug?: boolean;
  /** `--metrics-port`: serve the engine's metrics on this 127.0.0.1 port. */
  metricsPort?: number;
}

/** The TUI needs a terminal on both ends, and ink draws only a final frame under CI. */
export function wantsTui(
  opts: UpOptions,
  io: { stdoutTty: boolean; stdinTty: boolean },
  env: Record<string, string | undefined> = process.env,
): boolean {
  if (opts.json || opts.detach || opts.tui === false) return false;
  if (!io.stdoutTty || !io.stdinTty) return false;
  // The same test as ink's (is-in-ci): set to anything but 0 or false.
  const inCi = (k: string) => k in env && env[k] !== '0' && env[k] !== 'false';
  return !inCi('CI') && !inCi('CONTINUOUS_INTEGRATION');
}

export async function upCommand(services: string[], opts: UpOptions): Promise<number> {
  const ctx = projectContext(opts);
  const daemon = await daemonFor(ctx, ctx.runtime);
  if (wantsTui(opts, { stdoutTty: process.stdout.isTTY === true, stdinTty: process.stdin.isTTY === true })) {
    return upWithTui(ctx, daemon, services, opts);
  }
  const { connection } = daemon;
  const out = process.stdout;
  const renderer = new PlainRenderer(out, { colour: colourWanted(out), timestamps: opts.timestamps ?? false });
  const render = (e: EngineEvent | { kind: 'result'; result: UpResultWire }) => {
    if (opts.json) out.write(`${JSON.stringify(e)}\n`);
    else if (e.kind !== 'result') renderer.render(e);
  };

  let stopping: Promise<void> | undefined;
  const closed = new Promise<'closed'>((resolve) => connection.onClose(() => resolve('closed')));
  const interrupted = new Promise<'interrupted'>((resolve) => {
    process.on('SIGINT', () => {
      if (stopping) {
        // Second Ctrl-C: leave the environment to the daemon and go.
        process.stderr.write(withCommands('\ndetaching; the environment keeps running (`devenv down` stops it)\n'));
        process.exit(ExitCode.ok);
      }
      process.stderr.write('\ntaking the environment down (Ctrl-C again to detach and leave it running)…\n');
      stopping = connection.sendRequest(Methods.down, { volumes: false }).then(() => undefined);
      resolve('interrupted');
    });
  });

  connection.onNotification(Notifications.event, (e) => render(e));
  await connection.sendRequest(Methods.subscribe, {
    kinds: ['status', 'log', 'progress', 'diagnostic', 'project', 'cluster'],
  });

  const up = sendUp(connection, {
    config: ctx.config,
    services,
    ...(opts.build ? { build: true } : {}),
    ...(opts.debug === false ? { debug: false } : {}),
    ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
  });
  let first = await Promise.race([up.then((r) => ({ r })), interrupted, closed]).catch((err: unknown) => {
    daemon.close();
    throw err;
  });
  if (first === 'closed') {
    // The connection can report its end before it hands over the answer that came just before
    // it (a daemon that answers a config error and exits): give that answer a moment to arrive.
    const late = await Promise.race([up.then((r) => ({ r })), delay(500).then(() => 'closed' as const)]).catch(
      (err: unknown) => {
        daemon.close();
        throw err;
      },
    );
    if (late === 'closed') return daemonVanished(ctx.paths.logFile);
    first = late;
  }
  if (first === 'interrupted') {
    await stopping?.catch(() => undefined);
    daemon.close();
    return ExitCode.ok;
  }
  const result = first.r;
  if (opts.json) {
    render({ kind: 'result', result });
  } else {
    renderer.setServices(result.services.map((s) => s.name));
    const status = await connection.sendRequest(Methods.status);
    out.write(`\n${statusTable(status)}\n`);
    const links = whereToGo(result.services);
    if (links.length > 0) out.write(`\nopen:\n${links.map((l) => `  ${l}`).join('\n')}\n`);
    if (result.metricsUrl) out.write(`metrics: ${result.metricsUrl}\n`);
    out.write(withCommands('where the time went: `devenv timeline`\n'));
    for (const f of result.failed) process.stderr.write(`error: ${f.service}: ${f.message}\n`);
  }
  const code = result.failed.length > 0 ? ExitCode.runtimeFailure : ExitCode.ok;
  if (opts.detach) {
    if (!opts.json)
      out.write(
        withCommands(`\nrunning in the background (daemon pid ${daemon.info.pid}); \`devenv down\` stops it\n`),
      );
    daemon.close();
    return code;
  }
  if (!opts.json) out.write('\nfollowing logs; Ctrl-C takes the environment down\n');
  const end = await Promise.race([interrupted, closed]);
  if (end === 'interrupted') await stopping?.catch(() => undefined);
  daemon.close();
  return end === 'closed' && !stopping ? daemonVanished(ctx.paths.logFile) : code;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function upWithTui(
  ctx: ProjectContext,
  daemon: DaemonConnection,
  services: string[],
  opts: UpOptions,
): Promise<number> {
  // React's development build checks and profiles every render (several times slower): users get
  // the production build unless they ask otherwise. It is read when React loads, just below.
  process.env.NODE_ENV ??= 'production';
  const { daemonTuiClient, declaredVolumes, renderUpTui } = await import('../tui/index.js');
  const name = ctx.identity.name;
  const outcome = await renderUpTui({
    client: daemonTuiClient(daemon, {
      config: ctx.config,
      services,
      ...(opts.build ? { build: true } : {}),
      ...(opts.debug === false ? { debug: false } : {}),
      ...(opts.metricsPort !== undefined ? { metricsPort: opts.metricsPort } : {}),
    }),
    project: name,
    volumes: declaredVolumes(ctx.identity.files, name),
    hyperlinks: opts.hyperlinks,
    colour: colourWanted(process.stdout),
    runUp: true,
  });
  switch (outcome.kind) {
    case 'detached':
      process.stdout.write(
        withCommands(
          `${name} keeps running (daemon pid ${daemon.info.pid}); \`devenv up\` re-attaches, \`devenv down\` stops it\n`,
        ),
      );
      return ExitCode.ok;
    case 'down':
      process.stdout.write(`${name}: down\n`);
      return ExitCode.ok;
    case 'daemon-gone':
      return daemonVanished(ctx.paths.logFile);
    case 'failed':
      throw outcome.error;
  }
}

function daemonVanished(logFile: string): number {
  process.stderr.write(`error: the devenv daemon went away\n  hint: its log is ${logFile}\n`);
  return ExitCode.runtimeFailure;
}
