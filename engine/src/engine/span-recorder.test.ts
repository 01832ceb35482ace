// The spans an `up` records on the event stream, on the FakeRuntime with a FakeClock: each
// service's phases in order with their durations, the dependency waits with what they waited
// for, failures and cancellations as outcomes, reloads as their own roots, and the timeline and
// critical path the model folds from them.

import { describe, expect, it } from 'vitest';
import { criticalPath } from '../model/critical-path.js';
import type { SpanEvent } from '../model/events.js';
import { servicePhases, spanLabel, spanMs, type Timeline, TimelineBuilder } from '../model/timeline.js';
import { fakeService } from '../runtime-interface/fake-project.js';
import { engineFixture, healthy, settle, until } from './engine-fixture.js';

function timelineOf(events: readonly { kind: string }[]): Timeline {
  const builder = new TimelineBuilder();
  for (const e of events) builder.apply(e as SpanEvent);
  const t = builder.current;
  if (!t) throw new Error('no up timeline');
  return t;
}

/** `label duration-in-ms` for each phase of a service, in the order they began. */
function phases(t: Timeline, service: string): string[] {
  return servicePhases(t, service).map((s) => `${spanLabel(s)} ${spanMs(s)}`);
}

describe('the spans of an up', () => {
  // db is healthy after 3 s; migrate (waiting for db healthy) runs 1 s; web's build takes 1 s, then
  // it waits for db healthy and migrate completed, and is healthy 0.5 s after it starts.
  async function stackUp() {
    const fx = engineFixture([
      fakeService('db', healthy),
      fakeService('migrate', { dependsOn: { db: 'service_healthy' } }),
      fakeService('web', {
        ...healthy,
        build: { context: '/nonexistent/web' } as never,
        dependsOn: { db: 'service_healthy', migrate: 'service_completed_successfully' },
      }),
      fakeService('cache'),
    ]);
    const { runtime, engine, project, clock, waitForState } = fx;
    let releaseBuild: () => void = () => undefined;
    runtime.onBuild('web', { gate: new Promise<void>((r) => (releaseBuild = r)) });
    const up = engine.up(project);
    await waitForState('db', 'running');
    clock.advance(1_000);
    releaseBuild();
    await waitForState('web', 'waiting');
    clock.advance(2_000);
    runtime.setHealth('db', 'healthy');
    await runtime.waitForCall('start', 'migrate');
    await waitForState('migrate', 'running');
    clock.advance(1_000);
    runtime.exit('migrate', 0);
    await runtime.waitForCall('start', 'web');
    await waitForState('web', 'running');
    clock.advance(500);
    runtime.setHealth('web', 'healthy');
    const result = await up;
    expect(result.failed).toEqual([]);
    return { ...fx, timeline: timelineOf(fx.events) };
  }

  it('gives each service its phases in order, timed by the engine clock', async () => {
    const { timeline } = await stackUp();
    expect(phases(timeline, 'db')).toEqual(['pull 0', 'create 0', 'start 0', 'healthy 3000']);
    expect(phases(timeline, 'migrate')).toEqual([
      'pull 0',
      'wait db (healthy) 3000',
      'create 0',
      'start 0',
      // Without a healthcheck a one-shot settles when it runs; web's wait shows its run to the exit.
      'running 0',
    ]);
    expect(phases(timeline, 'web')).toEqual([
      'build 1000',
      'wait db (healthy) 2000',
      'wait migrate (completed) 3000',
      'create 0',
      'start 0',
      'healthy 500',
    ]);
    expect(phases(timeline, 'cache')).toEqual(['pull 0', 'create 0', 'start 0', 'running 0']);
    const web = timeline.spans.find((s) => s.name === 'service' && s.service === 'web')!;
    expect(web).toMatchObject({ outcome: 'ok', attrs: { action: 'created' } });
    expect(spanMs(web)).toBe(4_500);
    expect(timeline).toMatchObject({ project: 'demo', runtime: 'docker', outcome: 'ok' });
    expect(spanMs(timeline.spans[0]!)).toBe(4_500);
  });

  it('marks the critical path: the chain of phases that decided when up ended', async () => {
    const { timeline } = await stackUp();
    const byId = new Map(timeline.spans.map((s) => [s.id, s]));
    const path = criticalPath(timeline).map((id) => {
      const s = byId.get(id)!;
      return s.name === 'service' || s.name === 'prepare' ? `[${spanLabel(s)}]` : `${s.service} ${spanLabel(s)}`;
    });
    expect(path).toEqual([
      '[prepare project]',
      '[db]',
      'db pull',
      'db create',
      'db start',
      'db healthy',
      '[migrate]',
      'migrate wait db (healthy)',
      'migrate create',
      'migrate start',
      'migrate running',
      '[web]',
      'web wait migrate (completed)',
      'web create',
      'web start',
      'web healthy',
    ]);
  });

  it('ends a failing service failed, its dependents failed too, and the up failed', async () => {
    const { runtime, engine, project, events } = engineFixture([
      fakeService('db', healthy),
      fakeService('web', { dependsOn: { db: 'service_healthy' } }),
    ]);
    runtime.onStart('db', { status: 'exited', exitCode: 3 });
    await engine.up(project);
    const t = timelineOf(events);
    const db = t.spans.find((s) => s.name === 'service' && s.service === 'db')!;
    const web = t.spans.find((s) => s.name === 'service' && s.service === 'web')!;
    expect(db).toMatchObject({ outcome: 'failed', message: 'exited with code 3' });
    expect(web).toMatchObject({ outcome: 'failed', message: 'dependency db exited with code 3' });
    expect(servicePhases(t, 'web').find((s) => s.name === 'wait')).toMatchObject({ outcome: 'failed' });
    expect(servicePhases(t, 'db').at(-1)).toMatchObject({
      name: 'healthy',
      outcome: 'failed',
      message: 'exited with code 3',
    });
    expect(t.outcome).toBe('failed');
    expect(t.spans.every((s) => s.end !== undefined)).toBe(true);
  });

  it('down cancels an up whose services wait for a dependency that never gets healthy', async () => {
    const { runtime, engine, project, events, waitForState } = engineFixture([
      fakeService('db', healthy),
      fakeService('web', { dependsOn: { db: 'service_healthy' } }),
    ]);
    const up = engine.up(project);
    await waitForState('web', 'waiting');
    const down = engine.down(project);
    const result = await up;
    await down;
    expect(result.failed.map((f) => f.service).sort()).toEqual(['db', 'web']);
    const t = timelineOf(events);
    expect(t.spans.find((s) => s.name === 'healthy' && s.service === 'db')).toMatchObject({ outcome: 'cancelled' });
    expect(servicePhases(t, 'web').map((s) => [s.name, s.outcome])).toEqual([
      ['pull', 'ok'],
      ['wait', 'cancelled'],
    ]);
    expect(runtime.instances.size).toBe(0);
    // Nothing that was cancelled is reported as a runtime failure.
    expect(events.filter((e) => e.kind === 'diagnostic')).toEqual([]);
  });

  it('records a first sync inside the start of a service whose files are synced', async () => {
    const { runtime, engine, project, events } = engineFixture([
      fakeService('web', {
        develop: {
          watch: [{ path: '/nonexistent/src', target: '/app/src', action: 'sync', ignore: [], initialSync: false }],
        },
      }),
    ]);
    let release: () => void = () => undefined;
    runtime.syncGate = new Promise<void>((r) => (release = r));
    const up = engine.up(project);
    await until(
      () => phases(timelineOf(events), 'web').some((p) => p.startsWith('first sync')),
      () => phases(timelineOf(events), 'web').join(', '),
    );
    release();
    await up;
    expect(servicePhases(timelineOf(events), 'web').map((s) => s.name)).toEqual([
      'pull',
      'create',
      'start',
      'sync',
      'healthy',
    ]);
  });

  it('a watch action is a reload span of its own, outside the up timeline', async () => {
    const { engine, project, events } = engineFixture([fakeService('web')]);
    await engine.up(project);
    const before = timelineOf(events);
    await (engine as unknown as { reload(s: string, a: string, f: () => Promise<void>): Promise<void> }).reload(
      'web',
      'restart',
      () => engine.restart('web'),
    );
    await settle();
    const reload = events.filter((e): e is SpanEvent => e.kind === 'span' && e.name === 'reload');
    expect(reload.map((e) => [e.edge, e.service, e.attrs?.action ?? e.outcome])).toEqual([
      ['begin', 'web', 'restart'],
      ['end', 'web', 'ok'],
    ]);
    expect(timelineOf(events)).toEqual(before);
  });

  it('ids are unique, every begin has one end, and ends never come before their begins', async () => {
    const { events } = await stackUp();
    const spans = events.filter((e): e is SpanEvent => e.kind === 'span');
    const begins = spans.filter((e) => e.edge === 'begin').map((e) => e.id);
    const ends = spans.filter((e) => e.edge === 'end').map((e) => e.id);
    expect(new Set(begins).size).toBe(begins.length);
    expect([...ends].sort()).toEqual([...begins].sort());
    for (const id of begins) {
      const b = spans.findIndex((e) => e.id === id && e.edge === 'begin');
      const e = spans.findIndex((x) => x.id === id && x.edge === 'end');
      expect(e).toBeGreaterThan(b);
    }
  });
});
