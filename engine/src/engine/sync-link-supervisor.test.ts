// The sync link's supervision on a fake clock: a broken link is reopened at once, then with
// backoff (0.5 s doubling to 30 s) while that fails; `failed` after a few attempts, still
// retrying; an instance that stopped ends the effort; a late answer of a superseded attempt is
// ignored.

import { describe, expect, it } from 'vitest';
import type { SyncLinkHealth } from '../model/status.js';
import { FakeClock } from '../shared/fake-clock.js';
import { settle } from './engine-fixture.js';
import { failedAfterAttempts, SyncLinkSupervisor } from './sync-link-supervisor.js';

type Outcome = 'attached' | 'not-running' | Error;

function supervised(outcomes: Outcome[]) {
  const clock = new FakeClock();
  const reports: (SyncLinkHealth | undefined)[] = [];
  let attempts = 0;
  const gates: (() => void)[] = [];
  let hold = false;
  const supervisor = new SyncLinkSupervisor(clock, {
    reconnect: async () => {
      attempts++;
      if (hold) await new Promise<void>((r) => gates.push(r));
      const next = outcomes.shift() ?? 'attached';
      if (next instanceof Error) throw next;
      return next;
    },
    report: (h) => reports.push(h),
  });
  const states = () => reports.map((r) => (r ? `${r.state}${r.attempts ? ` ${r.attempts}` : ''}` : 'none'));
  return {
    clock,
    supervisor,
    reports,
    states,
    attempts: () => attempts,
    holdAttempts: () => {
      hold = true;
    },
    release: () => gates.shift()!(),
  };
}

describe('SyncLinkSupervisor', () => {
  it('reconnects at once after the link closed, and reports reconnecting then live', async () => {
    const { clock, supervisor, states, attempts } = supervised(['attached']);
    supervisor.linked();
    supervisor.lost('exec stream ended');
    expect(clock.pending()).toEqual([0]);
    clock.advance(0);
    await settle();
    expect(attempts()).toBe(1);
    expect(states()).toEqual(['live', 'reconnecting', 'live']);
  });

  it('backs off 0.5 s, 1 s, 2 s … to 30 s while attempts fail; failed after a few, with why, and still retries', async () => {
    const failures = Array.from({ length: 8 }, () => new Error('cannot exec: container is restarting'));
    const { clock, supervisor, reports, attempts } = supervised([...failures, 'attached']);
    supervisor.lost('agent killed');
    const delays: number[] = [];
    clock.advance(0);
    await settle();
    for (let i = 0; i < failures.length; i++) {
      delays.push(clock.pending()[0]!);
      clock.advance(delays.at(-1)!);
      await settle();
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect(attempts()).toBe(9);
    const byAttempts = new Map(reports.filter((r) => r?.attempts).map((r) => [r!.attempts, r!]));
    expect(byAttempts.get(failedAfterAttempts - 1)?.state).toBe('reconnecting');
    expect(byAttempts.get(failedAfterAttempts)).toMatchObject({
      state: 'failed',
      reason: 'cannot exec: container is restarting',
    });
    expect(reports.at(-1)?.state).toBe('live');
    expect(clock.pending()).toEqual([]);
  });

  it('stops trying once the instance no longer runs, and shows nothing', async () => {
    const { clock, supervisor, states } = supervised([new Error('timeout'), 'not-running']);
    supervisor.lost('exec stream ended');
    clock.advance(0);
    await settle();
    clock.advance(500);
    await settle();
    expect(states()).toEqual(['reconnecting', 'reconnecting 1', 'none']);
    expect(clock.pending()).toEqual([]);
  });

  it('a new link or a stop supersedes a pending attempt, and a late answer of one under way', async () => {
    const { clock, supervisor, states, holdAttempts, release } = supervised([new Error('late failure')]);
    supervisor.lost('exec stream ended');
    supervisor.stop(); // the instance stopped before the attempt was due
    clock.advance(0);
    expect(clock.pending()).toEqual([]);
    holdAttempts();
    supervisor.lost('exec stream ended');
    clock.advance(0);
    await settle();
    supervisor.linked(); // the instance was restarted meanwhile and attached anew
    release();
    await settle();
    expect(states()).toEqual(['reconnecting', 'none', 'reconnecting', 'live']);
    expect(clock.pending()).toEqual([]);
  });
});
