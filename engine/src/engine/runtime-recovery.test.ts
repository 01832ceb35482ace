// Faults the engine survives, on the FakeRuntime: its engine going away and coming back (the
// last `up` again, through the planner and executor), an instance removed from outside
// (recreated), a stop or an OOM kill from outside (reported as what they are), a sync link that
// breaks while its instance runs (reopened with a full reconcile), and this process suspended
// (files rescanned, statuses refreshed). The runtime health watch ticks on its own fake clock.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineEvent } from '../model/events.js';
import type { WatchRule } from '../model/spec.js';
import { fakeService } from '../runtime-interface/fake-project.js';
import { engineFixture, healthy, settle, until } from './engine-fixture.js';

const dirs: string[] = [];
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function syncedFolder(): { dir: string; watch: WatchRule[] } {
  const dir = mkdtempSync(path.join(tmpdir(), 'runtime-recovery-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, 'app.py'), 'print(1)\n');
  return { dir, watch: [{ path: dir, action: 'sync', target: '/app', ignore: [], initialSync: false }] };
}

/** db (with a healthcheck) and api (synced, waits for db healthy), brought up. */
async function upStack() {
  const { dir, watch } = syncedFolder();
  const fx = engineFixture([
    fakeService('db', { ...healthy, restart: { name: 'no' } }),
    fakeService('api', { dependsOn: { db: 'service_healthy' }, develop: { watch } }),
  ]);
  cleanups.push(() => fx.engine.close());
  /** Make db healthy once its `nth` start happened (the fake's health is `starting` until told). */
  const dbHealthyAfterStart = async (nth: number) => {
    await fx.runtime.waitForCall('start', 'db', nth);
    await until(
      () => fx.runtime.instanceOf('db')?.state.status === 'running',
      () => 'db never ran',
    );
    fx.runtime.setHealth('db', 'healthy');
  };
  const up = fx.engine.up(fx.project);
  await dbHealthyAfterStart(1);
  expect((await up).failed).toEqual([]);
  return { ...fx, dir, dbHealthyAfterStart };
}

/** The runtime's engine stops (its instances end with `exitCodes`), is seen to be away, and answers again. */
async function restartEngine(
  fx: Pick<ReturnType<typeof engineFixture>, 'runtime' | 'engine' | 'healthClock'>,
  exitCodes: Record<string, number> = {},
): Promise<void> {
  fx.runtime.engineStops(exitCodes);
  fx.healthClock.advance(1_000);
  await until(
    () => fx.engine.status().runtimeHealth?.state === 'unavailable',
    () => 'still available',
  );
  fx.runtime.engineStarts();
  fx.healthClock.advance(1_000);
}

const diagnostics = (events: EngineEvent[], code: string) =>
  events.flatMap((e) => (e.kind === 'diagnostic' && e.code === code ? [e.message] : []));
const statesOf = (events: EngineEvent[], service: string) =>
  events.flatMap((e) => (e.kind === 'status' && e.service === service ? [e.status.state] : []));

describe('the runtime’s engine goes away and comes back', () => {
  it('says at once that it is unavailable, never calls a stopped server completed, and runs the last up again', async () => {
    const { runtime, engine, events, healthClock, status, dbHealthyAfterStart } = await upStack();
    expect(engine.status().runtimeHealth?.state).toBe('available');
    const firstTransport = runtime.transports.get('api')![0]!;
    expect(firstTransport.tree.has('app.py')).toBe(false); // no initial sync asked for, nothing changed

    // api handles SIGTERM and exits 0; db ignores it and is killed after the grace period.
    runtime.engineStops({ api: 0, db: 137 });
    healthClock.advance(1_000);
    await until(
      () => engine.status().runtimeHealth?.state === 'unavailable',
      () => `runtime health is ${JSON.stringify(engine.status().runtimeHealth)}`,
    );
    expect(engine.status().runtimeHealth?.message).toMatch(/does not answer .*waiting for it/);
    const unavailable = events.find((e) => e.kind === 'project' && e.runtime?.state === 'unavailable');
    expect(unavailable).toBeDefined();

    // The engine is back; its event stream (reconnected) reports the exits before devenv's tick does.
    runtime.engineStarts();
    runtime.notify(runtime.instanceOf('api')!.id, 'die (exit 0)');
    runtime.notify(runtime.instanceOf('db')!.id, 'die (exit 137)');
    await until(
      () => status('api').state === 'stopped' && status('db').state === 'stopped',
      () => `api ${status('api').state}, db ${status('db').state}`,
    );
    expect(status('api').exit).toEqual({ code: 0, by: 'runtime-restart' });

    healthClock.advance(1_000);
    await dbHealthyAfterStart(2);
    await until(
      () =>
        engine.status().runtimeHealth?.state === 'available' && diagnostics(events, 'engine.reconverged').length > 0,
      () => `runtime health ${engine.status().runtimeHealth?.state}; api ${status('api').state}`,
    );
    expect(status('db').state).toBe('healthy');
    expect(status('api').state).toBe('running');
    expect(diagnostics(events, 'engine.reconverge')[0]).toMatch(/the Docker engine came back/);
    expect(diagnostics(events, 'engine.reconverged')).toEqual(['environment brought back (db started, api started)']);
    // The same instances started again: nothing created, nothing removed.
    expect(runtime.calledWith('create')).toHaveLength(2);
    expect(runtime.calledWith('remove')).toHaveLength(0);
    expect(runtime.calledWith('start', 'api')).toHaveLength(2);
    // Sync re-attached with a full reconcile: the new link carries the files.
    const transports = runtime.transports.get('api')!;
    expect(transports).toHaveLength(2);
    expect(transports[1]!.tree.has('app.py')).toBe(true);
    expect(status('api').syncLink?.state).toBe('live');
    // Never `completed`, for either of them, at any moment.
    expect([...statesOf(events, 'api'), ...statesOf(events, 'db')]).not.toContain('completed');
  });

  it('an up caught waiting by the engine’s departure ends when it returns, and the re-converge finishes the job', async () => {
    const { watch } = syncedFolder();
    const { runtime, engine, project, events, healthClock, status } = engineFixture([
      fakeService('db', healthy),
      fakeService('api', { dependsOn: { db: 'service_healthy' }, develop: { watch } }),
    ]);
    cleanups.push(() => engine.close());
    const up = engine.up(project);
    await runtime.waitForCall('start', 'db');
    // db never got healthy: the up waits for it.
    await restartEngine({ runtime, engine, healthClock }, { db: 137 });
    const first = await up;
    expect(first.failed.map((f) => f.service).sort()).toEqual(['api', 'db']);
    await runtime.waitForCall('start', 'db', 2);
    await until(
      () => runtime.instanceOf('db')?.state.status === 'running',
      () => 'db not started again',
    );
    runtime.setHealth('db', 'healthy');
    await until(
      () => diagnostics(events, 'engine.reconverged').length === 1,
      () => `db ${status('db').state}, api ${status('api').state}`,
    );
    expect(status('api').state).toBe('running');
    expect(engine.status().runtimeHealth?.state).toBe('available');
  });

  it('brings nothing back once the user stopped the environment', async () => {
    const { runtime, engine, events, healthClock, project, status } = await upStack();
    await engine.stop(project);
    expect(status('api').syncLink).toBeUndefined(); // nothing reaches a stopped instance, nothing to show
    await restartEngine({ runtime, engine, healthClock });
    await until(
      () => engine.status().runtimeHealth?.state === 'available',
      () => 'not available again',
    );
    await settle();
    expect(diagnostics(events, 'engine.reconverge')).toEqual([]);
    expect(runtime.calledWith('start')).toHaveLength(2);
  });
});

/** Listens on 127.0.0.1:port as debugpy's published port does while its instance runs. */
async function debuggerPort(port: number): Promise<Server> {
  const server = createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('an instance removed from outside', () => {
  it('is recreated through up, with its sync and debugger re-attached on the same port', async () => {
    const { dir, watch } = syncedFolder();
    const { runtime, engine, project, events, status, waitForState } = engineFixture([
      fakeService('api', { command: ['python3', 'app.py'], develop: { watch } }),
    ]);
    cleanups.push(() => engine.close());
    const up = engine.up(project);
    await until(
      () => status('api').debug !== undefined,
      () => 'no debug endpoint planned',
    );
    let listener = await debuggerPort(status('api').debug!.hostPort);
    cleanups.push(async () => void listener.close());
    expect((await up).failed).toEqual([]);
    const before = status('api');
    // The container goes, and its published debug port with it.
    await new Promise((r) => listener.close(r));
    runtime.removeOutside('api');
    await runtime.waitForCall('create', 'api', 2);
    listener = await debuggerPort(status('api').debug!.hostPort);
    await until(
      () => status('api').instanceId !== before.instanceId && diagnostics(events, 'engine.reconverged').length > 0,
      () => `api is ${status('api').state} (${status('api').message ?? ''})`,
    );
    expect(runtime.calledWith('create', 'api')).toHaveLength(2);
    expect(status('api').debug?.hostPort).toBe(before.debug?.hostPort);
    expect(runtime.instanceOf('api')!.spec!.command?.join(' ')).toMatch(/debugpy --listen/);
    await waitForState('api', 'running');
    expect(status('api').syncLink?.state).toBe('live');
    expect(runtime.transports.get('api')).toHaveLength(2);
    expect(diagnostics(events, 'engine.reconverge')[0]).toMatch(/api was removed from outside devenv/);
    expect(diagnostics(events, 'engine.reconverged')).toEqual(['environment brought back (api created)']);
    writeFileSync(path.join(dir, 'new.py'), 'x = 1\n');
    await until(
      () => runtime.transports.get('api')![1]!.tree.has('new.py'),
      () => 'new.py never reached the new instance',
    );
  });
});

describe('exits from outside are what they are', () => {
  it('a stop from outside is stopped and stays so, even under `restart: always`', async () => {
    const { runtime, engine, project, clock, status, waitForState } = engineFixture([
      fakeService('web', { restart: { name: 'always' } }),
    ]);
    cleanups.push(() => engine.close());
    await engine.up(project);
    runtime.exit('web', 0, { signalled: 'SIGTERM' });
    await waitForState('web', 'stopped');
    expect(status('web').exit).toEqual({ code: 0, signal: 'SIGTERM', by: 'request' });
    expect(status('web').message).toMatch(/stopped from outside devenv/);
    expect(clock.pending()).toEqual([]);
  });

  it('an OOM kill is killed (OOM); its policy restarts it, and without one it stays killed', async () => {
    const { runtime, engine, project, clock, status, waitForState } = engineFixture([
      fakeService('worker', { restart: { name: 'on-failure' } }),
      fakeService('job'),
    ]);
    cleanups.push(() => engine.close());
    await engine.up(project);
    runtime.exit('job', 137, { oomKilled: true });
    await waitForState('job', 'killed');
    expect(status('job').exit).toEqual({ code: 137, oomKilled: true, signal: 'SIGKILL' });
    runtime.exit('worker', 137, { oomKilled: true });
    await waitForState('worker', 'restarting');
    expect(status('worker').exit?.oomKilled).toBe(true);
    clock.advance(500);
    await waitForState('worker', 'running');
    expect(status('worker').exit).toBeUndefined();
  });
});

describe('a sync link that breaks while its instance runs', () => {
  it('is reopened at once with a full reconcile, and the status shows the reconnect', async () => {
    const { dir, watch } = syncedFolder();
    const { runtime, engine, project, events, clock, status } = engineFixture([
      fakeService('api', { develop: { watch } }),
    ]);
    cleanups.push(() => engine.close());
    await engine.up(project);
    expect(status('api').syncLink?.state).toBe('live');
    runtime.breakSync('api', 'exec stream ended: agent killed');
    expect(status('api').syncLink).toMatchObject({ state: 'reconnecting', reason: 'exec stream ended: agent killed' });
    writeFileSync(path.join(dir, 'saved-meanwhile.py'), 'y = 2\n');
    clock.advance(0);
    await until(
      () => status('api').syncLink?.state === 'live',
      () => `sync is ${JSON.stringify(status('api').syncLink)}`,
    );
    const transports = runtime.transports.get('api')!;
    expect(transports).toHaveLength(2);
    await until(
      () => transports[1]!.tree.has('saved-meanwhile.py') && transports[1]!.tree.has('app.py'),
      () => `the new link holds ${[...transports[1]!.tree.keys()].join(', ')}`,
    );
    const linkStates = events.flatMap((e) =>
      e.kind === 'status' && e.service === 'api' && e.status.syncLink ? [e.status.syncLink.state] : [],
    );
    expect(linkStates.lastIndexOf('reconnecting')).toBeGreaterThan(linkStates.indexOf('live'));
    expect(linkStates.at(-1)).toBe('live');
    expect(status('api').state).toBe('running');
  });
});

describe('a sync link that ends because devenv stops its instance', () => {
  it('is closed first on a restart: nothing reconnects into the stopping instance, one new link after', async () => {
    const { watch } = syncedFolder();
    const { runtime, engine, project, events, status } = engineFixture([fakeService('api', { develop: { watch } })]);
    cleanups.push(() => engine.close());
    await engine.up(project);
    expect(status('api').syncLink?.state).toBe('live');
    await engine.restart('api');
    await until(
      () => status('api').syncLink?.state === 'live' && status('api').state === 'running',
      () => `api is ${status('api').state}, sync ${JSON.stringify(status('api').syncLink)}`,
    );
    const linkStates = events.flatMap((e) =>
      e.kind === 'status' && e.service === 'api' && e.status.syncLink ? [e.status.syncLink.state] : [],
    );
    expect(linkStates).not.toContain('reconnecting');
    expect(events.some((e) => e.kind === 'log' && e.line.includes('link into the container closed'))).toBe(false);
    expect(runtime.calledWith('attachSync')).toHaveLength(2);
  });
});

describe('this process suspended (a laptop asleep, SIGSTOP)', () => {
  it('is noticed by the late tick: files rescanned, statuses refreshed, and says so', async () => {
    const { watch } = syncedFolder();
    const { runtime, engine, project, events, healthClock, suspend } = engineFixture([
      fakeService('api', { develop: { watch } }),
    ]);
    cleanups.push(() => engine.close());
    await engine.up(project);
    const inspections = runtime.calledWith('inspect').length;
    healthClock.advance(1_000);
    await settle();
    expect(diagnostics(events, 'engine.resumed')).toEqual([]);
    suspend(60_000);
    healthClock.advance(1_000);
    await until(
      () => diagnostics(events, 'engine.resumed').length === 1,
      () => 'no resume noticed',
    );
    expect(diagnostics(events, 'engine.resumed')[0]).toMatch(/suspended for 61 s/);
    await until(
      () => runtime.calledWith('inspect').length > inspections,
      () => 'statuses not refreshed',
    );
    await until(
      () => events.some((e) => e.kind === 'log' && /full rescan \(resumed after 61 s suspended\)/.test(e.line)),
      () => 'no rescan',
    );
  });
});
