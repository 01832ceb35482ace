// `devenv up`: start (or find) the project's daemon, ask it to bring the services up, and
// show the event stream until everything settled; then follow logs (or return with --detach).

import { type EngineEvent, ExitCode } from '@devenv/engine';
import { Methods, Notifications, type UpResultWire } from '@devenv/engine/protocol';
import { daemonFor, type GlobalOptions, projectContext } from '../context.js';
import { PlainRenderer, useColour } from '../output/plain-renderer.js';
import { statusTable, whereToGo } from '../output/status-table.js';

export interface UpOptions extends GlobalOptions {
  detach?: boolean;
  build?: boolean;
  json?: boolean;
  timestamps?: boolean;
}

export async function upCommand(services: string[], opts: UpOptions): Promise<number> {
  const ctx = projectContext(opts);
  const daemon = await daemonFor(ctx, opts.runtime ?? 'auto');
  const { connection } = daemon;
  const out = process.stdout;
  const renderer = new PlainRenderer(out, { colour: useColour(out), timestamps: opts.timestamps ?? false });
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
        process.stderr.write('\ndetaching; the environment keeps running (`devenv down` stops it)\n');
        process.exit(ExitCode.ok);
      }
      process.stderr.write('\ntaking the environment down (Ctrl-C again to detach and leave it running)…\n');
      stopping = connection.sendRequest(Methods.down, { volumes: false }).then(() => undefined);
      resolve('interrupted');
    });
  });

  connection.onNotification(Notifications.event, (e) => render(e));
  await connection.sendRequest(Methods.subscribe, { kinds: ['status', 'log', 'progress', 'diagnostic', 'project'] });

  const up = connection.sendRequest(Methods.up, {
    config: ctx.config,
    services,
    ...(opts.build ? { build: true } : {}),
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
    for (const f of result.failed) process.stderr.write(`error: ${f.service}: ${f.message}\n`);
  }
  const code = result.failed.length > 0 ? ExitCode.runtimeFailure : ExitCode.ok;
  if (opts.detach) {
    if (!opts.json)
      out.write(`\nrunning in the background (daemon pid ${daemon.info.pid}); \`devenv down\` stops it\n`);
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

function daemonVanished(logFile: string): number {
  process.stderr.write(`error: the devenv daemon went away\n  hint: its log is ${logFile}\n`);
  return ExitCode.runtimeFailure;
}
