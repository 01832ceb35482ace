// Whether a stop signal sent to an instance's process group can do anything. The wrapper (the
// group leader) traps it only to record the command's status, so it does not count; when every
// other member ignores the signal (`trap '' TERM` in a script, SIG_IGN inherited across exec), or
// is a PID namespace's init without a handler for it (`unshare --pid`), waiting out the grace
// period is waiting for nothing: stop sends SIGKILL at once, as on Docker (docs/process-runtime.md).

import { hearsSignal, readSignalDisposition, signalNumber } from '../../runtime/signal-disposition.js';
import { groupMembers } from './procfs.js';

export async function groupHearsSignal(pgid: number, leader: number, signal: string): Promise<boolean> {
  const n = signalNumber(signal);
  if (n === undefined) return true;
  const members = (await groupMembers(pgid)).filter((p) => p.pid !== leader);
  if (members.length === 0) return true; // only the wrapper left: the command is exiting
  for (const p of members) {
    const d = await readSignalDisposition(p.pid);
    if (!d || hearsSignal(d, n)) return true;
  }
  return false;
}
