// Keeps one service's live-sync link alive. When the link closes while the instance still runs
// (the agent killed inside the container, its exec ended, an OOM kill of the agent), it opens a
// new one at once, then with backoff (0.5 s doubling to 30 s) while that fails; each new link
// reconciles fully, so nothing saved meanwhile is lost. The service's status says whether sync
// is live, reconnecting, or failed (after a few attempts, with why: it still retries, at the
// slowest pace). An instance that no longer runs ends the effort: its next start attaches anew.

import type { SyncLinkHealth } from '../model/status.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/error-text.js';
import { restartDelayMs } from './restart-rules.js';

export interface SyncLinkHooks {
  /** Open a new link if the instance still runs: `attached`, or `not-running`; throws when it could not. */
  reconnect(): Promise<'attached' | 'not-running'>;
  /** The link's health for the service's status (undefined: nothing to show, the instance is down). */
  report(health: SyncLinkHealth | undefined): void;
}

/** Failed attempts after which the status says `failed` rather than `reconnecting`. */
export const failedAfterAttempts = 5;

export class SyncLinkSupervisor {
  private attempts = 0;
  private reason = '';
  private cancelAttempt: (() => void) | undefined;
  /** Bumped whenever the effort is superseded (a new link, a stop): a late attempt's answer is ignored. */
  private generation = 0;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly hooks: SyncLinkHooks,
  ) {}

  /** A link is up: live from now on. */
  linked(): void {
    this.supersede();
    this.hooks.report({ state: 'live', since: new Date(this.clock.now()).toISOString() });
  }

  /** The link closed (or could not be opened) while the instance should run: reconnect. */
  lost(reason: string): void {
    if (this.closed) return;
    this.supersede();
    this.reason = reason;
    this.report();
    this.schedule(0);
  }

  /** The instance stopped or sync was closed on purpose: nothing to reconnect, nothing to show. */
  stop(): void {
    this.supersede();
    this.hooks.report(undefined);
  }

  close(): void {
    this.closed = true;
    this.supersede();
  }

  private supersede(): void {
    this.generation++;
    this.cancelAttempt?.();
    this.cancelAttempt = undefined;
    this.attempts = 0;
    this.reason = '';
  }

  private schedule(delayMs: number): void {
    const generation = this.generation;
    this.cancelAttempt = this.clock.after(delayMs, () => {
      this.cancelAttempt = undefined;
      void this.attempt(generation);
    });
  }

  private async attempt(generation: number): Promise<void> {
    let outcome: 'attached' | 'not-running' | Error;
    try {
      outcome = await this.hooks.reconnect();
    } catch (err) {
      outcome = err instanceof Error ? err : new Error(errorMessage(err));
    }
    if (generation !== this.generation || this.closed) return;
    if (outcome === 'attached') {
      this.linked();
    } else if (outcome === 'not-running') {
      this.stop();
    } else {
      this.attempts++;
      this.reason = errorMessage(outcome);
      this.report();
      this.schedule(restartDelayMs(this.attempts));
    }
  }

  private report(): void {
    this.hooks.report({
      state: this.attempts >= failedAfterAttempts ? 'failed' : 'reconnecting',
      reason: this.reason,
      ...(this.attempts > 0 ? { attempts: this.attempts } : {}),
      since: new Date(this.clock.now()).toISOString(),
    });
  }
}
