// Start, inspect, logs (history and follow), stop and remove a real host process.

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeFailure } from '../../engine/src/errors.js';
import type { EngineEvent } from '../../engine/src/model/events.js';
import { hostProcesses } from '../../engine/src/platform/host-processes.js';
import type { RuntimeChange } from '../../engine/src/runtime-interface/runtime.js';
import { ProcessRuntime } from '../../engine/src/runtimes/process/process-runtime.js';
import {
  collectLogs,
  createAndStart,
  platformKinds,
  project,
  type Sandbox,
  sandbox,
  service,
  survivors,
  waitFor,
  waitForState,
} from './helpers.js';

let box: Sandbox;
let rt: ProcessRuntime;
const ids: string[] = [];

beforeAll(async () => {
  box = sandbox();
  rt = new ProcessRuntime({ stateDir: box.stateDir });
  await rt.ensureProjectResources(project('p', []), () => undefined);
});

afterEach(async () => {
  for (const id of ids.splice(0)) await rt.remove(id).catch(() => undefined);
});

afterAll(async () => {
  await rt.close();
  box.cleanup();
});

describe('ProcessRuntime lifecycle', () => {
  it('connects and creates its state directories 0700', async () => {
    const info = await rt.connect();
    expect(info.kind).toBe('process');
    expect(info.detail).toMatch(/^local processes \(.+\)$/);
    for (const d of ['logs', 'processes']) expect(statSync(join(box.stateDir, d)).mode & 0o777).toBe(0o700);
  });

  it('starts a detached process group, records it, and reports it running', async () => {
    const script = box.write(
      'hello.sh',
      '#!/bin/sh\necho "hello from $DEVENV_SERVICE in $(pwd)"\necho "to stderr" >&2\necho "state=$DEVENV_STATE_DIR"\nexec sleep 60\n',
    );
    const svc = service('hello', { command: [script], cwd: box.dir, env: { GREETING: 'hi' } });
    const proj = project('p', [svc]);
    const id = await createAndStart(rt, svc, proj);
    ids.push(id);
    expect(id).toMatch(/^proc:hello:[0-9a-f]{32}$/);

    const state = await rt.inspect(id);
    expect(state.status).toBe('running');
    expect(state.health).toBe('none');
    expect(state.restartCount).toBe(0);
    expect(Date.parse(state.startedAt!)).toBeGreaterThan(Date.now() - 10_000);

    const rec = JSON.parse(readFileSync(join(box.stateDir, 'processes', 'hello.json'), 'utf8'));
    expect(rec.pid).toBeGreaterThan(1);
    expect(rec.pgid).toBe(rec.pid);
    expect(rec.startTime).toMatch(/^(\d+|ps:\d+)$/);
    expect(rec.token).toBe(id.split(':')[2]);
    // Its own session and group, not the test's.
    expect((await hostProcesses().info(rec.pid))?.pgrp).toBe(rec.pid);

    const lines = await waitFor('three log lines', async () => {
      const l = await collectLogs(rt, id);
      return l.length >= 3 ? l : undefined;
    });
    expect(lines.map((l) => l.line)).toEqual([`hello from hello in ${box.dir}`, 'to stderr', `state=${box.stateDir}`]);
    // Unique, ordered, Docker-shaped timestamps.
    expect(lines.every((l) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/.test(l.ts))).toBe(true);
    expect([...lines].map((l) => l.ts).sort()).toEqual(lines.map((l) => l.ts));
    expect(new Set(lines.map((l) => l.ts)).size).toBe(3);
    expect((await collectLogs(rt, id, { tail: 1 })).map((l) => l.line)).toEqual([`state=${box.stateDir}`]);
    expect(await collectLogs(rt, id, { since: Date.now() / 1000 + 5 })).toEqual([]);

    const observed = await rt.observe('p');
    expect(observed).toEqual([expect.objectContaining({ id, service: 'hello', specHash: 'test-hash' })]);
    expect(await rt.observe('other-project')).toEqual([]);

    const t0 = Date.now();
    await rt.stop(id, 5000);
    expect(Date.now() - t0).toBeLessThan(2000);
    const stopped = await rt.inspect(id);
    expect(stopped.status).toBe('exited');
    expect(stopped.exitCode).toBe(143);
    expect(await survivors(id)).toEqual([]);

    await rt.remove(id);
    expect((await rt.inspect(id)).status).toBe('missing');
    expect(existsSync(join(box.stateDir, 'processes', 'hello.json'))).toBe(false);
    expect(existsSync(join(box.stateDir, 'logs', 'hello.log'))).toBe(true);
  });

  it('reports an exit with its code, through watch, and starts the same instance again', async () => {
    const script = box.write('exit3.sh', '#!/bin/sh\necho run\nsleep 0.3\nexit 3\n');
    const svc = service('exiter', { command: [script], cwd: box.dir });
    const proj = project('p', [svc]);
    const changes: RuntimeChange[] = [];
    const sub = rt.watch('p', (c) => changes.push(c));
    try {
      const id = await createAndStart(rt, svc, proj);
      ids.push(id);
      const exited = await waitForState(rt, id, (s) => s.status === 'exited');
      expect(exited.exitCode).toBe(3);
      await waitFor('exit notification', async () => changes.some((c) => c.instanceId === id && /exit/.test(c.reason)));
      expect(changes.some((c) => c.reason === 'start')).toBe(true);

      await rt.start(id);
      expect((await rt.inspect(id)).status).toBe('running');
      await waitForState(rt, id, (s) => s.status === 'exited' && s.exitCode === 3);
      const runs = (await collectLogs(rt, id)).filter((l) => l.line === 'run');
      expect(runs).toHaveLength(2);
    } finally {
      sub.dispose();
    }
  });

  it('follows new lines promptly and ends the follow when the instance exits', async () => {
    const script = box.write(
      'ticker.js',
      'let n = 0;\nconst t = setInterval(() => { console.log("tick " + ++n); if (n === 5) { clearInterval(t); setTimeout(() => process.exit(0), 100); } }, 150);\n',
      0o644,
    );
    const svc = service('ticker', { command: ['node', script], cwd: box.dir });
    const proj = project('p', [svc]);
    const id = await rt.create(svc, { project: proj, specHash: 'h' });
    ids.push(id);
    const controller = new AbortController();
    const seen: { line: string; at: number; ts: string }[] = [];
    const follow = (async () => {
      for await (const l of rt.logs(id, { follow: true }, controller.signal))
        seen.push({ line: l.line, at: Date.now(), ts: l.ts });
    })();
    await rt.start(id);
    await follow; // ends by itself when the process exits
    expect(seen.map((s) => s.line)).toEqual(['tick 1', 'tick 2', 'tick 3', 'tick 4', 'tick 5']);
    // Each line is seen close to when its timestamp says it arrived.
    const lags = seen.map((s) => s.at - Date.parse(s.ts));
    expect(Math.max(...lags)).toBeLessThan(50);
    // Timestamps of history agree with what the follower saw.
    const history = await collectLogs(rt, id);
    expect(history.slice(-5).map((l) => l.ts)).toEqual(seen.map((s) => s.ts));
  });

  it('logs `since` leaves out earlier runs', async () => {
    const script = box.write('once.sh', '#!/bin/sh\necho "run at $(date +%s%N)"\n');
    const svc = service('once', { command: [script], cwd: box.dir });
    const id = await createAndStart(rt, svc, project('p', [svc]));
    ids.push(id);
    await waitForState(rt, id, (s) => s.status === 'exited');
    await new Promise((r) => setTimeout(r, 300));
    const since = Date.now() / 1000;
    await rt.start(id);
    await waitForState(rt, id, (s) => s.status === 'exited');
    const all = await collectLogs(rt, id);
    const recent = await collectLogs(rt, id, { since });
    expect(all).toHaveLength(2);
    expect(recent).toEqual([all[1]]);
  });

  it.each(platformKinds())(
    'runs, adopts and stops a service whose paths hold spaces (state, cwd, program), read by %s',
    async (kind) => {
      const spaced = join(box.dir, 'My Projects', 'app dir');
      mkdirSync(spaced, { recursive: true });
      const script = join(spaced, 'run me.sh');
      writeFileSync(script, '#!/bin/sh\necho "in $(pwd)"\nexec sleep 60\n', { mode: 0o755 });
      const stateDir = join(box.dir, 'My State', kind);
      const host = hostProcesses(kind);
      const first = new ProcessRuntime({ stateDir, platform: host });
      const svc = service('spaced', { command: [script], cwd: spaced });
      const id = await createAndStart(first, svc, project('p', [svc]));
      await waitFor('its line', async () => (await collectLogs(first, id)).some((l) => l.line === `in ${spaced}`));
      await first.close();
      // Another runtime (a restarted daemon) finds it by its record and by its command line.
      const second = new ProcessRuntime({ stateDir, platform: host });
      expect((await second.observe('p')).map((o) => o.state.status)).toEqual(['running']);
      await second.remove(id);
      expect(await survivors(id, host)).toEqual([]);
      await second.close();
    },
  );

  it('refuses a service without x-devenv.process, with the YAML to add', async () => {
    const svc = service('nope', { command: ['true'] });
    delete svc.devenv.process;
    svc.command = ['python3', 'app.py'];
    const events: EngineEvent[] = [];
    const builds = rt.prepareArtifacts(
      [svc],
      project('p', [svc]),
      (e) => events.push(e),
      new AbortController().signal,
      {
        force: [],
      },
    );
    const err = await builds.nope!.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeFailure);
    expect((err as RuntimeFailure).code).toBe('process.no-command');
    expect((err as RuntimeFailure).hint).toContain('x-devenv:');
    expect((err as RuntimeFailure).hint).toContain('command: python3 app.py');
    expect(events).toEqual([expect.objectContaining({ kind: 'diagnostic', code: 'process.no-command' })]);
    await expect(rt.create(svc, { project: project('p', [svc]), specHash: 'h' })).rejects.toThrow(/x-devenv.process/);
  });

  it('refuses a missing program with the install command', async () => {
    const svc = service('ghost', { command: ['redis-server-not-installed-xyz'], cwd: box.dir });
    const builds = rt.prepareArtifacts([svc], project('p', [svc]), () => undefined, new AbortController().signal, {
      force: [],
    });
    await expect(builds.ghost).rejects.toMatchObject({ code: 'process.program-missing' });
    const ok = service('fine', { command: ['sleep', '1'], cwd: box.dir });
    await expect(
      rt.prepareArtifacts([ok], project('p', [ok]), () => undefined, new AbortController().signal, { force: [] }).fine,
    ).resolves.toBeUndefined();
  });
});
