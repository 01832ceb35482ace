// The supervisor: restart policies with backoff on a fake clock, stale exits, inspect answers in
// request order. First through the engine (restarts go through its instance control), then the
// Supervisor alone on a StatusStore.

import { describe, expect, it, vi } from 'vitest';
import type { ServiceSpec } from '../model/spec.js';
import { fakeHealthcheck, fakeProject, fakeService } from '../runtime-interface/fake-project.js';
import { FakeRuntime } from '../runtime-interface/fake-runtime.js';
import { FakeClock } from '../shared/fake-clock.js';
import { engineFixture, healthy, settle } from './engine-fixture.js';
import { EventBus } from './event-bus.js';
import { StatusStore } from './status-store.js';
import { isStaleExit, Supervisor, stateOf, urlOf } from './supervisor.js';

describe('restart policies (the supervisor)', () => {
  it('restarts a crashed service with exponential backoff, 0.5 s then 1 s then 2 s', async () => {
    const { runtime, engine, project, status, clock, waitForState } = engineFixture([
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
    const { runtime, engine, project, clock, waitForState } = engineFixture([
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
    const { runtime, engine, project, clock, status, waitForState } = engineFixture([
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
    const { runtime, engine, project, clock, waitForState } = engineFixture([
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
    const { runtime, engine, project, clock, status } = engineFixture([
      fakeService('web', { restart: { name: 'always' } }),
    ]);
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
    const { runtime, engine, project, status } = engineFixture([fakeService('db', healthy)]);
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
    const { engine, project, clock, status } = engineFixture([fakeService('web', { restart: { name: 'always' } })]);
    await engine.up(project);
    await engine.stop(project);
    await settle();
    expect(status('web').state).toBe('stopped');
    expect(clock.pending()).toEqual([]);
    expect(engine.status().phase).toBe('stopped');
  });
});

describe('Supervisor alone', () => {
  /** A supervisor over one service whose instance runs; the restart hook starts it again. */
  async function running(spec: ServiceSpec) {
    const clock = new FakeClock();
    const runtime = new FakeRuntime({ clock });
    const store = new StatusStore(new EventBus());
    const restarted: string[] = [];
    const gone: string[] = [];
    const unreachable: string[] = [];
    const supervisor: Supervisor = new Supervisor(runtime, store, clock, {
      restart: async (r) => {
        restarted.push(r.spec.name);
        supervisor.started(r);
        await runtime.start(r.instanceId!);
        await supervisor.refresh(r);
      },
      running: () => undefined,
      gone: (r) => gone.push(r.spec.name),
      unreachable: (err) => unreachable.push((err as Error).message),
    });
    const rec = store.track(spec);
    rec.instanceId = await runtime.create(spec, { project: fakeProject([spec]), specHash: 'h' });
    supervisor.started(rec);
    await runtime.start(rec.instanceId);
    supervisor.watch('demo');
    await supervisor.refresh(rec);
    return { clock, runtime, store, supervisor, rec, restarted, gone, unreachable };
  }

  it('folds an inspection into the status: state, health, ports, url, restart count', async () => {
    const web = fakeService('web', {
      ports: [{ hostIp: '127.0.0.1', published: 8080, target: 80, protocol: 'tcp', hostIpExplicit: false }],
    });
    const { rec } = await running(web);
    expect(rec.status).toMatchObject({
      state: 'running',
      health: 'none',
      instanceId: rec.instanceId,
      url: 'http://127.0.0.1:8080',
      restartCount: 0,
    });
  });

  it('schedules a policy restart after a crash, with the backoff on the clock', async () => {
    const { clock, runtime, rec, restarted, gone } = await running(fakeService('web', { restart: { name: 'always' } }));
    runtime.exit('web', 1);
    await vi.waitFor(() => expect(rec.status.state).toBe('restarting'), { timeout: 2_000, interval: 2 });
    expect(gone).toEqual(['web']);
    expect(clock.pending()).toEqual([500]);
    clock.advance(500);
    await vi.waitFor(() => expect(rec.status.state).toBe('running'), { timeout: 2_000, interval: 2 });
    expect(restarted).toEqual(['web']);
    expect(rec.status.restartCount).toBe(1);
  });

  it('ignores an exit of a run older than the latest start', async () => {
    const { clock, runtime, supervisor, rec } = await running(fakeService('web', { restart: { name: 'always' } }));
    runtime.exit('web', 137, { notify: false }); // the old run's exit, stamped with the old start
    clock.advance(1_000);
    supervisor.started(rec); // the engine started it again meanwhile
    await supervisor.refresh(rec, 'die');
    expect(rec.status.state).toBe('running');
    expect(clock.pending()).toEqual([]);
  });

  it('drops an inspect answer older than one already applied', async () => {
    const { runtime, supervisor, rec } = await running(fakeService('db', { healthcheck: fakeHealthcheck }));
    const release: (() => void)[] = [];
    runtime.holdInspections(() => new Promise<void>((r) => release.push(r)));
    runtime.instanceOf('db')!.state.health = 'unhealthy';
    const older = supervisor.refresh(rec);
    runtime.instanceOf('db')!.state.health = 'healthy';
    const newer = supervisor.refresh(rec);
    await vi.waitFor(() => expect(release).toHaveLength(2), { timeout: 2_000, interval: 2 });
    release[1]!();
    await newer;
    release[0]!();
    await older;
    expect(rec.status.state).toBe('healthy');
  });

  it('keeps the last known state of an instance it cannot inspect, says why, and has the runtime looked at', async () => {
    const { runtime, store, supervisor, rec, unreachable } = await running(fakeService('web'));
    const lines: string[] = [];
    store.bus.subscribe((e) => e.kind === 'log' && lines.push(e.line));
    runtime.failOn('inspect', new Error('connection reset'));
    await supervisor.refresh(rec);
    expect(rec.status.state).toBe('running');
    expect(lines).toEqual(['inspect failed: connection reset']);
    expect(unreachable).toEqual(['connection reset']);
  });

  it('shows an exit the engine caused as stopped, and never restarts it', async () => {
    const { clock, runtime, supervisor, rec } = await running(fakeService('web', { restart: { name: 'always' } }));
    rec.stopping = true;
    await runtime.stop(rec.instanceId!, 1_000);
    await supervisor.refresh(rec, 'die');
    expect(rec.status.state).toBe('stopped');
    expect(clock.pending()).toEqual([]);
  });

  it('still supervises after a pending restart was cancelled (the instance replaced meanwhile)', async () => {
    const { clock, runtime, supervisor, rec, restarted } = await running(
      fakeService('web', { restart: { name: 'always' } }),
    );
    runtime.exit('web', 1);
    await vi.waitFor(() => expect(clock.pending()).toEqual([500]), { timeout: 2_000, interval: 2 });
    supervisor.cancelRestart(rec);
    supervisor.started(rec);
    await runtime.start(rec.instanceId!);
    await supervisor.refresh(rec);
    clock.advance(20_000);
    runtime.exit('web', 1);
    await vi.waitFor(() => expect(clock.pending()).toEqual([500]), { timeout: 2_000, interval: 2 });
    expect(restarted).toEqual([]);
  });

  it('restarts nothing once closed', async () => {
    const { clock, runtime, supervisor, rec } = await running(fakeService('web', { restart: { name: 'always' } }));
    supervisor.close();
    runtime.exit('web', 1);
    await supervisor.refresh(rec, 'die');
    expect(rec.status.state).toBe('exited');
    expect(clock.pending()).toEqual([]);
  });

  it('maps runtime states to service states, and finds the URL a person opens', () => {
    const base = { health: 'none' as const, restartCount: 0, ports: [] };
    expect(stateOf({ ...base, status: 'running', health: 'healthy' })).toBe('healthy');
    expect(stateOf({ ...base, status: 'created' })).toBe('starting');
    expect(stateOf({ ...base, status: 'exited', exitCode: 0 })).toBe('completed');
    expect(stateOf({ ...base, status: 'dead', exitCode: 3 })).toBe('exited');
    expect(stateOf({ ...base, status: 'dead', exitCode: 137 })).toBe('killed');
    expect(stateOf({ ...base, status: 'missing' })).toBe('stopped');
    const ports = [
      { hostIp: '127.0.0.1', hostPort: 5432, containerPort: 5432, protocol: 'tcp' as const },
      { hostIp: '0.0.0.0', hostPort: 5678, containerPort: 5678, protocol: 'tcp' as const },
      { hostIp: '::1', hostPort: 8000, containerPort: 8000, protocol: 'tcp' as const },
    ];
    expect(urlOf(fakeService('api'), { ...base, status: 'running', ports }, 5678)).toBe('http://[::1]:8000');
    expect(
      urlOf(fakeService('api', { devenv: { url: 'http://app.test' } }), { ...base, status: 'running', ports }),
    ).toBe('http://app.test');
    expect(isStaleExit({ ...base, status: 'exited', startedAt: new Date(1_000).toISOString() }, 2_000)).toBe(true);
    expect(isStaleExit({ ...base, status: 'exited', startedAt: new Date(1_990).toISOString() }, 2_000)).toBe(false);
    expect(isStaleExit({ ...base, status: 'running', startedAt: new Date(1_000).toISOString() }, 2_000)).toBe(false);
  });
});
