import { describe, expect, it } from 'vitest';
import type { ProcessProbe } from '../../model/spec.js';
import { HealthState, Prober, probeTiming } from './health.js';

const probe: ProcessProbe = { type: 'http', url: 'http://127.0.0.1:1/', intervalMs: 1000, timeoutMs: 5000, retries: 3 };

describe('HealthState (Docker rules)', () => {
  it('starts `starting`, turns healthy on the first success', () => {
    const h = new HealthState({ retries: 3, startPeriodMs: 0 }, 0);
    expect(h.status).toBe('starting');
    expect(h.record(false, 100)).toBe(false);
    expect(h.record(true, 200)).toBe(true);
    expect(h.status).toBe('healthy');
    expect(h.failures).toBe(0);
  });

  it('turns unhealthy after `retries` consecutive failures, healthy again on a success', () => {
    const h = new HealthState({ retries: 3, startPeriodMs: 0 }, 0);
    h.record(true, 0);
    expect(h.record(false, 1)).toBe(false);
    expect(h.record(false, 2)).toBe(false);
    expect(h.record(false, 3)).toBe(true);
    expect(h.status).toBe('unhealthy');
    expect(h.record(true, 4)).toBe(true);
    expect(h.status).toBe('healthy');
  });

  it('a success in between resets the count', () => {
    const h = new HealthState({ retries: 2, startPeriodMs: 0 }, 0);
    h.record(true, 0);
    h.record(false, 1);
    h.record(true, 2);
    h.record(false, 3);
    expect(h.status).toBe('healthy');
  });

  it('does not count failures during the start period while starting', () => {
    const h = new HealthState({ retries: 1, startPeriodMs: 10_000 }, 1000);
    for (let t = 1000; t < 11_000; t += 1000) h.record(false, t);
    expect(h.status).toBe('starting');
    expect(h.failures).toBe(0);
    h.record(false, 11_000);
    expect(h.status).toBe('unhealthy');
  });

  it('counts failures in the start period once it was healthy', () => {
    const h = new HealthState({ retries: 1, startPeriodMs: 10_000 }, 0);
    h.record(true, 100);
    h.record(false, 200);
    expect(h.status).toBe('unhealthy');
  });

  it('resumes from a recorded state (adoption)', () => {
    const h = new HealthState({ retries: 3, startPeriodMs: 0 }, 0, { status: 'healthy', failures: 1 });
    expect(h.status).toBe('healthy');
    h.record(false, 1);
    h.record(false, 2);
    expect(h.status).toBe('unhealthy');
  });
});

describe('probeTiming', () => {
  it('uses the probe timing, with start period and steady interval from Compose', () => {
    expect(probeTiming(probe)).toEqual({
      intervalMs: 1000,
      steadyIntervalMs: 1000,
      timeoutMs: 5000,
      retries: 3,
      startPeriodMs: 0,
      firstDelayMs: 250,
    });
    const t = probeTiming(probe, { intervalMs: 10_000, startPeriodMs: 20_000, startIntervalMs: 500 });
    expect(t).toMatchObject({ intervalMs: 500, steadyIntervalMs: 10_000, startPeriodMs: 20_000 });
  });
});

describe('Prober', () => {
  it('never overlaps probes and reports each change once', async () => {
    const results = [false, true, true, false, false];
    let running = 0;
    let maxRunning = 0;
    const changes: string[] = [];
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const prober = new Prober({
      timing: { ...probeTiming({ ...probe, intervalMs: 5, retries: 2 }), firstDelayMs: 0 },
      startedAtMs: Date.now(),
      run: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        return results.shift() ?? false;
      },
      onChange: (s) => {
        changes.push(s);
        if (s === 'unhealthy') resolveDone();
      },
    });
    prober.start();
    await done;
    prober.stop();
    expect(maxRunning).toBe(1);
    expect(changes).toEqual(['healthy', 'unhealthy']);
  });
});
