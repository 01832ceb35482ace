// `devenv status [--json]`: the daemon's live view, or one look at the runtime when none runs.

import { ExitCode } from '@devenv/engine';
import { environmentContext, type GlobalOptions } from '../context.js';
import { currentStatus } from '../local-engine.js';
import { formatStatus } from '../output/status-table.js';

export async function statusCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const ctx = environmentContext(opts, 'status');
  const status = await currentStatus(ctx, ctx.runtime);
  process.stdout.write(formatStatus(status, opts.json ?? false));
  return ExitCode.ok;
}
