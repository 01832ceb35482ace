// Early health probing. Docker 20.10 runs a container's first healthcheck only after a full
// `interval` (10 s for a Celery worker), and has no `start_interval` (Docker 25+). While a
// container is starting, devenv runs the same healthcheck command itself with `docker exec`;
// the first success makes the service healthy at once, so dependents start seconds earlier.
// Docker's own verdict still wins as soon as it has one.
//
// A probe is not free: a Celery `inspect ping` imports Celery and the app (~1.2 s of CPU when
// the stack starts beside it; one sent before the worker subscribed then waits out its whole
// timeout), a `node -e fetch(…)` starts Node (~0.5 s under the same load). Probing on a clock,
// or at every sign of life, while a whole stack starts on two cores took CPU from the very
// services being waited for (measured: ten probes, ~13 s of CPU, in a 20 s warm `up`). So a
// probe waits for a sign that the service may have become ready:
//   - it printed something and then went quiet (a server prints "ready" last; a banner of
//     twenty lines is one sign, not twenty), or it began listening on one of its own ports
//     (read through the platform, /proc/<pid>/net/tcp* on Linux, where the engine shares our
//     kernel: on macOS the container's pid is one in Docker Desktop's VM, so not there; a debugger's port,
//     labelled by debugger injection, and ports nobody declared, such as debugpy's own, do not
//     count): a probe then, even beside one still in flight (that one began before the sign
//     and may be waiting out its timeout);
//   - otherwise one probe at a time on a slow clock: the first half an interval after the start,
//     then eight times what the last probe took (at least 2 s, at most the healthcheck's
//     interval), so a silent service still turns healthy no later than Docker says so.

import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { DEBUG_PORT_LABEL } from '../../model/spec.js';
import { type HostProcesses, hostProcesses } from '../../platform/host-processes.js';

export interface EarlyProbeTarget {
  containerId: string;
  /** Docker form: ['CMD', ...argv] or ['CMD-SHELL', script]. */
  test: string[];
  timeoutMs: number;
  /** The healthcheck's interval: the longest the clock waits between probes. */
  intervalMs: number;
  /** Stop probing after this long: Docker's own checks have decided by then. */
  budgetMs: number;
}

export type ProbeVerdict = 'passed' | 'gave-up' | 'cancelled';

export function probeCommand(test: string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest.length > 0 ? rest : undefined;
  if (kind === 'CMD-SHELL') return rest.length > 0 ? ['/bin/sh', '-c', rest.join(' ')] : undefined;
  return undefined;
}

export interface ProbeScheduleOptions {
  /**
   * At most this many probes at once. Clock probes never overlap; the rest are for fresh progress
   * while older probes wait out their timeouts (two Celery pings sent before the worker subscribed
   * hang for the healthcheck's whole timeout, measured: 10 s; the one sent at "ready." answers).
   */
  maxInFlight: number;
  /** Shortest gap between two probe starts. */
  minSpacingMs: number;
  /** A sign of progress is acted on once the output has been quiet this long… */
  quietMs: number;
  /** …or this long after the first sign, for a service that never stops printing. */
  maxQuietWaitMs: number;
  /**
   * The clock's first probe comes this long after the start (a service that printed nothing yet
   * is still starting: a Celery worker under debugpy is silent for seconds while it imports);
   * later ones `gapFactor` × the last probe's duration after it, clamped to [minGapMs, maxGapMs].
   */
  firstGapMs: number;
  gapFactor: number;
  minGapMs: number;
  maxGapMs: number;
}

/**
 * When to begin the next probe: pure bookkeeping over a clock the caller passes in, so it is
 * tested without timers. `next(now)` answers ms to wait (0: now), or undefined: wait for an event.
 */
export class ProbeSchedule {
  private inFlight = 0;
  private lastStart: number;
  private lastDuration = 0;
  private probed = false;
  /** Progress seen since the last probe began: when it was first and last seen. */
  private progress: { first: number; last: number } | undefined;

  constructor(
    private readonly opts: ProbeScheduleOptions,
    startedAt: number,
  ) {
    this.lastStart = startedAt;
  }

  /** The container showed progress (printed, or opened one of its ports). */
  activity(now: number): void {
    if (this.progress) this.progress.last = now;
    else this.progress = { first: now, last: now };
  }

  started(now: number): void {
    this.probed = true;
    this.inFlight++;
    this.lastStart = now;
    this.progress = undefined;
  }

  finished(durationMs: number): void {
    this.inFlight--;
    this.lastDuration = durationMs;
  }

  next(now: number): number | undefined {
    if (this.inFlight >= this.opts.maxInFlight) return undefined;
    const { quietMs, maxQuietWaitMs, minSpacingMs } = this.opts;
    if (this.progress) {
      const settled = Math.min(this.progress.last + quietMs, this.progress.first + maxQuietWaitMs);
      return Math.max(0, settled - now, this.lastStart + minSpacingMs - now);
    }
    if (this.inFlight > 0) return undefined; // clock probes never overlap
    const { firstGapMs, minGapMs, maxGapMs, gapFactor } = this.opts;
    const gap = this.probed ? Math.min(maxGapMs, Math.max(minGapMs, gapFactor * this.lastDuration)) : firstGapMs;
    return Math.max(0, this.lastStart + gap - now);
  }
}

