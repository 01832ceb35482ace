// One-shot requests to a running daemon: restart, rebuild, shutdown.

import { ExitCode, UserError } from '@devenv/engine';
import { type DaemonConnection, Methods } from '@devenv/engine/protocol';
import { findDaemon, type GlobalOptions, projectContext } from '../context.js';

async function requireDaemon(opts: GlobalOptions): Promise<DaemonConnection> {
  const ctx = projectContext(opts);
  const daemon = await findDaemon(ctx);
  if (!daemon) {
    throw new UserError({
      code: 'cli.no-daemon',
      message: `no devenv daemon runs for ${ctx.identity.name}`,
      hint: 'start the environment with `devenv up`',
    });
  }
  return daemon;
}

export async function restartCommand(service: string, opts: GlobalOptions): Promise<number> {
  const daemon = await requireDaemon(opts);
  await daemon.connection.sendRequest(Methods.restart, { service });
  daemon.close();
  process.stdout.write(`${service}: restarted\n`);
  return ExitCode.ok;
}

export async function rebuildCommand(service: string, opts: GlobalOptions): Promise<number> {
  const daemon = await requireDaemon(opts);
  const result = await daemon.connection.sendRequest(Methods.rebuild, { service });
  daemon.close();
  for (const f of result.failed) process.stderr.write(`error: ${f.service}: ${f.message}\n`);
  process.stdout.write(`${service}: ${result.actions[service] ?? 'done'}\n`);
  return result.failed.length > 0 ? ExitCode.runtimeFailure : ExitCode.ok;
}

export async function shutdownCommand(opts: GlobalOptions): Promise<number> {
  const ctx = projectContext(opts);
  const daemon = await findDaemon(ctx);
  if (!daemon) {
    process.stdout.write(`no daemon runs for ${ctx.identity.name}\n`);
    return ExitCode.ok;
  }
  await daemon.connection.sendRequest(Methods.shutdown);
  daemon.close();
  process.stdout.write(`daemon ${daemon.info.pid} stopped; the environment keeps running (\`devenv down\` stops it)\n`);
  return ExitCode.ok;
}
