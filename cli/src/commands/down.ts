// `devenv down`: through the daemon when one runs; otherwise straight from the runtime's own
// records (labels), so containers left by a crashed daemon are still removed.

import { ExitCode } from '@devenv/engine';
import { Methods } from '@devenv/engine/protocol';
import { findDaemon, type GlobalOptions, projectContext } from '../context.js';
import { localEngine } from '../local-engine.js';

export async function downCommand(opts: GlobalOptions & { volumes?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const daemon = await findDaemon(ctx);
  if (daemon) {
    await daemon.connection.sendRequest(Methods.down, { volumes: opts.volumes ?? false, shutdown: true });
    daemon.close();
  } else {
    const { engine, project } = await localEngine(ctx, opts.runtime ?? 'auto');
    engine.bus.subscribe((e) => {
      if (e.kind === 'log' && e.stream === 'system') process.stdout.write(`${e.service}: ${e.line}\n`);
    });
    await engine.down(project, { volumes: opts.volumes ?? false });
    await engine.close();
  }
  process.stdout.write(`${ctx.identity.name}: down${opts.volumes ? ' (volumes removed)' : ''}\n`);
  return ExitCode.ok;
}
