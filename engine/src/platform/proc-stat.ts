// Parsing Linux /proc text: `/proc/<pid>/stat` (a process's identity and group) and a process's
// NUL-separated environment block. Pure, tested with real-world lines.

import type { ProcessInfo } from './host-processes.js';

/**
 * Parse `/proc/<pid>/stat`. The second field is `(comm)` and comm may contain spaces and `)`,
 * so the fields after it are found from the LAST `)` in the line.
 */
export function parseProcStat(text: string): ProcessInfo | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields 3… follow ") "; rest[0] is field 3.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  if (!Number.isInteger(pid) || rest.length < 20) return undefined;
  const field = (n: number) => rest[n - 3]!;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: field(3),
    ppid: Number(field(4)),
    pgrp: Number(field(5)),
    // Field 22: clock ticks after boot at which the process started. Kept as text, compared exactly.
    startTime: field(22),
  };
}

/** True when the NUL-separated environment block holds `name=value` as a whole entry. */
export function environHas(environ: Buffer, name: string, value: string): boolean {
  const needle = Buffer.from(`${name}=${value}\0`);
  for (let at = environ.indexOf(needle); at >= 0; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}
