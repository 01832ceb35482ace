// `devenv down`: through the daemon when one runs; otherwise straight from the runtime's own
// records (labels), so containers left by a crashed daemon are still removed.

import { ExitCode } from '@devenv/engine';
import { forgetEnvironment, Methods } from '@devenv/engine/protocol';
import { environmentContext, findDaemon, type GlobalOptions } from '../context.js';
import { localEngine } from '../local-engine.js';

export async function downCommand(opts: GlobalOptions & { volumes?: boolean }): Promise<number> {
  const ctx = environmentContext(opts, 'down');
  const daemon = await findDaemon(ctx);
  if (daemon) {
    await daemon.connection.sendRequest(Methods.down, { volumes: opts.volumes ?? false, shutdown: true });
    daemon.close();
  } else {
    const { engine, project } = await localEngine(ctx, ctx.runtime);
    engine.bus.subscribe((e) => {
      if (e.kind === 'log' && e.stream === 'system') process.stdout.write(`${e.service}: ${e.line}\n`);
    });
    await engine.down(project, { volumes: opts.volumes ?? false });
    await engine.close();
    // The daemon forgets the environment itself when it takes it down.
    forgetEnvironment(ctx.identity);
  }
  process.stdout.write(`${ctx.identity.name}: down${opts.volumes ? ' (volumes removed)' : ''}\n`);
  return ExitCode.ok;
}
