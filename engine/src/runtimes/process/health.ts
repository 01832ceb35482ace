// Health for host processes, with Docker's rules: `starting` until the first success; failures
// during the start period do not count while still starting; after `retries` consecutive counted
// failures `unhealthy`; any success makes it `healthy` again. The state machine is pure (times
// are passed in); the Prober schedules probes and never runs two at once.

import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { HealthcheckSpec, ProcessProbe } from '../../model/spec.js';
import type { Health } from '../../model/status.js';

export interface ProbeTiming {
  /** Between probes while starting. */
  intervalMs: number;
  /** Between probes once healthy or unhealthy: never more often than Compose asks. */
  steadyIntervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  /** Delay of the very first probe after the process started. */
  firstDelayMs: number;
}

/**
 * The probe's own timing (the config loader fills in its defaults) plus what only the Compose
 * healthcheck says: the start period, a start interval, and the steady-state interval.
 */
export function probeTiming(
  probe: ProcessProbe,
  compose?: Pick<HealthcheckSpec, 'intervalMs' | 'startPeriodMs' | 'startIntervalMs'>,
): ProbeTiming {
  const intervalMs = Math.max(50, Math.min(probe.intervalMs, compose?.startIntervalMs ?? probe.intervalMs));
  return {
    intervalMs,
    steadyIntervalMs: Math.max(probe.intervalMs, compose?.intervalMs ?? 0),
    timeoutMs: Math.max(50, probe.timeoutMs),
    retries: Math.max(1, probe.retries),
    startPeriodMs: compose?.startPeriodMs ?? 0,
    firstDelayMs: Math.min(intervalMs, 250),
  };
}

export type ProbeHealth = Exclude<Health, 'none'>;

export class HealthState {
  status: ProbeHealth;
  failures: number;

  constructor(
    private readonly timing: Pick<ProbeTiming, 'retries' | 'startPeriodMs'>,
    private readonly startedAtMs: number,
    initial?: { status: Health; failures: number },
  ) {
    this.status = initial && initial.status !== 'none' ? initial.status : 'starting';
    this.failures = initial?.failures ?? 0;
  }

  /** Fold one probe result in; true when the status changed. */
  record(ok: boolean, atMs: number): boolean {
    const before = this.status;
    if (ok) {
      this.failures = 0;
      this.status = 'healthy';
    } else if (this.status === 'starting' && atMs - this.startedAtMs < this.timing.startPeriodMs) {
      // Still in its start period: a failure does not count yet.
    } else {
      this.failures++;
      if (this.failures >= this.timing.retries) this.status = 'unhealthy';
    }
    return this.status !== before;
  }
}

export interface ProbeContext {
  cwd: string;
  env: Record<string, string>;
  uid?: number;
  gid?: number;
}

/** Run one probe; resolves true on success, false on failure or timeout. Never rejects. */
export async function runProbe(probe: ProcessProbe, ctx: ProbeContext, timeoutMs: number): Promise<boolean> {
  switch (probe.type) {
    case 'http':
      return httpProbe(probe.url, timeoutMs);
    case 'tcp':
      return tcpProbe(probe.host, probe.port, timeoutMs);
    case 'command':
      return commandProbe(probe.command, ctx, timeoutMs);
  }
}

async function httpProbe(url: string, timeoutMs: number): Promise<boolean> {
  try {
    const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.status >= 200 && res.status < 400;
  } catch {
    return false;
  }
}

function tcpProbe(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function commandProbe(argv: string[], ctx: ProbeContext, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const [file, ...args] = argv;
    if (!file) {
      resolve(false);
      return;
    }
    const child = spawn(file, args, {
      cwd: ctx.cwd,
      env: ctx.env,
      stdio: 'ignore',
      // Its own group, so a probe that hangs is killed with everything it started.
      detached: true,
      ...(ctx.uid === undefined ? {} : { uid: ctx.uid, gid: ctx.gid }),
    });
    const timer = setTimeout(() => {
      if (child.pid) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }, timeoutMs);
    child.once('error', () => {
      clearTimeout(timer);
      resolve(false);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
  });
}

export interface ProberOptions {
  timing: ProbeTiming;
  startedAtMs: number;
  initial?: { status: Health; failures: number };
  run: () => Promise<boolean>;
  onChange: (status: ProbeHealth, failures: number) => void;
  now?: () => number;
}

/** Runs a probe on a schedule and reports status changes. One probe at a time, never overlapping. */
export class Prober {
  readonly state: HealthState;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly now: () => number;

  constructor(private readonly opts: ProberOptions) {
    this.now = opts.now ?? Date.now;
    this.state = new HealthState(opts.timing, opts.startedAtMs, opts.initial);
  }

  get status(): ProbeHealth {
    return this.state.status;
  }

  start(): void {
    const sinceStart = this.now() - this.opts.startedAtMs;
    this.schedule(Math.max(0, this.opts.timing.firstDelayMs - sinceStart));
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    this.timer = undefined;
    const ok = await this.opts.run();
    if (this.stopped) return;
    if (this.state.record(ok, this.now())) this.opts.onChange(this.state.status, this.state.failures);
    const t = this.opts.timing;
    this.schedule(this.state.status === 'starting' ? t.intervalMs : t.steadyIntervalMs);
  }
}
