import { describe, expect, it } from 'vitest';
import type { InstanceState, ObservedInstance } from '../runtime/runtime.js';
import { planUp } from './plan.js';

const running: InstanceState = { status: 'running', health: 'none', restartCount: 0, ports: [] };
const exited: InstanceState = { status: 'exited', health: 'none', restartCount: 0, ports: [], exitCode: 0 };
const inst = (id: string, service: string, specHash: string, state = running): ObservedInstance => ({
  id,
  service,
  specHash,
  state,
});

describe('planUp', () => {
  it('creates what does not exist', () => {
    expect(planUp({ web: 'h1' }, [], { configuredServices: ['web'], removeOrphans: true })).toEqual({
      services: { web: { kind: 'create' } },
      remove: [],
    });
  });

  it('keeps a running instance whose hash matches, and plans the same twice', () => {
    const observed = [inst('a', 'web', 'h1')];
    const first = planUp({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: true });
    expect(first.services.web).toEqual({ kind: 'keep', instanceId: 'a' });
    expect(planUp({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: true })).toEqual(first);
  });

  it('starts a stopped instance with the same hash instead of recreating it', () => {
    const plan = planUp({ job: 'h1' }, [inst('a', 'job', 'h1', exited)], {
      configuredServices: ['job'],
      removeOrphans: false,
    });
    expect(plan.services.job).toEqual({ kind: 'start', instanceId: 'a' });
  });

  it('recreates only the service whose hash changed', () => {
    const observed = [inst('a', 'web', 'h1'), inst('b', 'db', 'h2')];
    const plan = planUp({ web: 'h1-changed', db: 'h2' }, observed, {
      configuredServices: ['web', 'db'],
      removeOrphans: true,
    });
    expect(plan.services).toEqual({
      web: { kind: 'recreate', instanceId: 'a' },
      db: { kind: 'keep', instanceId: 'b' },
    });
  });

  it('removes duplicates left by a crash, keeping the running instance with the wanted hash', () => {
    const observed = [inst('old', 'web', 'h0'), inst('good', 'web', 'h1'), inst('stale', 'web', 'h1', exited)];
    const plan = planUp({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: false });
    expect(plan.services.web).toEqual({ kind: 'keep', instanceId: 'good' });
    expect(plan.remove.map((r) => r.instanceId).sort()).toEqual(['old', 'stale']);
    expect(plan.remove.every((r) => r.reason === 'duplicate')).toBe(true);
  });

  it('removes services that left the config only when asked to', () => {
    const observed = [inst('a', 'web', 'h1'), inst('z', 'gone', 'hz')];
    expect(planUp({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: true }).remove).toEqual([
      { instanceId: 'z', service: 'gone', reason: 'orphan' },
    ]);
    expect(planUp({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: false }).remove).toEqual([]);
  });
});
