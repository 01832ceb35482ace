// Whether a stop signal sent to an instance's process group can do anything. The wrapper (the
// group leader) traps it only to record the command's status, so it does not count; when every
// other member ignores the signal (`trap '' TERM` in a script, SIG_IGN inherited across exec), or
// is a PID namespace's init without a handler for it (`unshare --pid`), waiting out the grace
// period is waiting for nothing: stop sends SIGKILL at once, as on Docker (docs/process-runtime.md).

import type { HostProcesses } from '../../platform/host-processes.js';
import { hearsSignal, signalNumber } from '../../platform/signal-disposition.js';

export async function groupHearsSignal(
  host: HostProcesses,
  pgid: number,
  leader: number,
  signal: string,
): Promise<boolean> {
  const n = signalNumber(signal);
  if (n === undefined) return true;
  const members = (await host.groupMembers(pgid)).filter((p) => p.pid !== leader);
  if (members.length === 0) return true; // only the wrapper left: the command is exiting
  for (const p of members) {
    // Unknown (a platform that cannot read it) counts as heard: the grace period stands.
    const d = await host.signalDisposition(p.pid);
    if (!d || hearsSignal(d, n)) return true;
  }
  return false;
}
