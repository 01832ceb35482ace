// How a run ended, in the engine's words. An exit code alone never says `completed`: a server
// that handles SIGTERM (uvicorn, postgres, a Python program with a handler) exits 0 when
// `docker stop` or a Docker daemon restart stops it. So what stopped it decides first:
//   devenv itself                         → stopped
//   the kernel's OOM killer               → killed (OOM)
//   its engine going away (the outage)    → stopped (its engine went away)
//   a signal asked for from outside       → stopped (`docker stop`), killed (`docker kill`: SIGKILL)
//   a SIGKILL read from the exit code     → killed
// and only then the code: 0 is a one-shot that ran to its end (`completed`), anything else
// `exited` (with the signal when the code says one, e.g. SIGSEGV).

import type { ExitDetail } from '../model/status.js';
import type { InstanceState } from '../runtime-interface/runtime.js';
import { signalOfExitCode } from '../shared/signals.js';

export interface ExitContext {
  /** devenv itself stopped it (stop, restart, down, replace). */
  stoppedByEngine: boolean;
  /**
   * The runtime's engine was away from `from` (last seen answering) to `to` (answering again;
   * absent while still away), in ms since the epoch: a run that ended in between was ended by it.
   */
  outage?: { from: number; to?: number } | undefined;
}

export interface ClassifiedExit {
  state: 'completed' | 'exited' | 'killed' | 'stopped';
  exit: ExitDetail;
  /** A reason shown beside the state, when there is one to give. */
  message?: string;
}

export function classifyExit(s: InstanceState, ctx: ExitContext): ClassifiedExit {
  const code = s.exitCode ?? 0;
  const fromCode = signalOfExitCode(code);
  if (ctx.stoppedByEngine) return { state: 'stopped', exit: { code, by: 'engine' } };
  if (s.oomKilled) {
    return {
      state: 'killed',
      exit: { code, oomKilled: true, ...(fromCode ? { signal: fromCode } : {}) },
      message: 'out of memory: the kernel’s OOM killer ended it (raise its memory limit, or find the leak)',
    };
  }
  if (endedDuring(s, ctx.outage)) {
    return {
      state: 'stopped',
      exit: { code, by: 'runtime-restart' },
      message: 'its engine went away; devenv brings it back when the engine answers',
    };
  }
  if (s.signalled === 'SIGKILL') {
    return {
      state: 'killed',
      exit: { code, signal: 'SIGKILL', by: 'request' },
      message: 'killed from outside devenv (SIGKILL)',
    };
  }
  if (s.signalled) {
    return {
      state: 'stopped',
      exit: { code, signal: s.signalled, by: 'request' },
      message: `stopped from outside devenv (${s.signalled}); \`devenv up\` starts it again`,
    };
  }
  if (fromCode === 'SIGKILL') return { state: 'killed', exit: { code, signal: fromCode }, message: 'killed (SIGKILL)' };
  if (code === 0) return { state: 'completed', exit: { code } };
  return { state: 'exited', exit: fromCode ? { code, signal: fromCode } : { code } };
}

/** Whether the run ended while the runtime's engine was away (no end time while still away: assume so). */
function endedDuring(s: InstanceState, outage: ExitContext['outage']): boolean {
  if (!outage) return false;
  const finished = s.finishedAt ? Date.parse(s.finishedAt) : Number.NaN;
  if (Number.isNaN(finished)) return outage.to === undefined;
  return finished >= outage.from && (outage.to === undefined || finished <= outage.to);
}
