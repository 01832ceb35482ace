// What the engine reads about the host's processes and sockets, behind one small interface: a
// process's identity (pid + start time, so a reused pid is never taken for ours), its group,
// the processes carrying an environment token, its command line, the ports a set of processes
// listens on, and who holds a port. Two implementations: Linux /proc (procfs-processes.ts), and
// a portable one built on `ps` and `lsof` (portable-processes.ts) for macOS and other Unixes.
// The process runtime, the Docker runtime's early health and `devenv doctor` use it; none of
// them reads /proc itself. Chosen by platform; DEVENV_PLATFORM=procfs|portable forces one.

import { existsSync } from 'node:fs';
import { PortableProcesses } from './portable-processes.js';
import { ProcfsProcesses } from './procfs-processes.js';
import type { SignalDisposition } from './signal-disposition.js';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Process group id. */
  pgrp: number;
  /** R, S, D, Z (zombie), T, X (dead) … */
  state: string;
  /**
   * When it started, as this implementation tells it (/proc: clock ticks after boot; portable:
   * `ps:<unix seconds>`). Compare only with `sameStart` of the same implementation.
   */
  startTime: string;
  /** The executable's name (short; may hold spaces). */
  comm: string;
}

export interface ListeningSocket {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
}

export interface PortHolder {
  pid: number;
  command: string;
  address: string;
}

export type Liveness = 'alive' | 'gone' | 'reused';

export type PlatformKind = 'procfs' | 'portable';

export interface HostProcesses {
  readonly kind: PlatformKind;
  /** Undefined when it can work here; else why not and what to do, in one line each. */
  unavailable(): Promise<{ reason: string; hint: string } | undefined>;
  info(pid: number): Promise<ProcessInfo | undefined>;
  /** Synchronous, for the moment right after a spawn: an awaited read lets Node reap a child that exited at once. */
  infoSync(pid: number): ProcessInfo | undefined;
  /** Is `startTime` (recorded earlier by this implementation) the start of `current`? */
  sameStart(recorded: string, current: string): boolean;
  /** Wall-clock start of a process (for an adopted instance's `startedAt`). */
  startedAt(p: ProcessInfo): Promise<Date | undefined>;
  /** Live processes whose environment holds `name=value` exactly (not this process). */
  withEnv(name: string, value: string): Promise<ProcessInfo[]>;
  /** Live members of a process group. */
  groupMembers(pgid: number): Promise<ProcessInfo[]>;
  /**
   * Which signals a process catches, ignores or blocks (`/proc/<pid>/status`); undefined when this
   * platform cannot say (`ps` does not show it), and then a stop waits its grace period.
   */
  signalDisposition(pid: number): Promise<SignalDisposition | undefined>;
  /** The command line, its arguments joined by spaces. */
  commandLine(pid: number): Promise<string | undefined>;
  /** Sockets held by any of `pids` that listen (TCP LISTEN, UDP without a peer). */
  listeningSockets(pids: number[]): Promise<ListeningSocket[]>;
  /**
   * TCP ports listened on by the process and the processes around it (/proc: its whole network
   * namespace, a container's; portable: it and its descendants); undefined when it is not seen.
   */
  tcpPortsAround(pid: number): Promise<Set<number> | undefined>;
  /** Who listens on a TCP port on this machine. */
  portHolders(port: number): Promise<PortHolder[]>;
}

/** Is the process we recorded (pid + start time) still the one running under that pid? */
export function livenessOf(
  host: Pick<HostProcesses, 'sameStart'>,
  p: ProcessInfo | undefined,
  startTime: string,
): Liveness {
  if (!p) return 'gone';
  if (!host.sameStart(startTime, p.startTime)) return 'reused';
  // A zombie has exited; only its parent's wait() is missing.
  return p.state === 'Z' || p.state === 'X' ? 'gone' : 'alive';
}

export async function checkProcess(host: HostProcesses, pid: number, startTime: string): Promise<Liveness> {
  return livenessOf(host, await host.info(pid), startTime);
}

/** Addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

export function platformKind(env: NodeJS.ProcessEnv = process.env): PlatformKind {
  const forced = env.DEVENV_PLATFORM;
  if (forced === 'procfs' || forced === 'portable') return forced;
  return process.platform === 'linux' && existsSync('/proc/self/stat') ? 'procfs' : 'portable';
}

const shared = new Map<PlatformKind, HostProcesses>();

/** The implementation for this machine (or the one DEVENV_PLATFORM / `kind` asks for). */
export function hostProcesses(kind: PlatformKind = platformKind()): HostProcesses {
  let host = shared.get(kind);
  if (!host) {
    host = kind === 'procfs' ? new ProcfsProcesses() : new PortableProcesses();
    shared.set(kind, host);
  }
  return host;
}
