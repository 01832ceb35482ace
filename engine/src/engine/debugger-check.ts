// After a service settles, its debugger must answer through its published port (a DAP
// `initialize`, or the inspector's /json/version). A service that exits at once (debugpy
// missing from the image) fails with the fix; one that runs but whose debugger cannot be
// reached gets a warning in its log.

import { type DebugProblem, diagnoseDebugFailure, probeDebugger } from '../debug/index.js';
import { RuntimeFailure } from '../errors.js';
import type { RuntimeKind } from '../model/spec.js';
import { sleep } from '../shared/timing.js';
import type { LogFollower } from './log-follower.js';
import { liveStates, type ServiceRecord } from './status-store.js';

const probeForMs = 20_000;

export async function checkDebugger(
  rec: ServiceRecord,
  logs: LogFollower,
  log: (service: string, line: string) => void,
  runtime: RuntimeKind,
): Promise<void> {
  const endpoint = rec.status.debug;
  if (!endpoint || rec.status.state === 'completed') return;
  const deadline = Date.now() + probeForMs;
  let reason = 'not probed';
  while (Date.now() < deadline) {
    const probe = await probeDebugger(endpoint, 1_000);
    if (probe.ok) return;
    reason = probe.reason;
    if (!liveStates.includes(rec.status.state)) break;
    await sleep(200);
  }
  const problem = await debugProblem(rec, reason, logs, runtime);
  if (problem) throw new RuntimeFailure(problem.code, problem.message, { service: rec.spec.name, hint: problem.hint });
  log(
    rec.spec.name,
    `debugger: nothing answers on ${endpoint.hostIp}:${endpoint.hostPort} (${reason}); if the program starts its own debugger, it must listen on 0.0.0.0 inside the container`,
  );
}

/** A known debugger failure in the error or the instance's last log lines, if the service has a debugger. */
export async function debugProblem(
  rec: ServiceRecord,
  error: string,
  logs: LogFollower,
  runtime: RuntimeKind,
): Promise<DebugProblem | undefined> {
  const debug = rec.status.debug;
  if (!debug) return undefined;
  const lines = [error, ...(rec.instanceId ? await logs.tail(rec.instanceId, 50, 5_000) : [])];
  return diagnoseDebugFailure(rec.spec.name, debug.type, lines, runtime);
}
