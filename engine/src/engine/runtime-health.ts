// The runtime's own health, watched from the engine: a tick every second pings the runtime's
// engine (the Docker daemon; runtimes without one have no `ping`) and tells when it stops
// answering and when it answers again, with the time it was last seen answering, so the runs
// that ended in between are known to have been ended by it. The same tick notices that this
// process itself was suspended (a laptop asleep, SIGSTOP): the tick then comes late, by the
// monotonic clock (which runs through SIGSTOP) or by the wall clock (which jumps over a
// laptop's sleep while the monotonic clock stands still).

import type { Runtime } from '../runtime-interface/runtime.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/error-text.js';
import { withTimeout } from '../shared/timing.js';

export interface RuntimeOutage {
  /** Last seen answering (ms since the epoch). */
  from: number;
  /** Answering again; absent while it is still away. */
  to?: number;
}

export interface HealthWatchHooks {
  /** The engine stopped answering (the first failed ping after a good one). */
  lost(why: string, outage: RuntimeOutage): void;
  /** It answers again. */
  back(outage: Required<RuntimeOutage>): void;
  /** This process was suspended for about `gapMs` and runs again. */
  resumed(gapMs: number): void;
}

export interface HealthWatchOptions {
  /** Between ticks (default 1 s). */
  intervalMs?: number;
  /** A ping that takes longer has failed (default 5 s). */
  pingTimeoutMs?: number;
  /** A tick this much later than due means the process was suspended (default 5 s). */
  suspendedAfterMs?: number;
  /** Monotonic milliseconds (default performance.now); tests step their own. */
  monotonic?: () => number;
  /** Where the ticks are scheduled (default the engine's clock; tests keep them apart from backoff timers). */
  timer?: Clock;
}

export class RuntimeHealthWatch {
  private readonly intervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly suspendedAfterMs: number;
  private readonly monotonic: () => number;
  private readonly timer: Clock;
  private cancelTick: (() => void) | undefined;
  private lastWall = 0;
  private lastMono = 0;
  private answering = true;
  private lastAliveAt: number;
  private probing: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly clock: Clock,
    private readonly hooks: HealthWatchHooks,
    opts: HealthWatchOptions = {},
  ) {
    this.intervalMs = opts.intervalMs ?? 1_000;
    this.pingTimeoutMs = opts.pingTimeoutMs ?? 5_000;
    this.suspendedAfterMs = opts.suspendedAfterMs ?? 5_000;
    this.monotonic = opts.monotonic ?? (() => performance.now());
    this.timer = opts.timer ?? clock;
    this.lastAliveAt = clock.now();
  }

  /** Whether the engine answered the last ping. */
  get available(): boolean {
    return this.answering;
  }

  /** Start ticking (once). */
  start(): void {
    if (this.cancelTick || this.closed) return;
    this.lastWall = this.timer.now();
    this.lastMono = this.monotonic();
    this.schedule();
  }

  /** Something failed talking to the runtime: ping now rather than at the next tick. */
  suspect(): Promise<void> {
    return this.probe();
  }

  close(): void {
    this.closed = true;
    this.cancelTick?.();
    this.cancelTick = undefined;
  }

  private schedule(): void {
    if (this.closed) return;
    this.cancelTick = this.timer.after(this.intervalMs, () => this.tick());
  }

  private tick(): void {
    const wall = this.timer.now();
    const mono = this.monotonic();
    const elapsed = Math.max(wall - this.lastWall, mono - this.lastMono);
    this.lastWall = wall;
    this.lastMono = mono;
    if (elapsed - this.intervalMs > this.suspendedAfterMs) this.hooks.resumed(elapsed);
    void this.probe();
    this.schedule();
  }

  private probe(): Promise<void> {
    const ping = this.runtime.ping?.bind(this.runtime);
    if (!ping || this.closed) return Promise.resolve();
    this.probing ??= (async () => {
      let failure: string | undefined;
      try {
        await withTimeout(ping(), this.pingTimeoutMs, `no answer within ${this.pingTimeoutMs / 1000} s`);
      } catch (err) {
        failure = errorMessage(err);
      }
      if (this.closed) return;
      const now = this.clock.now();
      if (failure === undefined) {
        const from = this.lastAliveAt;
        this.lastAliveAt = now;
        if (!this.answering) {
          this.answering = true;
          this.hooks.back({ from, to: now });
        }
      } else if (this.answering) {
        this.answering = false;
        this.hooks.lost(failure, { from: this.lastAliveAt });
      }
    })().finally(() => {
      this.probing = undefined;
    });
    return this.probing;
  }
}
