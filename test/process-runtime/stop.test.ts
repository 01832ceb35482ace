// Stopping: the stop signal to the whole group, SIGKILL after the grace period, nothing with the
// instance's token left afterwards (not even a grandchild that escaped with setsid). Run over both
// process readers: Linux /proc and the portable ps + lsof one.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostProcesses, type PlatformKind } from '../../engine/src/platform/host-processes.js';
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

describe.each(platformKinds())('with the %s process reader', (kind: PlatformKind) => {
  const host = hostProcesses(kind);
  let box: Sandbox;
  let rt: ProcessRuntime;

  beforeAll(() => {
    box = sandbox();
    rt = new ProcessRuntime({ stateDir: box.stateDir, platform: host });
  });

  afterAll(async () => {
    for (const o of await rt.observe('s')) await rt.remove(o.id);
    await rt.close();
    box.cleanup();
  });

  describe('stop', () => {
    it('escalates SIGTERM → SIGKILL for a group that ignores SIGTERM, grandchildren included', async () => {
      const script = box.write(
        'stubborn.js',
        `
const { spawn } = require('node:child_process');
process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
// A grandchild ignoring SIGTERM too, and one that escapes the group with setsid (detached: Node
// calls setsid(2) in the child; macOS has no setsid command).
spawn('sh', ['-c', 'trap "" TERM; while :; do sleep 1; done'], { stdio: 'inherit' });
spawn('sh', ['-c', 'while :; do sleep 1; done'], { stdio: 'inherit', detached: true });
console.log('ready');
setInterval(() => {}, 1000);
`,
        0o644,
      );
      const svc = service('stubborn', { command: ['node', script], cwd: box.dir });
      const id = await createAndStart(rt, svc, project('s', [svc]));
      await waitFor('ready', async () => (await collectLogs(rt, id)).some((l) => l.line === 'ready'));
      await waitFor('4+ processes with the token', async () => (await survivors(id, host)).length >= 4);

      const t0 = Date.now();
      await rt.stop(id, 1000);
      const took = Date.now() - t0;
      expect(took).toBeGreaterThanOrEqual(1000);
      expect(took).toBeLessThan(4000);
      const state = await rt.inspect(id);
      expect(state.status).toBe('exited');
      expect(state.exitCode).toBe(137);
      expect(await survivors(id, host)).toEqual([]);
      expect((await collectLogs(rt, id)).some((l) => l.line === 'ignoring SIGTERM')).toBe(true);
    });

    it("uses the service's stop_signal (postgres wants SIGINT) and records the command's status", async () => {
      const script = box.write(
        'graceful.js',
        `
process.on('SIGINT', () => { console.log('got SIGINT'); process.exit(0); });
process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(1); });
console.log('ready');
setInterval(() => {}, 1000);
`,
        0o644,
      );
      const svc = service('graceful', { command: ['node', script], cwd: box.dir }, { stopSignal: 'SIGINT' });
      const id = await createAndStart(rt, svc, project('s', [svc]));
      await waitFor('ready', async () => (await collectLogs(rt, id)).some((l) => l.line === 'ready'));
      await rt.stop(id, 5000);
      const state = await rt.inspect(id);
      expect(state).toMatchObject({ status: 'exited', exitCode: 0 });
      expect((await collectLogs(rt, id)).map((l) => l.line)).toContain('got SIGINT');
    });

    it('kills what a run left behind when its main process exits on its own', async () => {
      const svc = service('leaver', { command: ['sh', '-c', '(sleep 300 &) ; echo started; exit 0'], cwd: box.dir });
      const id = await createAndStart(rt, svc, project('s', [svc]));
      await waitForState(rt, id, (s) => s.status === 'exited');
      await waitFor('no leftovers', async () => (await survivors(id, host)).length === 0, 3000);
    });

    it('stop and remove are idempotent', async () => {
      const svc = service('quick', { command: ['sleep', '60'], cwd: box.dir });
      const id = await createAndStart(rt, svc, project('s', [svc]));
      await rt.stop(id, 1000);
      await rt.stop(id, 1000);
      await rt.remove(id);
      await rt.remove(id);
      expect((await rt.inspect(id)).status).toBe('missing');
    });
  });
});
