// How long `docker stop` may wait before its SIGKILL. Compose's rule (the stop signal, then the
// grace period) except when the signal cannot do anything: a container's PID 1 is its PID
// namespace's init, and the kernel drops every signal it has no handler for, so a `python3
// worker.py` without a SIGTERM handler would make every stop and restart wait the whole
// `stop_grace_period` (10 s) for nothing. Then the grace is 0: the signal, then SIGKILL at once.
//
// PID 1's dispositions come from /proc/<host pid>/status when this host's /proc shows the
// container (checked: that process's cgroup names the container), else from `cat /proc/1/status`
// run in the container. When neither answers, the grace period stands.

import { readFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import {
  hearsSignal,
  parseProcStatus,
  readSignalDisposition,
  type SignalDisposition,
  signalNumber,
} from '../../platform/signal-disposition.js';
import { LogDecoder } from '../shared/log-decoder.js';

/** The grace period in ms: `timeoutMs`, or 0 when PID 1 cannot hear the container's stop signal. */
export async function stopGraceMs(
  container: Dockerode.Container,
  timeoutMs: number,
  procRoot = '/proc',
): Promise<number> {
  if (timeoutMs <= 0) return 0;
  let info: Dockerode.ContainerInspectInfo;
  try {
    info = await container.inspect();
  } catch {
    return timeoutMs;
  }
  if (!info.State.Running || info.State.Paused) return timeoutMs;
  // StopSignal is in the API's inspect answer, though not in dockerode's type.
  const signal = signalNumber((info.Config as { StopSignal?: string }).StopSignal || 'SIGTERM');
  if (signal === undefined) return timeoutMs;
  const disposition =
    (await fromHost(info.Id, info.State.Pid, procRoot)) ?? (await fromContainer(container).catch(() => undefined));
  return !disposition || hearsSignal(disposition, signal) ? timeoutMs : 0;
}

/** PID 1 seen from this host, when the pid Docker reports is that container's process here. */
async function fromHost(id: string, pid: number, procRoot: string): Promise<SignalDisposition | undefined> {
  if (!pid) return undefined;
  try {
    // Docker Desktop, colima and remote engines report pids of another machine: make sure.
    const cgroup = await readFile(`${procRoot}/${pid}/cgroup`, 'utf8');
    if (!cgroup.includes(id)) return undefined;
    return await readSignalDisposition(pid, procRoot);
  } catch {
    return undefined;
  }
}

/** PID 1 seen from inside (an image without `cat` gives nothing). */
async function fromContainer(container: Dockerode.Container): Promise<SignalDisposition | undefined> {
  const exec = await container.exec({ Cmd: ['cat', '/proc/1/status'], AttachStdout: true, AttachStderr: false });
  const stream = await exec.start({ hijack: true, stdin: false });
  const decoder = new LogDecoder(true);
  const lines: string[] = [];
  const timer = setTimeout(() => stream.destroy(), 2_000);
  try {
    for await (const chunk of stream as unknown as AsyncIterable<Buffer>) {
      for (const l of decoder.push(chunk)) lines.push(l.line);
    }
  } finally {
    clearTimeout(timer);
  }
  for (const l of decoder.flush()) lines.push(l.line);
  return parseProcStatus(lines.join('\n'));
}
