// When and how soon the supervisor restarts an instance that stopped on its own (Compose's restart
// policies; the engine applies them for every runtime, see supervisor.ts).

import type { RestartPolicy } from '../model/spec.js';

export function shouldRestart(policy: RestartPolicy, exitCode: number, restartsSoFar: number): boolean {
  switch (policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return exitCode !== 0 && (policy.maxRetries === undefined || restartsSoFar < policy.maxRetries);
    case 'no':
      return false;
  }
}

/** Exponential backoff for consecutive quick crashes: 0.5 s, 1 s, 2 s … capped at 30 s. */
export function restartDelayMs(consecutiveCrashes: number): number {
  return Math.min(30_000, 500 * 2 ** Math.max(0, consecutiveCrashes - 1));
}
