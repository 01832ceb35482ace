// `devenv version [--json]`: this CLI's version and the daemon protocol it speaks. The VS Code
// extension asks a `devenv` on PATH for `--json` to decide whether it can use it.

import { ExitCode } from '@devenv/engine';
import { PROTOCOL_VERSION } from '@devenv/engine/protocol';
import { CLI_VERSION } from '../context.js';

export async function versionCommand(opts: { json?: boolean }): Promise<number> {
  process.stdout.write(
    opts.json ? `${JSON.stringify({ version: CLI_VERSION, protocol: PROTOCOL_VERSION })}\n` : `${CLI_VERSION}\n`,
  );
  return ExitCode.ok;
}
