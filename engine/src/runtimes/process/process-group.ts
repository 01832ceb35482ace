// One instance's process group: spawning its wrapper (detached, logging straight to a file, its
// exit status to another), signalling the group only while its leader is verifiably the process
// we started, waiting for it to go, and killing whatever still carries the instance's token.

import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { now } from '../../model/events.js';
import { checkProcess, type HostProcesses, type ProcessInfo } from '../../platform/host-processes.js';
import { type InstanceRecord, TOKEN_VAR } from './instance-record.js';
import type { RunAs } from './run-as.js';
import { WRAPPER_SHELL, wrapperArgs } from './wrapper.js';

export interface SpawnedWrapper {
  child: ChildProcess;
  pid: number;
  /** The leader's start time as the platform reports it, read before Node could reap it. */
  startTime: string;
}

/**
 * Spawn the wrapper as the leader of a new session and group: stdin from /dev/null, stdout and
 * stderr appended to the log, fd 3 the exit-status file. Nothing ties it to this process.
 */
export function spawnWrapper(
  host: HostProcesses,
  opts: {
    service: string;
    argv: string[];
    cwd: string;
    env: Record<string, string>;
    logPath: string;
    exitFile: string;
    runAs: RunAs | undefined;
  },
): SpawnedWrapper | { error: Promise<Error> } {
  const logFd = openSync(opts.logPath, 'a', 0o600);
  const exitFd = openSync(opts.exitFile, 'w', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(WRAPPER_SHELL, wrapperArgs(opts.service, opts.argv), {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', logFd, logFd, exitFd],
      ...(opts.runAs ? { uid: opts.runAs.uid, gid: opts.runAs.gid } : {}),
    });
  } finally {
    closeSync(logFd);
    closeSync(exitFd);
  }
  const pid = child.pid;
  if (pid === undefined) return { error: new Promise<Error>((res) => child.once('error', res)) };
  // Read synchronously: an awaited read lets Node reap a child that exited at once.
  const startTime = host.infoSync(pid)?.startTime ?? '';
  child.unref();
  return { child, pid, startTime };
}

/** Signal the instance's whole group, but only while its leader is the process we started. */
export async function signalGroup(host: HostProcesses, rec: InstanceRecord, signal: NodeJS.Signals): Promise<void> {
  if (rec.pgid === undefined || !(await leaderAlive(host, rec))) return;
  try {
    process.kill(-rec.pgid, signal);
  } catch {
    // ESRCH: gone meanwhile.
  }
}

/** Is the run's leader still the process we started? */
export async function leaderAlive(host: HostProcesses, rec: InstanceRecord): Promise<boolean> {
  if (rec.pid === undefined || rec.startTime === undefined) return false;
  return (await checkProcess(host, rec.pid, rec.startTime)) === 'alive';
}

export async function waitGone(host: HostProcesses, rec: InstanceRecord, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!(await leaderAlive(host, rec))) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(50, Math.max(1, deadline - Date.now())));
  }
}

/** Kill every process still carrying the token (left in the group, or escaped with setsid). */
export async function killLeftovers(host: HostProcesses, token: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const procs = await host.withEnv(TOKEN_VAR, token);
    if (procs.length === 0) return;
    await killProcesses(host, procs);
    await sleep(50);
  }
}

/** SIGKILL processes found in a scan, each only if it is still the same process (start time). */
export async function killProcesses(host: HostProcesses, procs: ProcessInfo[]): Promise<void> {
  for (const p of procs) {
    if ((await checkProcess(host, p.pid, p.startTime)) !== 'alive') continue;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Wall-clock start of a process found running (an adopted instance's `startedAt`). */
export async function startedAtOf(host: HostProcesses, p: ProcessInfo): Promise<string> {
  return ((await host.startedAt(p)) ?? new Date(now())).toISOString();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
