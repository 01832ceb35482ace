// Signal numbers as names (`9` → `SIGKILL`), for exits a runtime reports as numbers: Docker's
// kill events, and exit codes 128+N as shells and Docker give them.

import { constants } from 'node:os';

const names = new Map<number, string>(
  Object.entries(constants.signals).map(([name, num]) => [num as number, name] as [number, string]),
);

/** `SIGKILL` for 9; undefined for a number that is no signal here. */
export function signalName(signal: number): string | undefined {
  return names.get(signal);
}

/** The signal an exit code says ended the process (128+N), if it says one. */
export function signalOfExitCode(code: number): string | undefined {
  return code > 128 && code <= 128 + 64 ? signalName(code - 128) : undefined;
}
