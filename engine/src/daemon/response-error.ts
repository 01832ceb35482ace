// How an error thrown while answering a request reaches the client: a UserError with its
// problems at their positions, a RuntimeFailure with its hint and service, anything else as an
// internal error whose details go to the daemon's log.

import { ResponseError } from 'vscode-jsonrpc/node';
import { type Problem, RuntimeFailure, UserError } from '../errors.js';
import { ErrorCodes, type ErrorData } from '../protocol/protocol.js';
import { errorMessage } from '../shared/error-text.js';

export function toResponseError(err: unknown, log: (line: string) => void, logFile: string): ResponseError<ErrorData> {
  if (err instanceof ResponseError) return err;
  if (err instanceof UserError) {
    return new ResponseError(ErrorCodes.userError, err.message, {
      problems: err.problems.map(toProblemData),
      nextSteps: err.nextSteps,
    });
  }
  if (err instanceof RuntimeFailure) {
    return new ResponseError(ErrorCodes.runtimeFailure, err.message, {
      code: err.code,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.service ? { service: err.service } : {}),
    });
  }
  log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return new ResponseError(-32603, `internal error in the devenv daemon: ${errorMessage(err)}`, {
    hint: `this is a bug; the daemon log has the details: ${logFile}`,
  });
}

function toProblemData(p: Problem) {
  return {
    code: p.code,
    message: p.message,
    ...(p.location ? { location: { file: p.location.file, line: p.location.line, col: p.location.col } } : {}),
    ...(p.hint ? { hint: p.hint } : {}),
  };
}
