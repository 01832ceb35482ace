// `devenv status [--json]`: the daemon's live view, or one look at the runtime when none runs.

import { ExitCode } from '@devenv/engine';
import { type GlobalOptions, projectContext } from '../context.js';
import { currentStatus } from '../local-engine.js';
import { formatStatus } from '../output/status-table.js';

export async function statusCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const status = await currentStatus(ctx, opts.runtime ?? 'auto');
  process.stdout.write(formatStatus(status, opts.json ?? false));
  return ExitCode.ok;
}
