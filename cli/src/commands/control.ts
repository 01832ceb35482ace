// One-shot requests to a running daemon: restart, rebuild, reset, shutdown.

import { createInterface } from 'node:readline/promises';
import { ExitCode, UserError } from '@devenv/engine';
import { type DaemonConnection, Methods } from '@devenv/engine/protocol';
import { environmentContext, findDaemon, type GlobalOptions } from '../context.js';
import { withCommands } from '../output/hints.js';

async function requireDaemon(opts: GlobalOptions, command: string): Promise<DaemonConnection> {
  const ctx = environmentContext(opts, command);
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
  const daemon = await requireDaemon(opts, 'restart');
  await daemon.connection.sendRequest(Methods.restart, { service });
  daemon.close();
  process.stdout.write(`${service}: restarted\n`);
  return ExitCode.ok;
}

export async function rebuildCommand(service: string, opts: GlobalOptions): Promise<number> {
  const daemon = await requireDaemon(opts, 'rebuild');
  const result = await daemon.connection.sendRequest(Methods.rebuild, { service });
  daemon.close();
  for (const f of result.failed) process.stderr.write(`error: ${f.service}: ${f.message}\n`);
  process.stdout.write(`${service}: ${result.actions[service] ?? 'done'}\n`);
  return result.failed.length > 0 ? ExitCode.runtimeFailure : ExitCode.ok;
}

/** `devenv debug SERVICE`: what the TUI's D does; prints where to attach. */
export async function debugCommand(service: string, opts: GlobalOptions): Promise<number> {
  const daemon = await requireDaemon(opts, 'debug');
  const result = await daemon.connection.sendRequest(Methods.debug, { service });
  daemon.close();
  for (const f of result.failed) process.stderr.write(`error: ${f.service}: ${f.message}\n`);
  if (result.failed.length > 0) return ExitCode.runtimeFailure;
  const d = result.services.find((s) => s.name === service)?.debug;
  if (!d) {
    process.stdout.write(
      `${service}: ${result.actions[service] ?? 'done'}, but no debugger answers (\`devenv logs ${service}\` says why)\n`,
    );
    return ExitCode.runtimeFailure;
  }
  const how =
    d.protocol === 'dap' ? 'debugpy (Debug Adapter Protocol)' : 'the Node inspector (Chrome DevTools Protocol)';
  process.stdout.write(
    `${service}: ${result.actions[service] ?? 'started'} under ${how} on ${d.hostIp}:${d.hostPort}\n` +
      '  attach with VS Code ("devenv" attach configurations: `devenv debug-info --vscode`) or any client of that protocol\n',
  );
  return ExitCode.ok;
}

export interface ResetOptions extends GlobalOptions {
  hard?: boolean;
  soft?: boolean;
  yes?: boolean;
}

/**
 * `devenv reset`: what the TUI's R does. Docker and processes: every service recreated and the
 * project's named volumes deleted. Kubernetes: `--soft` recreates the project's namespace and
 * Applications, `--hard` deletes and recreates the cluster (the registry and its images kept).
 * It says what will be lost and asks; without a terminal it needs `--yes`.
 */
export async function resetCommand(opts: ResetOptions): Promise<number> {
  const ctx = environmentContext(opts, 'reset');
  if (opts.hard && opts.soft) {
    throw new UserError({
      code: 'cli.reset-mode',
      message: '`--hard` and `--soft` were both given',
      hint: 'choose one: `--soft` keeps the cluster, `--hard` recreates it (Kubernetes only)',
    });
  }
  const daemon = await requireDaemon(opts, 'reset');
  try {
    const status = await daemon.connection.sendRequest(Methods.status);
    const kubernetes = status.runtime === 'kubernetes';
    if (opts.soft && !kubernetes) {
      throw new UserError({
        code: 'cli.reset-mode',
        message: `\`--soft\` is a Kubernetes reset; ${ctx.identity.name} runs on ${status.runtime}`,
        hint: 'run `devenv reset` (it recreates every service and deletes the named volumes)',
      });
    }
    const mode: 'soft' | 'hard' = kubernetes ? (opts.hard ? 'hard' : 'soft') : 'hard';
    let loses: string;
    if (kubernetes) {
      loses =
        mode === 'hard'
          ? 'the local cluster is deleted and created again (the registry and its images are kept); every volume in it is lost'
          : `the namespace of ${ctx.identity.name} and its Applications are deleted and created again; their volumes are lost`;
    } else {
      const { declaredVolumes } = await import('../tui/declared-volumes.js');
      const volumes = declaredVolumes(ctx.identity.files, status.project);
      loses =
        volumes === undefined
          ? 'every service is recreated and the named volumes of the project are deleted'
          : volumes.length === 0
            ? 'every service is recreated (the project declares no named volume)'
            : `every service is recreated and these volumes are deleted, with their data: ${volumes.join(', ')}`;
    }
    if (!opts.yes) {
      if (!process.stdin.isTTY) {
        throw new UserError({
          code: 'cli.reset-unconfirmed',
          message: `reset of ${status.project} not confirmed: ${loses}`,
          hint: 'add `--yes` to reset without a question (no terminal here to ask in)',
        });
      }
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(`reset ${status.project}: ${loses}. Continue? [y/N] `);
      rl.close();
      if (!/^y(es)?$/i.test(answer.trim())) {
        process.stdout.write('reset cancelled; nothing changed\n');
        return ExitCode.ok;
      }
    }
    process.stdout.write(`resetting ${status.project} (${kubernetes ? `${mode} reset` : 'services and volumes'})…\n`);
    const result = await daemon.connection.sendRequest(Methods.reset, { mode });
    for (const f of result.failed) process.stderr.write(`error: ${f.service}: ${f.message}\n`);
    for (const s of result.services) process.stdout.write(`  ${s.name.padEnd(12)} ${s.state}\n`);
    return result.failed.length > 0 ? ExitCode.runtimeFailure : ExitCode.ok;
  } finally {
    daemon.close();
  }
}

export async function shutdownCommand(opts: GlobalOptions): Promise<number> {
  const ctx = environmentContext(opts, 'shutdown');
  const daemon = await findDaemon(ctx);
  if (!daemon) {
    process.stdout.write(`no daemon runs for ${ctx.identity.name}\n`);
    return ExitCode.ok;
  }
  await daemon.connection.sendRequest(Methods.shutdown);
  daemon.close();
  process.stdout.write(
    withCommands(`daemon ${daemon.info.pid} stopped; the environment keeps running (\`devenv down\` stops it)\n`),
  );
  return ExitCode.ok;
}
