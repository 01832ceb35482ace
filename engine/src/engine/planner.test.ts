import { describe, expect, it } from 'vitest';
import { fakeProject, fakeService } from '../runtime-interface/fake-project.js';
import type { InstanceState, ObservedInstance } from '../runtime-interface/runtime.js';
import { dependencyOrder, planDown, planInstances, planRestart, planUp, stopOrder } from './planner.js';

const running: InstanceState = { status: 'running', health: 'none', restartCount: 0, ports: [] };
const exited: InstanceState = { status: 'exited', health: 'none', restartCount: 0, ports: [], exitCode: 0 };
const inst = (id: string, service: string, specHash: string, state = running): ObservedInstance => ({
  id,
  service,
  specHash,
  state,
});

describe('planInstances', () => {
  it('creates what does not exist', () => {
    expect(planInstances({ web: 'h1' }, [], { configuredServices: ['web'], removeOrphans: true })).toEqual({
      services: { web: { kind: 'create' } },
      remove: [],
    });
  });

  it('keeps a running instance whose hash matches, and plans the same twice', () => {
    const observed = [inst('a', 'web', 'h1')];
    const first = planInstances({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: true });
    expect(first.services.web).toEqual({ kind: 'keep', instanceId: 'a' });
    expect(planInstances({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: true })).toEqual(first);
  });

  it('starts a stopped instance with the same hash instead of recreating it', () => {
    const plan = planInstances({ job: 'h1' }, [inst('a', 'job', 'h1', exited)], {
      configuredServices: ['job'],
      removeOrphans: false,
    });
    expect(plan.services.job).toEqual({ kind: 'start', instanceId: 'a' });
  });

  it('recreates only the service whose hash changed', () => {
    const observed = [inst('a', 'web', 'h1'), inst('b', 'db', 'h2')];
    const plan = planInstances({ web: 'h1-changed', db: 'h2' }, observed, {
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
    const plan = planInstances({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: false });
    expect(plan.services.web).toEqual({ kind: 'keep', instanceId: 'good' });
    expect(plan.remove.map((r) => r.instanceId).sort()).toEqual(['old', 'stale']);
    expect(plan.remove.every((r) => r.reason === 'duplicate')).toBe(true);
  });

  it('removes services that left the config only when asked to', () => {
    const observed = [inst('a', 'web', 'h1'), inst('z', 'gone', 'hz')];
    expect(planInstances({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: true }).remove).toEqual(
      [{ instanceId: 'z', service: 'gone', reason: 'orphan' }],
    );
    expect(
      planInstances({ web: 'h1' }, observed, { configuredServices: ['web'], removeOrphans: false }).remove,
    ).toEqual([]);
  });
});

describe('planUp', () => {
  const project = fakeProject([
    fakeService('db'),
    fakeService('cache'),
    fakeService('api', {
      dependsOn: { db: 'service_healthy', cache: 'service_started', metrics: { required: false } },
    }),
    fakeService('web', { dependsOn: { api: 'service_started', auth: 'service_started' } }),
    fakeService('admin'),
  ]);

  it('orders every service after its dependencies and lists what each waits for', () => {
    const plan = planUp(project, []);
    for (const [name, step] of Object.entries(plan.services))
      for (const w of step.waits.filter((x) => x.inPlan))
        expect(plan.order.indexOf(w.service)).toBeLessThan(plan.order.indexOf(name));
    expect(plan.services.api!.waits).toEqual([
      { service: 'db', condition: 'service_healthy', inPlan: true },
      { service: 'cache', condition: 'service_started', inPlan: true },
    ]);
    // A required dependency missing from the project is still waited for (and fails); an optional one is dropped.
    expect(plan.services.web!.waits).toEqual([
      { service: 'api', condition: 'service_started', inPlan: true },
      { service: 'auth', condition: 'service_started', inPlan: false },
    ]);
  });

  it('brings up the named services and what they depend on, and removes orphans only for a whole-project up', () => {
    const observed = [inst('x', 'db', 'h'), inst('o', 'retired', 'h')];
    const scoped = planUp(project, observed, { services: ['api'] });
    expect([...scoped.order].sort()).toEqual(['api', 'cache', 'db']);
    expect(scoped.orphans).toEqual([]);
    expect(scoped.services.db!.observed.map((o) => o.id)).toEqual(['x']);
    expect(planUp(project, observed).orphans).toEqual([{ instanceId: 'o', service: 'retired', reason: 'orphan' }]);
    expect(planUp(project, observed, { removeOrphans: false }).orphans).toEqual([]);
    expect(planUp(project, observed, { services: ['api'], removeOrphans: true }).orphans).toHaveLength(1);
  });

  it('plans the same twice', () => {
    const observed = [inst('x', 'db', 'h')];
    expect(planUp(project, observed)).toEqual(planUp(project, observed));
  });
});

describe('planDown, planRestart and the stop order', () => {
  const project = fakeProject([
    fakeService('postgres'),
    fakeService('migrate', { dependsOn: { postgres: 'service_started' } }),
    fakeService('backend', { dependsOn: { migrate: 'service_completed_successfully' } }),
    fakeService('frontend', { dependsOn: { backend: { restart: true } } }),
    fakeService('docs', { dependsOn: { backend: 'service_started' } }),
  ]);

  it('down: dependents first, services no longer in the config last, each waiting for its dependents', () => {
    const observed = ['postgres', 'backend', 'frontend', 'retired'].map((s) => inst(`${s}-1`, s, 'h'));
    const plan = planDown(project, observed);
    expect(plan.order).toEqual(['frontend', 'backend', 'postgres', 'retired']);
    expect(plan.waitFor('postgres').sort()).toEqual(['backend', 'docs', 'frontend', 'migrate']);
    expect(plan.waitFor('retired')).toEqual([]);
    expect(plan.instances.get('backend')!.map((i) => i.id)).toEqual(['backend-1']);
  });

  it('restart: the service, then the dependents that asked for it and have an instance', () => {
    expect(planRestart(project, 'backend', () => true)).toEqual(['backend', 'frontend']);
    expect(planRestart(project, 'backend', (s) => s !== 'frontend')).toEqual(['backend']);
  });

  it('a cyclic config (the loader reports it) keeps file order instead of throwing', () => {
    const cyclic = fakeProject([
      fakeService('a', { dependsOn: { b: 'service_started' } }),
      fakeService('b', { dependsOn: { a: 'service_started' } }),
    ]);
    expect(dependencyOrder(cyclic)).toEqual(['a', 'b']);
    expect(stopOrder(cyclic)).toEqual(['b', 'a']);
    expect(stopOrder(project)[0]).not.toBe('postgres');
  });
});