/**
 * TCP ports listened on in the network namespace of `pid` (a container's PID 1, as the engine
 * reports it): only where containers are processes of this very kernel (Linux).
 */
export async function listeningPortsOf(
  pid: number,
  host: HostProcesses = hostProcesses(),
  platform: NodeJS.Platform = process.platform,
): Promise<Set<number> | undefined> {
  if (platform !== 'linux') return undefined;
  return host.tcpPortsAround(pid);
}

/**
 * The container ports whose opening counts as progress: the TCP ports it exposes (the file's
 * `ports`, the image's EXPOSE) except the debugger's.
 */
export function ownPorts(exposed: Record<string, unknown> | undefined, labels: Record<string, string> | undefined) {
  const debugPort = Number(labels?.[DEBUG_PORT_LABEL]);
  const out = new Set<number>();
  for (const key of Object.keys(exposed ?? {})) {
    const [port, proto = 'tcp'] = key.split('/');
    const n = Number(port);
    if (proto === 'tcp' && Number.isInteger(n) && n !== debugPort) out.add(n);
  }
  return out;
}

const SCHEDULE: Omit<ProbeScheduleOptions, 'maxGapMs' | 'firstGapMs'> = {
  maxInFlight: 2,
  minSpacingMs: 750,
  quietMs: 300,
  maxQuietWaitMs: 2000,
  gapFactor: 8,
  minGapMs: 2000,
};
const socketPollMs = 200;
/** How often to ask the engine whether the container still runs and what Docker says of its health. */
const inspectMs = 500;

/**
 * Probe until the check passes, Docker decides on its own, the container stops, or the budget
 * runs out. Resolves with what happened; never throws.
 */
export async function probeEarly(
  docker: Dockerode,
  target: EarlyProbeTarget,
  signal: AbortSignal,
): Promise<ProbeVerdict> {
  const cmd = probeCommand(target.test);
  if (!cmd) return 'gave-up';
  const container = docker.getContainer(target.containerId);
  const deadline = Date.now() + target.budgetMs;
  const schedule = new ProbeSchedule(
    {
      ...SCHEDULE,
      // Half the interval: still well before Docker's own first check, which waits a whole one.
      firstGapMs: Math.max(SCHEDULE.minGapMs, target.intervalMs / 2),
      maxGapMs: Math.max(SCHEDULE.minGapMs, target.intervalMs),
    },
    Date.now(),
  );

  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
  };
  signal.addEventListener('abort', poke);

  // Progress: log output, and the container's own ports beginning to listen.
  let logs: Readable | undefined;
  try {
    logs = (await container.logs({ follow: true, stdout: true, stderr: true, tail: 0 })) as unknown as Readable;
    logs.on('data', () => {
      schedule.activity(Date.now());
      poke();
    });
    logs.on('error', () => undefined);
  } catch {
    // no log stream: the clock alone
  }
  let pid = 0;
  let own: Set<number> | undefined;
  const listening = new Set<number>();
  let lastSocketPoll = 0;
  let lastInspect = 0;

  let passed = false;
  try {
    while (!signal.aborted && !passed && Date.now() < deadline) {
      let now = Date.now();
      if (now - lastInspect >= inspectMs) {
        lastInspect = now;
        try {
          const info = await container.inspect();
          if (!info.State.Running) return 'gave-up';
          const dockerSays = info.State.Health?.Status;
          if (dockerSays === 'healthy' || dockerSays === 'unhealthy') return 'gave-up';
          pid = info.State.Pid ?? 0;
          own ??= ownPorts(info.Config.ExposedPorts, info.Config.Labels);
        } catch {
          return 'gave-up';
        }
        now = Date.now();
      }
      // Until every port of its own listens (then there is nothing more to learn from its sockets).
      if (pid > 0 && own && listening.size < own.size && now - lastSocketPoll >= socketPollMs) {
        lastSocketPoll = now;
        for (const port of (await listeningPortsOf(pid)) ?? []) {
          if (!own.has(port) || listening.has(port)) continue;
          listening.add(port);
          schedule.activity(Date.now());
        }
      }
      const wait = schedule.next(Date.now());
      if (wait === 0) {
        const began = Date.now();
        schedule.started(began);
        execExitCode(container, cmd, target.timeoutMs)
          .then((code) => {
            if (code === 0) passed = true;
          })
          .catch(() => undefined) // exec failed (no such binary yet): a later attempt tries again
          .finally(() => {
            schedule.finished(Date.now() - began);
            poke();
          });
        continue;
      }
      // Sleep until the schedule is due, an event pokes, or the socket poll is due.
      const sleepMs = Math.min(wait ?? socketPollMs, socketPollMs, Math.max(0, deadline - Date.now()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, sleepMs);
        function done() {
          clearTimeout(timer);
          wake = undefined;
          resolve();
        }
        wake = done;
      });
    }
  } finally {
    signal.removeEventListener('abort', poke);
    logs?.destroy();
  }
  if (passed) return 'passed';
  return signal.aborted ? 'cancelled' : 'gave-up';
}

async function execExitCode(container: Dockerode.Container, cmd: string[], timeoutMs: number): Promise<number | null> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, timeoutMs);
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('error', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.resume();
  });
  const info = await exec.inspect();
  return info.Running ? null : info.ExitCode;
}
