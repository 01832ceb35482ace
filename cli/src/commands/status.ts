// `devenv status [--json]`: the daemon's live view, or one look at the runtime when none runs.

import { ExitCode, type ProjectStatus } from '@devenv/engine';
import { Methods } from '@devenv/engine/protocol';
import { environmentContext, findDaemon, type GlobalOptions } from '../context.js';
import { localEngine } from '../local-engine.js';
import { formatStatus } from '../output/status-table.js';

export async function statusCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const ctx = environmentContext(opts, 'status');
  let status: ProjectStatus;
  const daemon = await findDaemon(ctx);
  if (daemon) {
    status = await daemon.connection.sendRequest(Methods.status);
    daemon.close();
  } else {
    const { engine, project } = await localEngine(ctx, ctx.runtime);
    status = await engine.attach(project, { watch: false });
    await engine.close();
  }
  process.stdout.write(formatStatus(status, opts.json ?? false));
  return ExitCode.ok;
}
