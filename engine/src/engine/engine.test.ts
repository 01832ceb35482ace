// The engine's facade on the FakeRuntime: `up` keeps, starts, creates or recreates by spec hash,
// operations run one at a time, `attach` adopts what runs, and live sync holds readiness back.

import { describe, expect, it } from 'vitest';
import { specHash } from '../model/spec-hash.js';
import { fakeProject, fakeService } from '../runtime-interface/fake-project.js';
import { FakeRuntime } from '../runtime-interface/fake-runtime.js';
import { FakeClock } from '../shared/fake-clock.js';
import { Engine } from './engine.js';
import { engineFixture, healthy, settle } from './engine-fixture.js';

describe('Engine.up on the FakeRuntime', () => {
  it('creates and starts every service, and a second up keeps them all', async () => {
    const { runtime, engine, project, status } = engineFixture([
      fakeService('db'),
      fakeService('web', { dependsOn: { db: 'service_started' } }),
    ]);
    const first = await engine.up(project);
    expect(first.actions).toEqual({ db: 'created', web: 'created' });
    expect(first.failed).toEqual([]);
    expect(status('web').state).toBe('running');
    expect(engine.status().phase).toBe('running');

    const again = await engine.up(project);
    expect(again.actions).toEqual({ db: 'kept', web: 'kept' });
    expect(runtime.calledWith('create')).toHaveLength(2);
    expect(runtime.calledWith('stop')).toHaveLength(0);
  });

  it('recreates only the service whose spec hash changed', async () => {
    const { runtime, engine, project } = engineFixture([fakeService('db'), fakeService('web')]);
    await engine.up(project);
    const webBefore = runtime.instanceOf('web')!.id;
    project.services.web = fakeService('web', { environment: { MODE: 'changed' } });
    const result = await engine.up(project);
    expect(result.actions).toEqual({ db: 'kept', web: 'recreated' });
    expect(runtime.calledWith('remove').map((c) => c.instanceId)).toEqual([webBefore]);
    expect(runtime.instanceOf('web')!.spec!.environment).toEqual({ MODE: 'changed' });
  });

  it('keeps what another engine created with the same spec (a daemon restart), by the label hash alone', async () => {
    const clock = new FakeClock();
    const runtime = new FakeRuntime({ clock });
    const project = fakeProject([fakeService('db')]);
    await new Engine(runtime, { clock }).up(project);
    const next = new Engine(runtime, { clock });
    expect((await next.up(project)).actions).toEqual({ db: 'kept' });
    expect(runtime.calledWith('create')).toHaveLength(1);
  });

  it('starts a stopped instance whose hash matches instead of recreating it', async () => {
    const { runtime, engine, project } = engineFixture([fakeService('job')]);
    await engine.up(project);
    runtime.exit('job', 0, { notify: false });
    const result = await engine.up(project);
    expect(result.actions).toEqual({ job: 'started' });
    expect(runtime.calledWith('create')).toHaveLength(1);
  });

  it('removes duplicates and services no longer in the config', async () => {
    const { runtime, engine, project } = engineFixture([fakeService('web')]);
    const hash = specHash({
      runtime: 'docker',
      spec: runtime.hashInput(project.services.web!, project, { ref: 'web:latest', id: 'sha256:web:latest' }),
    });
    const keep = runtime.seed('demo', 'web', { specHash: hash });
    const dup = runtime.seed('demo', 'web', { specHash: 'old' });
    const orphan = runtime.seed('demo', 'gone', { specHash: 'x' });
    const result = await engine.up(project);
    expect(result.actions).toEqual({ web: 'kept' });
    expect(
      runtime
        .calledWith('remove')
        .map((c) => c.instanceId)
        .sort(),
    ).toEqual([dup, orphan].sort());
    expect(runtime.instances.has(keep)).toBe(true);
  });

  it('rebuild forces the build of that one service and recreates it when the image changed', async () => {
    const { runtime, engine, project } = engineFixture([fakeService('db'), fakeService('web')]);
    await engine.up(project);
    runtime.onBuild('web', { artifact: { ref: 'web:latest', id: 'sha256:new' } });
    const result = await engine.rebuild('web');
    expect(result.actions).toEqual({ web: 'recreated' });
    expect(runtime.calledWith('prepareArtifacts').at(-1)!.detail).toEqual({ services: ['web'], force: ['web'] });
  });
});

describe('the facade', () => {
  it('runs operations one at a time: a restart asked during up waits for it', async () => {
    const { runtime, engine, project } = engineFixture([fakeService('db', healthy)]);
    const up = engine.up(project);
    await runtime.waitForCall('start', 'db');
    const restart = engine.restart('db');
    await settle();
    expect(runtime.calledWith('stop')).toHaveLength(0);
    runtime.setHealth('db', 'healthy');
    await up;
    await restart;
    expect(runtime.calledWith('stop', 'db')).toHaveLength(1);
  });
  it('attach adopts what runs without changing anything', async () => {
    const clock = new FakeClock();
    const runtime = new FakeRuntime({ clock });
    const project = fakeProject([fakeService('db'), fakeService('web')]);
    runtime.seed('demo', 'db', { specHash: 'h1' });
    runtime.seed('demo', 'web', { specHash: 'h2', status: 'exited', exitCode: 1 });
    const engine = new Engine(runtime, { clock });
    const status = await engine.attach(project, { watch: false });
    expect(status.services.map((s) => [s.name, s.state])).toEqual([
      ['db', 'running'],
      ['web', 'exited'],
    ]);
    expect(status.phase).toBe('degraded');
    expect(runtime.calls.map((c) => c.method)).toEqual(['connect', 'observe']);
  });
});

describe('live sync in the loop', () => {
  it('holds a service at `starting` until sync attached, while service_started dependents go', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/engine-sync-`);
    const watch = [{ path: dir, action: 'sync' as const, target: '/app', ignore: [], initialSync: true }];
    const { runtime, engine, project, status, waitForState } = engineFixture([
      fakeService('api', { develop: { watch } }),
      fakeService('web', { dependsOn: { api: 'service_started' } }),
    ]);
    let release!: () => void;
    runtime.syncGate = new Promise((r) => {
      release = r;
    });
    const up = engine.up(project);
    await runtime.waitForCall('attachSync', 'api');
    await waitForState('api', 'starting');
    expect(status('api').message).toBe('syncing files');
    await runtime.waitForCall('create', 'web');
    release();
    expect((await up).failed).toEqual([]);
    expect(status('api').state).toBe('running');
    await engine.close();
  });
});
