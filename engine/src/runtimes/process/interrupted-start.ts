// What a daemon that died mid-start left behind: a record naming a token (written before the
// spawn) but no pid, or one stuck in `initialising`. The token in the processes' environments
// tells what happened: the wrapper found (a group leader with the `devenv:<service>` marker) →
// adopt it; an init found → it was interrupted: kill it (init runs again at the next start);
// nothing → never spawned: still `created` (or `exited`, if the wrapper got to write its code).

import { now } from '../../model/events.js';
import type { HostProcesses } from '../../platform/host-processes.js';
import { type InstanceRecord, type RecordStore, TOKEN_VAR } from './instance-record.js';
import { killProcesses, startedAtOf } from './process-group.js';
import { isWrapperOf } from './wrapper.js';

export async function resolveInterruptedStart(
  host: HostProcesses,
  records: RecordStore,
  rec: InstanceRecord,
): Promise<'running' | 'exited' | 'created'> {
  const procs = await host.withEnv(TOKEN_VAR, rec.token);
  if (rec.status === 'starting' || rec.status === 'running') {
    for (const p of procs) {
      if (p.pid !== p.pgrp) continue;
      if (!isWrapperOf(await host.commandLine(p.pid), rec.service)) continue;
      rec.status = 'running';
      rec.pid = p.pid;
      rec.pgid = p.pgrp;
      rec.startTime = p.startTime;
      rec.startedAt = await startedAtOf(host, p);
      await records.write(rec);
      return 'running';
    }
  }
  const code = await records.readExitCode(rec.service, rec.token);
  await killProcesses(host, procs);
  if (code !== undefined && rec.status === 'starting') {
    rec.status = 'exited';
    rec.exitCode = code;
    rec.finishedAt = now();
    await records.write(rec);
    return 'exited';
  }
  rec.status = 'created';
  await records.write(rec);
  return 'created';
}
