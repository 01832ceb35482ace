// The wrapper every service runs under: a POSIX shell (≈1.7 MB RSS, ~100 kB of it private) that
// leads the process group, runs the command, and writes its exit status to fd 3 (a file the
// runtime opened before spawning). That is how an adopted instance's exit code is known after
// the daemon that started it died. The shell traps the catchable signals with a no-op so it
// outlives a group-wide stop signal and can still record the command's status; the command
// itself gets default signal handling (traps are reset on exec). So a wrapper that vanished
// without writing fd 3 was killed by SIGKILL (OOM killer, `kill -9`): reported as 137.

import { constants } from 'node:os';

export const WRAPPER_SHELL = '/bin/sh';

export const WRAPPER_SCRIPT = [
  'trap : HUP INT QUIT TERM USR1 USR2 ALRM PIPE',
  '"$@" 3>&-',
  'status=$?',
  'echo "$status" >&3',
  'exit "$status"',
].join('\n');

/** `$0` of the wrapper: marks it in `ps` and lets a crashed spawn find it again. */
export function wrapperMarker(service: string): string {
  return `devenv:${service}`;
}

/**
 * Is this command line (arguments joined by spaces, as ps shows it) the wrapper of `service`?
 * Its `$0` stands alone after the script: `/bin/sh -c <script> devenv:<service> <command…>`.
 */
export function isWrapperOf(commandLine: string | undefined, service: string): boolean {
  if (!commandLine) return false;
  const marker = ` ${wrapperMarker(service)}`;
  for (let at = commandLine.indexOf(marker); at >= 0; at = commandLine.indexOf(marker, at + 1)) {
    const after = commandLine[at + marker.length];
    if (after === undefined || after === ' ') return true;
  }
  return false;
}

export function wrapperArgs(service: string, argv: string[]): string[] {
  return ['-c', WRAPPER_SCRIPT, wrapperMarker(service), ...argv];
}

/** Exit status as a shell reports it: a signal N is 128 + N (Docker reports the same). */
export function exitStatus(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal ? constants.signals[signal] : undefined;
  return n === undefined ? 128 : 128 + n;
}

export const SIGKILL_STATUS = 128 + constants.signals.SIGKILL;

/** `SIGINT`, `INT`, `sigint` or `2` → `SIGINT`; anything unknown → undefined. */
export function normaliseSignal(value: string | undefined): NodeJS.Signals | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toUpperCase();
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    const entry = Object.entries(constants.signals).find(([, num]) => num === n);
    return entry ? (entry[0] as NodeJS.Signals) : undefined;
  }
  const name = v.startsWith('SIG') ? v : `SIG${v}`;
  return name in constants.signals ? (name as NodeJS.Signals) : undefined;
}
