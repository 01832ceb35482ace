// Early health probing. Docker 20.10 runs a container's first healthcheck only after a full
// `interval` (10 s for a Celery worker), and has no `start_interval` (Docker 25+). While a
// container is starting, devenv runs the same healthcheck command itself with `docker exec`;
// the first success makes the service healthy at once, so dependents start seconds earlier.
// Docker's own verdict still wins as soon as it has one.
//
// A probe is not free: a Celery `inspect ping` imports Celery and the app (~1.3 s of CPU), a
// `node -e fetch(…)` starts Node. Probing on a fixed clock while every service of a stack starts
// on two cores took CPU from the very services being waited for (measured: 6 s of CPU in a 17 s
// warm `up`). So probes follow signs of progress instead of the clock:
//   - the container printed something (a server says "ready" when it is), or it opened a new
//     listening socket (read from /proc/<pid>/net/tcp* where the engine shares our kernel):
//     a probe at once, even beside one still in flight (that one began before the progress and
//     may be waiting out its timeout: a Celery ping sent before the worker subscribed is lost);
//   - otherwise one probe at a time on a slow clock: the gap after a probe is four times what the
//     probe took (at least 1 s, at most the healthcheck's interval), so probing takes at most a
//     fifth of a core, and a silent service still turns healthy no later than Docker says so.

import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';

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
  /** Shortest gap between two probe starts, so a burst of log lines begins one probe, not twenty. */
  minSpacingMs: number;
  /** Clock gap: `gapFactor` × the last probe's duration, clamped to [minGapMs, maxGapMs]. */
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
  /** Progress seen since the last probe began. */
  private progress = false;

  constructor(
    private readonly opts: ProbeScheduleOptions,
    startedAt: number,
  ) {
    this.lastStart = startedAt;
  }

  /** The container showed progress (printed, or opened a listening socket). */
  activity(): void {
    this.progress = true;
  }

  started(now: number): void {
    this.inFlight++;
    this.lastStart = now;
    this.progress = false;
  }

  finished(durationMs: number): void {
    this.inFlight--;
    this.lastDuration = durationMs;
  }

  next(now: number): number | undefined {
    if (this.inFlight >= this.opts.maxInFlight) return undefined;
    if (this.progress) return Math.max(0, this.lastStart + this.opts.minSpacingMs - now);
    if (this.inFlight > 0) return undefined; // clock probes never overlap
    const gap = Math.min(this.opts.maxGapMs, Math.max(this.opts.minGapMs, this.opts.gapFactor * this.lastDuration));
    return Math.max(0, this.lastStart + gap - now);
  }
}

/** Listening TCP sockets in the network namespace of `pid` (state 0A in /proc/<pid>/net/tcp*). */
export async function countListening(pid: number): Promise<number | undefined> {
  let count = 0;
  let readable = false;
  for (const file of ['tcp', 'tcp6']) {
    const text = await readFile(`/proc/${pid}/net/${file}`, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    readable = true;
    count += listeningIn(text);
  }
  return readable ? count : undefined;
}

/** Rows in LISTEN state (st 0A) of a /proc/net/tcp or tcp6 table. */
export function listeningIn(table: string): number {
  let count = 0;
  for (const line of table.split('\n').slice(1)) {
    if (line.trim().split(/\s+/)[3] === '0A') count++;
  }
  return count;
}

const SCHEDULE: Omit<ProbeScheduleOptions, 'maxGapMs'> = {
  maxInFlight: 3,
  minSpacingMs: 750,
  gapFactor: 4,
  minGapMs: 1000,
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
    { ...SCHEDULE, maxGapMs: Math.max(SCHEDULE.minGapMs, target.intervalMs) },
    Date.now(),
  );

  let wake: (() => void) | undefined;
  const poke = () => {
    wake?.();
  };
  signal.addEventListener('abort', poke);

  // Progress: any log output, and new listening sockets.
  let logs: Readable | undefined;
  try {
    logs = (await container.logs({ follow: true, stdout: true, stderr: true, tail: 0 })) as unknown as Readable;
    logs.on('data', () => {
      schedule.activity();
      poke();
    });
    logs.on('error', () => undefined);
  } catch {
    // no log stream: the clock alone
  }
  let pid = 0;
  let listening: number | undefined;
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
        } catch {
          return 'gave-up';
        }
        now = Date.now();
      }
      if (pid > 0 && now - lastSocketPoll >= socketPollMs) {
        lastSocketPoll = now;
        const n = await countListening(pid);
        if (n !== undefined && listening !== undefined && n > listening) schedule.activity();
        listening = n;
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
