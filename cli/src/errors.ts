// One top-level handler: user mistakes print what is wrong and how to fix it (exit 1),
// runtime failures print the failure and its hint (exit 2), anything else is a bug and
// prints a report with the stack (exit 2).

import { ExitCode, formatProblem, RuntimeFailure, UserError } from '@devenv/engine';
import { ErrorCodes, type ErrorData, ProtocolMismatchError } from '@devenv/engine/protocol';
import { ResponseError } from 'vscode-jsonrpc';
import { withCommands } from './output/hints.js';

export class ExitError extends Error {
  constructor(readonly exitCode: number) {
    super(`exit ${exitCode}`);
  }
}

export function reportError(err: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  // Every hint names commands the reader can run as printed (output/hints.ts).
  const stderr = { write: (text: string) => stream.write(withCommands(text)) };
  if (err instanceof ExitError) return err.exitCode;
  if (err instanceof UserError) {
    for (const p of err.problems) stderr.write(`${formatProblem(p)}\n`);
    printNextSteps(err.nextSteps, stderr);
    return ExitCode.userError;
  }
  if (err instanceof RuntimeFailure) {
    stderr.write(`error: ${err.message} [${err.code}]\n${err.hint ? `  hint: ${err.hint}\n` : ''}`);
    return ExitCode.runtimeFailure;
  }
  if (err instanceof ProtocolMismatchError) {
    stderr.write(`error: ${err.message}\n  hint: stop the old daemon with \`devenv shutdown\`, then retry\n`);
    return ExitCode.userError;
  }
  if (err instanceof ResponseError) {
    const data = (err.data ?? {}) as ErrorData;
    if (err.code === ErrorCodes.userError && data.problems) {
      for (const p of data.problems) stderr.write(`${formatProblem(p)}\n`);
      printNextSteps(data.nextSteps ?? [], stderr);
      return ExitCode.userError;
    }
    if (err.code === ErrorCodes.versionMismatch) {
      stderr.write(`error: ${err.message}\n${data.hint ? `  hint: ${data.hint}\n` : ''}`);
      return ExitCode.userError;
    }
    stderr.write(
      `error: ${err.message}${data.code ? ` [${data.code}]` : ''}\n${data.hint ? `  hint: ${data.hint}\n` : ''}`,
    );
    return ExitCode.runtimeFailure;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  stderr.write(
    `devenv hit a bug: ${e.message}\n${e.stack ?? ''}\n\nPlease report it with the output above and \`devenv --version\`.\n`,
  );
  return ExitCode.runtimeFailure;
}

function printNextSteps(steps: string[], stderr: { write(text: string): unknown }): void {
  if (steps.length === 0) return;
  stderr.write(`next steps:\n${steps.map((s) => `  ${withCommands(s)}`).join('\n')}\n`);
}
