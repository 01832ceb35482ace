// A daemon error as one line a person can act on: the first problem with its `file:line:col`
// and hint, as the CLI prints it (ResponseError.data carries the protocol's ErrorData).

import type { ErrorData } from '@devenv/engine/protocol';

export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const data = (err as { data?: ErrorData }).data;
  const problems = data?.problems ?? [];
  const first = problems[0];
  if (first) {
    const where = first.location ? `${first.location.file}:${first.location.line}:${first.location.col}: ` : '';
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    return `${where}${first.message}${first.hint ? ` (hint: ${first.hint})` : ''}${more}`;
  }
  return data?.hint ? `${err.message} (hint: ${data.hint})` : err.message;
}
