// The engine on the FakeRuntime: what `up`, `down`, `restart` and the supervisor do, without
// Docker. Each test scripts the runtime (starts, exits, health, failures) and steps a fake clock.

import { describe, expect, it, vi } from 'vitest';
import { RuntimeFailure } from '../errors.js';
import type { EngineEvent } from '../model/events.js';
import type { ServiceSpec } from '../model/spec.js';
import { specHash } from '../model/spec-hash.js';
import type { ServiceState } from '../model/status.js';
import { fakeHealthcheck, fakeProject, fakeService } from '../runtime/fake-project.js';
import { FakeRuntime, type FakeRuntimeOptions } from '../runtime/fake-runtime.js';
import { FakeClock } from '../shared/fake-clock.js';
import { Engine } from './engine.js';

function setup(services: ServiceSpec[], opts: FakeRuntimeOptions = {}) {
  const clock = new FakeClock();
  const runtime = new FakeRuntime({ clock, ...opts });
  const engine = new Engine(runtime, { clock });
  const events: EngineEvent[] = [];
  engine.bus.subscribe((e) => events.push(e));
  const project = fakeProject(services);
  const status = (name: string) => engine.status().services.find((s) => s.name === name)!;
  const waitForState = (name: string, state: ServiceState) =>
    vi.waitFor(() => expect(status(name).state).toBe(state), { timeout: 2_000, interval: 2 });
  return { clock, runtime, engine, events, project, status, waitForState };
}

/** Let queued promise callbacks and microtasks run. */
async function settle(rounds = 10): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

const healthy = { healthcheck: fakeHealthcheck };

