// The log follower: instances' lines onto the bus without repeats, a new run's lines only, and
// daemon-less reading interleaved by time.

import { describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../model/events.js';
import { fakeProject, fakeService } from '../runtime-interface/fake-project.js';
import { FakeRuntime } from '../runtime-interface/fake-runtime.js';
import type { LogLine } from '../runtime-interface/runtime.js';
import { FakeClock } from '../shared/fake-clock.js';
import { engineFixture } from './engine-fixture.js';
import { type FollowedService, LogFollower } from './log-follower.js';

/** A follower over one instance of `web` that runs on the FakeRuntime. */
async function follower() {
  const clock = new FakeClock();
  const runtime = new FakeRuntime({ clock });
  const events: EngineEvent[] = [];
  const system: string[] = [];
  const logs = new LogFollower(
    runtime,
    (e) => events.push(e),
    (_s, line) => system.push(line),
  );
  const spec = fakeService('web');
  const rec: FollowedService = {
    spec,
    instanceId: await runtime.create(spec, { project: fakeProject([spec]), specHash: 'h' }),
  };
  await runtime.start(rec.instanceId!);
  const lines = () => events.flatMap((e) => (e.kind === 'log' ? [e.line] : []));
  return { clock, runtime, logs, rec, lines, system };
}

describe('LogFollower', () => {
  it('follows each running instance’s log onto the bus, and streamLogs reads history by time', async () => {
    const { runtime, engine, project, events, clock } = engineFixture([fakeService('a'), fakeService('b')]);
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

  it('never shows a line twice when the stream is followed again', async () => {
    const { clock, runtime, logs, rec, lines } = await follower();
    runtime.print('web', 'one');
    logs.follow(rec);
    await vi.waitFor(() => expect(lines()).toEqual(['one']), { timeout: 2_000, interval: 2 });
    logs.stop(rec);
    clock.advance(10);
    runtime.print('web', 'two');
    logs.follow(rec); // from the start of the log again: `one` is old news
    await vi.waitFor(() => expect(lines()).toEqual(['one', 'two']), { timeout: 2_000, interval: 2 });
    logs.follow(rec); // already following: no second stream
    clock.advance(10);
    runtime.print('web', 'three');
    await vi.waitFor(() => expect(lines()).toEqual(['one', 'two', 'three']), { timeout: 2_000, interval: 2 });
    logs.close();
  });

  it('after a new run, shows only what that run prints; a new instance shows its whole log', async () => {
    const { clock, runtime, logs, rec, lines } = await follower();
    runtime.print('web', 'before the restart');
    clock.advance(5_000);
    logs.newRun(rec, clock.now() / 1000 - 1);
    runtime.print('web', 'after the restart');
    logs.follow(rec);
    await vi.waitFor(() => expect(lines()).toEqual(['after the restart']), { timeout: 2_000, interval: 2 });
    logs.stop(rec);
    // A new instance (recreated): its whole log is this run's, even lines stamped before the
    // last restart the follower knew of.
    rec.instanceId = await runtime.create(fakeService('web'), { project: fakeProject([]), specHash: 'h2' });
    await runtime.start(rec.instanceId);
    logs.newRun(rec, clock.now() / 1000 + 100);
    runtime.print('web', 'boot of the new instance');
    logs.newInstance(rec);
    logs.follow(rec);
    await vi.waitFor(() => expect(lines()).toEqual(['after the restart', 'boot of the new instance']), {
      timeout: 2_000,
      interval: 2,
    });
    logs.close();
  });

  it('shows every line of a replicated service, though instances’ lines arrive out of time order', async () => {
    const { runtime, logs, rec, lines } = await follower();
    // Three instances print at nearly the same time; their streams deliver in another order.
    const arrived: LogLine[] = [
      { stream: 'stdout', ts: '2026-01-01T00:00:00.300Z', line: '[2] up', replica: 2 },
      { stream: 'stdout', ts: '2026-01-01T00:00:00.100Z', line: '[1] up', replica: 1 },
      { stream: 'stdout', ts: '2026-01-01T00:00:00.200Z', line: '[3] up', replica: 3 },
      { stream: 'stdout', ts: '2026-01-01T00:00:00.300Z', line: '[2] up', replica: 2 }, // repeated by a re-attach
      { stream: 'stdout', ts: '2026-01-01T00:00:00.400Z', line: '[1] again', replica: 1 },
    ];
    runtime.logs = async function* () {
      yield* arrived;
    };
    logs.follow(rec);
    await vi.waitFor(() => expect(lines()).toEqual(['[2] up', '[1] up', '[3] up', '[1] again']), {
      timeout: 2_000,
      interval: 2,
    });
    logs.close();
  });

  it('says so in the service log when a stream breaks, and not when it was stopped', async () => {
    const { runtime, logs, rec, system } = await follower();
    runtime.failOn('logs', new Error('connection reset'));
    logs.follow(rec);
    await vi.waitFor(() => expect(system).toEqual(['log stream ended: connection reset']), {
      timeout: 2_000,
      interval: 2,
    });
    logs.follow(rec);
    logs.stop(rec);
    await new Promise((r) => setTimeout(r, 20));
    expect(system).toHaveLength(1);
  });

  it('a stream that breaks ends the whole follow: nothing of it keeps reading', async () => {
    const { runtime, logs, rec, system } = await follower();
    let signalOfFollow: AbortSignal | undefined;
    runtime.logs = async function* (_id, _opts, signal) {
      signalOfFollow = signal;
      yield { stream: 'stdout', ts: '2026-01-01T00:00:00.000Z', line: 'one' };
      throw new Error('replica 2: connection reset');
    };
    logs.follow(rec);
    await vi.waitFor(() => expect(system).toEqual(['log stream ended: replica 2: connection reset']), {
      timeout: 2_000,
      interval: 2,
    });
    expect(signalOfFollow?.aborted).toBe(true);
  });

  it('tail reads the last lines, and nothing for an instance that is gone', async () => {
    const { runtime, logs, rec } = await follower();
    for (const l of ['a', 'b', 'c']) runtime.print('web', l);
    expect(await logs.tail(rec.instanceId!, 2, 1_000)).toEqual(['b', 'c']);
    expect(await logs.tail('nope', 2, 1_000)).toEqual([]);
  });
});
