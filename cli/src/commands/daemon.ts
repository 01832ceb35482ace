// `devenv daemon` (internal): run the project's engine daemon in the foreground. Clients start
// it detached; it exits at once (status 0) when another daemon already serves the project.

import { ExitCode } from '@devenv/engine';
import { daemonPaths } from '@devenv/engine/protocol';
import { type GlobalOptions, projectContext } from '../context.js';

export async function daemonCommand(opts: GlobalOptions): Promise<number> {
  const ctx = projectContext(opts);
  const { Daemon, parseRuntimeChoice } = await import('@devenv/engine/engine');
  const daemon = new Daemon({
    identity: ctx.identity,
    paths: daemonPaths(ctx.identity),
    runtime: parseRuntimeChoice(opts.runtime ?? 'auto'),
  });
  if (!(await daemon.start())) return ExitCode.ok;
  const stop = (signal: string) => {
    daemon.log(`received ${signal}; the environment keeps running`);
    void daemon.close().then(() => process.exit(ExitCode.ok));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('uncaughtException', (err) => {
    daemon.log(`uncaught exception: ${err.stack ?? err.message}`);
  });
  process.on('unhandledRejection', (err) => {
    daemon.log(`unhandled rejection: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  });
  await new Promise(() => undefined);
  return ExitCode.ok;
}