describe('Engine.up on the FakeRuntime', () => {
  it('creates and starts every service, and a second up keeps them all', async () => {
    const { runtime, engine, project, status } = setup([
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
    const { runtime, engine, project } = setup([fakeService('db'), fakeService('web')]);
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
    const { runtime, engine, project } = setup([fakeService('job')]);
    await engine.up(project);
    runtime.exit('job', 0, { notify: false });
    const result = await engine.up(project);
    expect(result.actions).toEqual({ job: 'started' });
    expect(runtime.calledWith('create')).toHaveLength(1);
  });

  it('removes duplicates and services no longer in the config', async () => {
    const { runtime, engine, project } = setup([fakeService('web')]);
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
    const { runtime, engine, project } = setup([fakeService('db'), fakeService('web')]);
    await engine.up(project);
    runtime.onBuild('web', { artifact: { ref: 'web:latest', id: 'sha256:new' } });
    const result = await engine.rebuild('web');
    expect(result.actions).toEqual({ web: 'recreated' });
    expect(runtime.calledWith('prepareArtifacts').at(-1)!.detail).toEqual({ services: ['web'], force: ['web'] });
  });
});

describe('dependency conditions', () => {
  it('service_started: the dependent goes once the dependency runs, before it is healthy', async () => {
    const { runtime, engine, project, status } = setup([
      fakeService('db', healthy),
      fakeService('web', { dependsOn: { db: 'service_started' } }),
    ]);
    const up = engine.up(project);
    await runtime.waitForCall('create', 'web');
    expect(status('db').state).toBe('running'); // health still `starting`
    runtime.setHealth('db', 'healthy');
    expect((await up).failed).toEqual([]);
  });

  it('service_healthy: the dependent waits for healthy, saying so', async () => {
    const { runtime, engine, project, status, waitForState } = setup([
      fakeService('db', healthy),
      fakeService('web', { dependsOn: { db: 'service_healthy' } }),
    ]);
    const up = engine.up(project);
    await waitForState('web', 'waiting');
    expect(status('web').message).toBe('waiting for db (healthy)');
    await settle();
    expect(runtime.calledWith('create', 'web')).toHaveLength(0);
    runtime.setHealth('db', 'healthy');
    const result = await up;
    expect(result.failed).toEqual([]);
    expect(status('web').state).toBe('running');
  });

  it('service_healthy: an unhealthy dependency fails the dependent with the reason', async () => {
    const { runtime, engine, project, status, waitForState } = setup([
      fakeService('db', healthy),
      fakeService('web', { dependsOn: { db: 'service_healthy' } }),
    ]);
    const up = engine.up(project);
    await waitForState('web', 'waiting');
    runtime.setHealth('db', 'unhealthy');
    const result = await up;
    expect(result.failed).toEqual([
      { service: 'db', message: 'healthcheck failing' },
      { service: 'web', message: 'dependency db is unhealthy' },
    ]);
    expect(status('web').state).toBe('failed');
    expect(runtime.calledWith('create', 'web')).toHaveLength(0);
  });

  it('service_completed_successfully: the dependent starts after the one-shot exits 0', async () => {
    const { runtime, engine, project, status } = setup([
      fakeService('migrate'),
      fakeService('web', { dependsOn: { migrate: 'service_completed_successfully' } }),
    ]);
    runtime.onStart('migrate', { status: 'exited', exitCode: 0 });
    const result = await engine.up(project);
    expect(result.failed).toEqual([]);
    expect(status('migrate').state).toBe('completed');
    const order = runtime.calls.filter((c) => c.method === 'start').map((c) => c.service);
    expect(order).toEqual(['migrate', 'web']);
  });

  it('service_completed_successfully: a one-shot that fails stops the dependent with its exit code', async () => {
    const { runtime, engine, project, status } = setup([
      fakeService('migrate'),
      fakeService('web', { dependsOn: { migrate: 'service_completed_successfully' } }),
    ]);
    runtime.onStart('migrate', { status: 'exited', exitCode: 3 });
    const result = await engine.up(project);
    expect(result.failed).toEqual([
      { service: 'migrate', message: 'exited with code 3' },
      { service: 'web', message: 'dependency migrate exited with code 3' },
    ]);
    expect(status('migrate').state).toBe('exited');
    expect(status('web').state).toBe('failed');
  });

  it('a required dependency that is not in the project fails the dependent', async () => {
    const { engine, project, status } = setup([fakeService('web', { dependsOn: { ghost: 'service_started' } })]);
    const result = await engine.up(project);
    expect(result.failed).toEqual([{ service: 'web', message: 'dependency ghost is not running' }]);
    expect(status('web').state).toBe('failed');
  });

  it('an optional dependency that is not in the project is ignored', async () => {
    const { engine, project } = setup([fakeService('web', { dependsOn: { ghost: { required: false } } })]);
    expect((await engine.up(project)).failed).toEqual([]);
  });

  it('`up web` brings up what web depends on, and nothing else', async () => {
    const { runtime, engine, project } = setup([
      fakeService('db'),
      fakeService('web', { dependsOn: { db: 'service_started' } }),
      fakeService('admin'),
    ]);
    const result = await engine.up(project, { services: ['web'] });
    expect(result.actions).toEqual({ db: 'created', web: 'created' });
    expect(runtime.calledWith('create', 'admin')).toHaveLength(0);
  });

  it('refuses an unknown service by name', async () => {
    const { engine, project } = setup([fakeService('web')]);
    await expect(engine.up(project, { services: ['wbe'] })).rejects.toThrow('no service named wbe');
  });
});

describe('a runtime error in the middle of up', () => {
  it('leaves statuses that say what failed, and the rest of the stack up', async () => {
    const { runtime, engine, project, status, events } = setup([
      fakeService('db'),
      fakeService('api', { dependsOn: { db: 'service_started' } }),
      fakeService('web', { dependsOn: { api: 'service_started' } }),
      fakeService('cache'),
    ]);
    runtime.failOn(
      'create',
      new RuntimeFailure('docker.port-busy', 'port 8000 is already in use', { hint: 'free the port' }),
      { service: 'api' },
    );
    const result = await engine.up(project);
    expect(result.failed).toEqual([
      { service: 'api', message: 'port 8000 is already in use' },
      { service: 'web', message: 'dependency api failed to start' },
    ]);
    expect(status('api')).toMatchObject({ state: 'failed', message: 'port 8000 is already in use' });
    expect(status('web')).toMatchObject({ state: 'failed', message: 'dependency api failed to start' });
    expect(status('db').state).toBe('running');
    expect(status('cache').state).toBe('running');
    expect(engine.status().phase).toBe('degraded');
    const diagnostics = events.filter((e) => e.kind === 'diagnostic');
    // One diagnostic, for the cause: the dependent's failure is its consequence.
    expect(diagnostics).toEqual([
      expect.objectContaining({ code: 'docker.port-busy', service: 'api', hint: 'free the port', severity: 'error' }),
    ]);
  });

  it('a failed build fails that service and what depends on it', async () => {
    const { runtime, engine, project, status } = setup([
      fakeService('api', { build: { context: '/src', dockerfile: 'Dockerfile', args: {} } }),
      fakeService('web', { dependsOn: { api: 'service_started' } }),
    ]);
    runtime.onBuild('api', { error: new RuntimeFailure('docker.build-failed', 'build failed: step 3') });
    const result = await engine.up(project);
    expect(result.failed.map((f) => f.service)).toEqual(['api', 'web']);
    expect(status('api')).toMatchObject({ state: 'failed', message: 'build failed: step 3' });
    expect(runtime.calledWith('create')).toHaveLength(0);
  });

  it('a service that keeps restarting while it starts fails after the limit', async () => {
    const { runtime, engine, project, status, clock } = setup([fakeService('web', { restart: { name: 'always' } })]);
    runtime.onStart(
      'web',
      { status: 'exited', exitCode: 1 },
      { status: 'exited', exitCode: 1 },
      { status: 'exited', exitCode: 1 },
      { status: 'exited', exitCode: 1 },
    );
    const up = engine.up(project);
    for (let i = 0; i < 3; i++) {
      await vi.waitFor(() => expect(clock.pending()).toHaveLength(1), { timeout: 2_000, interval: 2 });
      clock.advance(clock.pending()[0]!);
    }
    const result = await up;
    expect(result.failed).toEqual([{ service: 'web', message: 'restarted 3 times while starting' }]);
    expect(status('web').restartCount).toBe(3);
  });
});

describe('restart policies (the supervisor)', () => {
  it('restarts a crashed service with exponential backoff, 0.5 s then 1 s then 2 s', async () => {
    const { runtime, engine, project, status, clock, waitForState } = setup([
      fakeService('web', { restart: { name: 'always' } }),
    ]);
    await engine.up(project);
    const delays: number[] = [];
    for (let i = 1; i <= 3; i++) {
      runtime.exit('web', 1);
      await waitForState('web', 'restarting');
      delays.push(clock.pending()[0]!);
      expect(status('web').message).toBe(`restarting in ${delays.at(-1)} ms (policy always)`);
      clock.advance(delays.at(-1)! - 1);
      expect(runtime.calledWith('start', 'web')).toHaveLength(i); // not yet
      clock.advance(1);
      await waitForState('web', 'running');
      expect(status('web').restartCount).toBe(i);
    }
    expect(delays).toEqual([500, 1000, 2000]);
  });

  it('starts the backoff again after a run longer than 10 s', async () => {
    const { runtime, engine, project, clock, waitForState } = setup([
      fakeService('web', { restart: { name: 'always' } }),
    ]);
    await engine.up(project);
    runtime.exit('web', 1);
    await waitForState('web', 'restarting');
    clock.advance(500);
    await waitForState('web', 'running');
    clock.advance(11_000);
    runtime.exit('web', 1);
    await waitForState('web', 'restarting');
    expect(clock.pending()).toEqual([500]);
  });

  it('on-failure gives up after max retries and leaves the exit visible', async () => {
    const { runtime, engine, project, clock, status, waitForState } = setup([
      fakeService('web', { restart: { name: 'on-failure', maxRetries: 1 } }),
    ]);
    await engine.up(project);
    runtime.exit('web', 2);
    await waitForState('web', 'restarting');
    clock.advance(500);
    await waitForState('web', 'running');
    runtime.exit('web', 2);
    await waitForState('web', 'exited');
    expect(status('web').exitCode).toBe(2);
    expect(clock.pending()).toEqual([]);
    expect(engine.status().phase).toBe('degraded');
  });

  it('on-failure does not restart a clean exit; `no` never restarts', async () => {
    const { runtime, engine, project, clock, waitForState } = setup([
      fakeService('job', { restart: { name: 'on-failure' } }),
      fakeService('web'),
    ]);
    await engine.up(project);
    runtime.exit('job', 0);
    runtime.exit('web', 1);
    await waitForState('job', 'completed');
    await waitForState('web', 'exited');
    expect(clock.pending()).toEqual([]);
  });

  it('an exit reported after a newer start is old news: no crash, no restart', async () => {
    const { runtime, engine, project, clock, status } = setup([fakeService('web', { restart: { name: 'always' } })]);
    await engine.up(project);
    clock.advance(5_000);
    // Every inspection is answered at once but handed back late, so the crash's answer
    // (`exited 137`, from the old run) arrives after the restart below started a new run.
    const release: (() => void)[] = [];
    runtime.holdInspections(() => new Promise<void>((r) => release.push(r)));
    runtime.exit('web', 137);
    await vi.waitFor(() => expect(release).toHaveLength(1), { timeout: 2_000, interval: 2 });
    const restart = engine.restart('web');
    await runtime.waitForCall('start', 'web', 2);
    release.shift()!(); // the stale answer first
    await settle();
    runtime.holdInspections(undefined);
    while (release.length > 0) release.shift()!();
    await restart;
    await settle();
    expect(status('web').state).toBe('running');
    expect(clock.pending()).toEqual([]);
    expect(status('web').restartCount).toBe(1);
  });

  it('applies inspect answers in request order: an older answer never overwrites a newer one', async () => {
    const { runtime, engine, project, status } = setup([fakeService('db', healthy)]);
    const up = engine.up(project);
    await runtime.waitForCall('start', 'db');
    await vi.waitFor(() => expect(status('db').state).toBe('running'), { timeout: 2_000, interval: 2 });
    const release: (() => void)[] = [];
    runtime.holdInspections(() => new Promise<void>((r) => release.push(r)));
    runtime.setHealth('db', 'unhealthy'); // inspected: unhealthy (held)
    runtime.setHealth('db', 'healthy'); // inspected: healthy (held)
    await vi.waitFor(() => expect(release).toHaveLength(2), { timeout: 2_000, interval: 2 });
    release[1]!();
    await settle();
    expect(status('db').state).toBe('healthy');
    release[0]!();
    await settle();
    expect(status('db').state).toBe('healthy');
    runtime.holdInspections(undefined);
    expect((await up).failed).toEqual([]);
  });

  it('does not restart what the engine stopped', async () => {
    const { engine, project, clock, status } = setup([fakeService('web', { restart: { name: 'always' } })]);
    await engine.up(project);
    await engine.stop(project);
    await settle();
    expect(status('web').state).toBe('stopped');
    expect(clock.pending()).toEqual([]);
    expect(engine.status().phase).toBe('stopped');
  });
});

describe('restart and down', () => {
  const stack = () => [
    fakeService('postgres'),
    fakeService('redis'),
    fakeService('migrate', { dependsOn: { postgres: 'service_started' } }),
    fakeService('backend', { dependsOn: { migrate: 'service_started', redis: 'service_started' } }),
    fakeService('frontend', { dependsOn: { backend: { restart: true } } }),
  ];

  it('down removes a service only after everything that depends on it, then the project resources', async () => {
    const { runtime, engine, project, status } = setup(stack());
    await engine.up(project);
    await engine.down(project, { volumes: true });
    const removed = runtime.calls.filter((c) => c.method === 'remove').map((c) => c.service!);
    const before = (a: string, b: string) => expect(removed.indexOf(a)).toBeLessThan(removed.indexOf(b));
    before('frontend', 'backend');
    before('backend', 'migrate');
    before('backend', 'redis');
    before('migrate', 'postgres');
    expect(removed).toHaveLength(5);
    expect(runtime.calls.at(-1)).toEqual({ method: 'removeProjectResources', detail: { volumes: true } });
    for (const s of engine.status().services) expect(s).toMatchObject({ state: 'stopped', ports: [] });
    expect(status('backend').instanceId).toBeUndefined();
    expect(engine.status().phase).toBe('stopped');
  });

  it('down stops unrelated services side by side', async () => {
    const { runtime, engine, project } = setup([fakeService('a'), fakeService('b')]);
    await engine.up(project);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const stop = runtime.stop.bind(runtime);
    runtime.stop = async (id, t) => {
      await stop(id, t);
      await gate;
    };
    const down = engine.down(project);
    await runtime.waitForCall('stop', 'a');
    await runtime.waitForCall('stop', 'b');
    release();
    await down;
  });

  it('restart restarts the service and the dependents that asked for it with `restart: true`', async () => {
    const { runtime, engine, project, status } = setup(stack());
    await engine.up(project);
    await engine.restart('backend');
    expect(runtime.calledWith('stop').map((c) => c.service)).toEqual(['backend', 'frontend']);
    expect(status('backend')).toMatchObject({ state: 'running', restartCount: 1 });
    expect(status('frontend')).toMatchObject({ state: 'running', restartCount: 1 });
  });

  it('restart of a service with no instance says how to start it', async () => {
    const { engine, project } = setup([fakeService('web')]);
    await engine.up(project, { services: [] });
    await engine.down(project);
    await expect(engine.restart('web')).rejects.toThrow('service web has no instance to restart');
  });

  it('runs operations one at a time: a restart asked during up waits for it', async () => {
    const { runtime, engine, project } = setup([fakeService('db', healthy)]);
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
});

describe('attach and logs', () => {
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

  it('follows each running instance’s log onto the bus, and streamLogs reads history by time', async () => {
    const { runtime, engine, project, events, clock } = setup([fakeService('a'), fakeService('b')]);
    await engine.up(project);
    clock.advance(1_000);
    runtime.print('b', 'b says hi');
    clock.advance(1_000);
    runtime.print('a', 'a says hi');
    await vi.waitFor(() => expect(events.filter((e) => e.kind === 'log' && e.stream === 'stdout')).toHaveLength(2), {
      timeout: 2_000,
      interval: 2,
    });
    const lines: string[] = [];
    await engine.streamLogs(project, { follow: false, tail: 10 }, new AbortController().signal, (e) => {
      if (e.kind === 'log') lines.push(`${e.service}: ${e.line}`);
    });
    expect(lines).toEqual(['b: b says hi', 'a: a says hi']);
  });
});

describe('live sync in the loop', () => {
  it('holds a service at `starting` until sync attached, while service_started dependents go', async () => {
    const dir = (await import('node:fs')).mkdtempSync(`${(await import('node:os')).tmpdir()}/engine-sync-`);
    const watch = [{ path: dir, action: 'sync' as const, target: '/app', ignore: [], initialSync: true }];
    const { runtime, engine, project, status, waitForState } = setup([
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
