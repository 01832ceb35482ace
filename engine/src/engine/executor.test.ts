// The executor on the FakeRuntime (driven through the engine that wires it): each depends_on
// condition, a runtime error in the middle of `up`, settling, `down` order and `restart`.

import { describe, expect, it, vi } from 'vitest';
import { RuntimeFailure } from '../errors.js';
import { fakeService } from '../runtime-interface/fake-project.js';
import { engineFixture, healthy, settle } from './engine-fixture.js';

describe('dependency conditions', () => {
  it('service_started: the dependent goes once the dependency runs, before it is healthy', async () => {
    const { runtime, engine, project, status } = engineFixture([
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
    const { runtime, engine, project, status, waitForState } = engineFixture([
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
    const { runtime, engine, project, status, waitForState } = engineFixture([
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
    const { runtime, engine, project, status } = engineFixture([
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
    const { runtime, engine, project, status } = engineFixture([
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
    const { engine, project, status } = engineFixture([
      fakeService('web', { dependsOn: { ghost: 'service_started' } }),
    ]);
    const result = await engine.up(project);
    expect(result.failed).toEqual([{ service: 'web', message: 'dependency ghost is not running' }]);
    expect(status('web').state).toBe('failed');
  });

  it('an optional dependency that is not in the project is ignored', async () => {
    const { engine, project } = engineFixture([fakeService('web', { dependsOn: { ghost: { required: false } } })]);
    expect((await engine.up(project)).failed).toEqual([]);
  });

  it('`up web` brings up what web depends on, and nothing else', async () => {
    const { runtime, engine, project } = engineFixture([
      fakeService('db'),
      fakeService('web', { dependsOn: { db: 'service_started' } }),
      fakeService('admin'),
    ]);
    const result = await engine.up(project, { services: ['web'] });
    expect(result.actions).toEqual({ db: 'created', web: 'created' });
    expect(runtime.calledWith('create', 'admin')).toHaveLength(0);
  });

  it('refuses an unknown service by name', async () => {
    const { engine, project } = engineFixture([fakeService('web')]);
    await expect(engine.up(project, { services: ['wbe'] })).rejects.toThrow('no service named wbe');
  });
});

describe('a runtime error in the middle of up', () => {
  it('leaves statuses that say what failed, and the rest of the stack up', async () => {
    const { runtime, engine, project, status, events } = engineFixture([
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
    const { runtime, engine, project, status } = engineFixture([
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
    const { runtime, engine, project, status, clock } = engineFixture([
      fakeService('web', { restart: { name: 'always' } }),
    ]);
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

describe('restart and down', () => {
  const stack = () => [
    fakeService('postgres'),
    fakeService('redis'),
    fakeService('migrate', { dependsOn: { postgres: 'service_started' } }),
    fakeService('backend', { dependsOn: { migrate: 'service_started', redis: 'service_started' } }),
    fakeService('frontend', { dependsOn: { backend: { restart: true } } }),
  ];

  it('down removes a service only after everything that depends on it, then the project resources', async () => {
    const { runtime, engine, project, status } = engineFixture(stack());
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
    const { runtime, engine, project } = engineFixture([fakeService('a'), fakeService('b')]);
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
    const { runtime, engine, project, status } = engineFixture(stack());
    await engine.up(project);
    await engine.restart('backend');
    expect(runtime.calledWith('stop').map((c) => c.service)).toEqual(['backend', 'frontend']);
    expect(status('backend')).toMatchObject({ state: 'running', restartCount: 1 });
    expect(status('frontend')).toMatchObject({ state: 'running', restartCount: 1 });
  });

  it('restart of a service with no instance says how to start it', async () => {
    const { engine, project } = engineFixture([fakeService('web')]);
    await engine.up(project, { services: [] });
    await engine.down(project);
    await expect(engine.restart('web')).rejects.toThrow('service web has no instance to restart');
  });
});
