// What a thrown value says, for a status message or a log line: anything can be thrown, and a
// runtime's message may run to a stack or a page of output.

/** The message of an Error, or the thrown value as text. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The message's first line, cut to `max` characters. */
export function firstLine(err: unknown, max = Number.POSITIVE_INFINITY): string {
  return errorMessage(err).split('\n')[0]!.slice(0, max);
}
