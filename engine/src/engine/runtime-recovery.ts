// What the engine does when the ground moved under it: the runtime's engine went away and came
// back (a Docker daemon restart), this process was suspended (a laptop asleep, SIGSTOP), or an
// instance was removed from outside (`docker rm -f`). The answer to the first and the last is
// the same `up` as the user's last one, through the planner and the executor (keep what runs,
// start what stopped, create what is gone; logs, sync with a full reconcile and debuggers follow
// as in any `up`), never a second code path. It holds while that `up` is still the user's intent:
// `stop` and `down` end it. After a suspension the files are rescanned, the statuses refreshed,
// and sync links that died meanwhile reconnect by themselves (sync-link-supervisor.ts).

import { now } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { RuntimeHealth } from '../model/status.js';
import type { Runtime } from '../runtime-interface/runtime.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/error-text.js';
import type { UpOptions, UpResult } from './engine.js';
import { upOrder } from './planner.js';
import { type HealthWatchOptions, RuntimeHealthWatch, type RuntimeOutage } from './runtime-health.js';
import type { StatusStore } from './status-store.js';

/** What the user's last `up` asked for. */
export interface UpIntent {
  project: ProjectSpec;
  opts: UpOptions;
}

export interface RecoveryParts {
  runtime: Runtime;
  store: StatusStore;
  clock: Clock;
  /** The engine's own `up` (serialised with every other operation). */
  up(project: ProjectSpec, opts: UpOptions): Promise<UpResult>;
  /** Inspect every instance again and fold the answers into the statuses. */
  refresh(): Promise<void>;
  /** Walk the sync roots again and reconcile every attached session. */
  rescanSync(reason: string): void;
  /** The next attach of every service's sync reconciles fully. */
  reconcileOnNextAttach(): void;
  health?: HealthWatchOptions;
}

export class RuntimeRecovery {
  private intent: UpIntent | undefined;
  private watcher: RuntimeHealthWatch | undefined;
  private outage: RuntimeOutage | undefined;
  private running: Promise<void> | undefined;
  private again: string[] = [];
  private closed = false;

  constructor(private readonly parts: RecoveryParts) {}

  /** The user asked for this `up`: what the environment is brought back to from now on. */
  intend(project: ProjectSpec, opts: UpOptions): void {
    this.intent = { project, opts };
  }

  /**
   * The daemon found these services running without an `up` (it restarted): bring back those,
   * should their engine go away, and nothing else.
   */
  adopt(project: ProjectSpec, services: string[]): void {
    if (this.intent || services.length === 0) return;
    this.intent = { project, opts: { services, removeOrphans: false } };
  }

  /** `stop` or `down`: nothing is to be brought back any more. */
  forget(): void {
    this.intent = undefined;
    this.again = [];
  }

  /** Start watching the runtime's health (once; runtimes without an engine only get the suspension check). */
  watch(): void {
    if (this.watcher || this.closed) return;
    this.watcher = new RuntimeHealthWatch(
      this.parts.runtime,
      this.parts.clock,
      {
        lost: (why, outage) => this.lost(why, outage),
        back: (outage) => this.back(outage),
        resumed: (gapMs) => this.resumed(gapMs),
      },
      this.parts.health,
    );
    if (this.parts.runtime.ping) this.setHealth('available');
    this.watcher.start();
  }

  /** Something failed talking to the runtime: check its health now. */
  suspect(): void {
    void this.watcher?.suspect();
  }

  /** The engine's last absence (for telling which runs it ended). */
  lastOutage(): RuntimeOutage | undefined {
    return this.outage;
  }

  /** An instance was removed from outside devenv: recreate it while the last `up` stands. */
  vanished(service: string): void {
    const intent = this.intent;
    if (
      !intent ||
      this.watcher?.available === false ||
      !upOrder(intent.project, intent.opts.services).includes(service)
    )
      return;
    this.reconverge(`${service} was removed from outside devenv: recreating it`);
  }

  /** Resolves when no re-converge runs or is queued (tests). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
  }

  private lost(why: string, outage: RuntimeOutage): void {
    this.outage = outage;
    this.setHealth('unavailable', `${this.engineName()} does not answer (${why}): waiting for it`);
  }

  private back(outage: Required<RuntimeOutage>): void {
    this.outage = outage;
    const away = Math.round((outage.to - outage.from) / 1000);
    if (!this.intent) {
      this.setHealth('available', `${this.engineName()} answers again after ${away} s`);
      void this.parts.refresh();
      return;
    }
    this.setHealth(
      'recovering',
      `${this.engineName()} answers again after ${away} s: bringing the environment back to the last \`devenv up\``,
    );
    this.parts.reconcileOnNextAttach();
    // First the truth about every instance: an operation still waiting on a service the engine's
    // departure stopped then ends (it fails), and the queue is free for the re-converge.
    void this.parts.refresh();
    this.reconverge(`${this.engineName()} came back`);
  }

  private resumed(gapMs: number): void {
    const seconds = Math.round(gapMs / 1000);
    this.info(
      'engine.resumed',
      `devenv was suspended for ${seconds} s (the computer slept, or the daemon was stopped): rescanning files, refreshing statuses, reconnecting sync`,
    );
    this.parts.rescanSync(`resumed after ${seconds} s suspended`);
    void this.parts.refresh();
    this.suspect();
  }

  /** One `up` of the last intent at a time; reasons that arrive meanwhile share one more. */
  private reconverge(why: string): void {
    if (this.closed) return;
    this.again.push(why);
    this.running ??= this.drain().finally(() => {
      this.running = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.again.length > 0 && this.intent && !this.closed) {
      const reasons = this.again.splice(0);
      const { project, opts } = this.intent;
      this.info('engine.reconverge', `${reasons.join('; ')}: bringing the environment back to the last \`devenv up\``);
      try {
        const result = await this.parts.up(project, opts);
        const changed = Object.entries(result.actions).filter(([, verb]) => verb !== 'kept');
        const summary =
          changed.length > 0 ? changed.map(([service, verb]) => `${service} ${verb}`).join(', ') : 'nothing to do';
        const failed = result.failed.map((f) => `${f.service}: ${f.message}`);
        if (failed.length > 0) {
          this.warn(
            'engine.reconverge-failed',
            `environment brought back only in part (${summary}); failed: ${failed.join('; ')}`,
          );
        } else {
          this.info('engine.reconverged', `environment brought back (${summary})`);
        }
      } catch (err) {
        this.warn('engine.reconverge-failed', `bringing the environment back failed: ${errorMessage(err)}`);
      }
      if (this.parts.store.runtimeHealth?.state === 'recovering' && this.watcher?.available !== false)
        this.setHealth('available');
    }
  }

  private setHealth(state: RuntimeHealth['state'], message?: string): void {
    this.parts.store.setRuntimeHealth({ state, since: now(), ...(message ? { message } : {}) });
  }

  private engineName(): string {
    return this.parts.runtime.kind === 'docker'
      ? 'the Docker engine'
      : this.parts.runtime.kind === 'kubernetes'
        ? 'the cluster'
        : 'the runtime';
  }

  private info(code: string, message: string): void {
    this.parts.store.bus.emit({ kind: 'diagnostic', ts: now(), severity: 'info', code, message });
  }

  private warn(code: string, message: string): void {
    this.parts.store.bus.emit({ kind: 'diagnostic', ts: now(), severity: 'warning', code, message });
  }
}
