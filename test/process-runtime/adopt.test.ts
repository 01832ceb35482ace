// Instances outlive the daemon that started them and are adopted by the next one; records are
// never trusted without the process table (a reused pid is never signalled); a daemon killed
// mid-spawn leaves nothing behind that the next one cannot find. Run over both process readers:
// Linux /proc and the portable ps + lsof one.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostProcesses, type PlatformKind } from '../../engine/src/platform/host-processes.js';
import { instanceId, newToken, RecordStore } from '../../engine/src/runtimes/process/instance-record.js';
import { ProcessRuntime } from '../../engine/src/runtimes/process/process-runtime.js';
import { WRAPPER_SHELL, wrapperArgs } from '../../engine/src/runtimes/process/wrapper.js';
import { freePort } from '../helpers/free-port.js';
import {
  anotherStart,
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

const repo = resolve(import.meta.dirname, '../..');

beforeAll(() => {
  // The "daemon" below runs the compiled runtime in its own Node process.
  execFileSync('npx', ['tsc', '-b', 'engine'], { cwd: repo, stdio: 'inherit' });
});

describe.each(platformKinds())('with the %s process reader', (kind: PlatformKind) => {
  const host = hostProcesses(kind);
  let box: Sandbox;
  const cleanups: (() => Promise<void> | void)[] = [];

  beforeAll(() => {
    box = sandbox();
  });

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
    box.cleanup();
  });

  function runtime(): ProcessRuntime {
    const rt = new ProcessRuntime({ stateDir: box.stateDir, pollMs: 100, platform: host });
    cleanups.push(async () => {
      for (const o of await rt.observe('a')) await rt.remove(o.id).catch(() => undefined);
      await rt.close();
    });
    return rt;
  }

  describe('adoption', () => {
    it('a second runtime on the same state dir observes a running instance, reads its logs and stops it', async () => {
      const first = runtime();
      const svc = service('web', { command: ['sh', '-c', 'echo up; exec sleep 60'], cwd: box.dir });
      const id = await createAndStart(first, svc, project('a', [svc]));
      await first.close(); // the daemon goes away; the service does not

      const second = runtime();
      const observed = await second.observe('a');
      expect(observed).toEqual([
        expect.objectContaining({
          id,
          service: 'web',
          specHash: 'test-hash',
          state: expect.objectContaining({ status: 'running' }),
        }),
      ]);
      await waitFor('its log', async () => (await collectLogs(second, id)).map((l) => l.line).join() === 'up');
      await second.stop(id, 2000);
      expect(await second.inspect(id)).toMatchObject({ status: 'exited', exitCode: 143 });
      expect(await survivors(id, host)).toEqual([]);
    });

    it('after a real daemon crash (kill -9), the next runtime adopts the instance, sees its exit code and its health', async () => {
      const stateDir = join(box.dir, 'crash-state');
      const port = await freePort();
      const server = box.write(
        'server.js',
        `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, '127.0.0.1');
       const fs = require('node:fs'); setInterval(() => { if (fs.existsSync(process.argv[2])) process.exit(5); }, 50);`,
        0o644,
      );
      const stopFile = join(box.dir, 'stop-now');
      const driver = box.write(
        'daemon.mjs',
        `
import { ProcessRuntime } from ${JSON.stringify(join(repo, 'engine/dist/runtimes/process/process-runtime.js'))};
const rt = new ProcessRuntime({ stateDir: ${JSON.stringify(stateDir)} });
const svc = ${JSON.stringify(
          service('api', {
            command: ['node', server, stopFile],
            cwd: box.dir,
            healthcheck: {
              type: 'http',
              url: `http://127.0.0.1:${port}/`,
              intervalMs: 100,
              timeoutMs: 1000,
              retries: 3,
            },
          }),
        )};
const proj = { name: 'a', projectDir: '/', configFiles: [], services: { api: svc }, volumes: {}, networks: {}, devenv: {} };
await rt.ensureProjectResources(proj, () => {});
const id = await rt.create(svc, { project: proj, specHash: 'h1' });
await rt.start(id);
while ((await rt.inspect(id)).health !== 'healthy') await new Promise((r) => setTimeout(r, 50));
console.log(id);
setInterval(() => {}, 1000);
`,
        0o644,
      );
      const daemon: ChildProcess = spawn('node', [driver], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, DEVENV_PLATFORM: kind },
      });
      const id = await new Promise<string>((res, rej) => {
        daemon.stdout!.once('data', (d: Buffer) => res(d.toString().trim()));
        daemon.once('exit', (code) => rej(new Error(`daemon exited ${code}`)));
      });
      daemon.kill('SIGKILL');
      await new Promise((r) => daemon.once('exit', r));

      const rt = new ProcessRuntime({ stateDir, pollMs: 100, platform: host });
      cleanups.push(async () => {
        for (const o of await rt.observe('a')) await rt.remove(o.id).catch(() => undefined);
        await rt.close();
      });
      const changes: string[] = [];
      const sub = rt.watch('a', (c) => changes.push(c.reason));
      cleanups.push(() => sub.dispose());
      const [inst] = await rt.observe('a');
      expect(inst).toMatchObject({ id, specHash: 'h1', state: { status: 'running' } });
      expect(inst!.state.ports).toEqual([
        { hostIp: '127.0.0.1', hostPort: port, containerPort: port, protocol: 'tcp' },
      ]);
      // Health is persisted just after the old daemon saw it change; either way the new one probes on.
      await waitForState(rt, id, (s) => s.health === 'healthy');

      // It exits on its own; this runtime is not its parent, yet learns the code from the wrapper.
      box.write('stop-now', '');
      const exited = await waitForState(rt, id, (s) => s.status === 'exited');
      expect(exited.exitCode).toBe(5);
      await waitFor('the exit notified', async () => changes.includes('exit (code 5)'));
    });
  });

  describe('records are checked against the process table', () => {
    it('a record whose pid now belongs to another process (other start time) is exited and never signalled', async () => {
      const rt = runtime();
      const store = new RecordStore(box.stateDir);
      const bystander = spawn('sleep', ['60'], { detached: true, stdio: 'ignore' });
      cleanups.push(() => {
        bystander.kill('SIGKILL');
      });
      const real = await host.info(bystander.pid!);
      const token = newToken();
      await store.write({
        version: 1,
        project: 'a',
        service: 'reused',
        token,
        specHash: 'h',
        process: { command: ['sleep', '60'], cwd: box.dir, env: {} },
        stopSignal: 'SIGTERM',
        createdAt: new Date().toISOString(),
        status: 'running',
        pid: bystander.pid!,
        pgid: bystander.pid!,
        startTime: anotherStart(real!.startTime),
        startedAt: new Date().toISOString(),
      });
      const id = instanceId('reused', token);
      expect((await rt.inspect(id)).status).toBe('exited');
      await rt.stop(id, 100);
      await rt.remove(id);
      const after = await host.info(bystander.pid!);
      expect(after?.startTime).toBe(real!.startTime);
      expect(after?.state).not.toBe('Z');
    });

    it('a record without a pid (daemon killed mid-spawn) finds its wrapper by the token and adopts it', async () => {
      const rt = runtime();
      const store = new RecordStore(box.stateDir);
      const token = newToken();
      await store.write({
        version: 1,
        project: 'a',
        service: 'midspawn',
        token,
        specHash: 'h',
        process: { command: ['sleep', '60'], cwd: box.dir, env: {} },
        stopSignal: 'SIGTERM',
        createdAt: new Date().toISOString(),
        status: 'starting',
      });
      // What the dead daemon had spawned before it could write the pid.
      const exitFd = openSync(store.exitFile('midspawn', token), 'w');
      const orphan = spawn(WRAPPER_SHELL, wrapperArgs('midspawn', ['sh', '-c', 'sleep 60 & wait']), {
        detached: true,
        stdio: ['ignore', 'ignore', 'ignore', exitFd],
        env: { ...process.env, DEVENV_INSTANCE_TOKEN: token },
      });
      orphan.unref();
      await waitFor('orphan running', async () => (await survivors(instanceId('midspawn', token), host)).length >= 3);

      const id = instanceId('midspawn', token);
      const [inst] = (await rt.observe('a')).filter((o) => o.service === 'midspawn');
      expect(inst).toMatchObject({ id, state: { status: 'running' } });
      const rec = JSON.parse(readFileSync(store.path('midspawn'), 'utf8'));
      expect(rec).toMatchObject({ status: 'running', pid: orphan.pid, pgid: orphan.pid });
      await rt.stop(id, 2000);
      expect(await survivors(id, host)).toEqual([]);
    });

    it('an init interrupted by a daemon crash is killed and the instance is `created` again', async () => {
      const rt = runtime();
      const store = new RecordStore(box.stateDir);
      const token = newToken();
      await store.write({
        version: 1,
        project: 'a',
        service: 'midinit',
        token,
        specHash: 'h',
        process: { command: ['sleep', '60'], cwd: box.dir, env: {}, init: { command: ['sleep', '60'], creates: 'x' } },
        stopSignal: 'SIGTERM',
        createdAt: new Date().toISOString(),
        status: 'initialising',
      });
      const init = spawn('sleep', ['61'], {
        detached: true,
        stdio: 'ignore',
        env: { ...process.env, DEVENV_INSTANCE_TOKEN: token },
      });
      init.unref();
      const id = instanceId('midinit', token);
      await waitFor('init running', async () => (await survivors(id, host)).length === 1);
      expect(await rt.inspect(id)).toMatchObject({ status: 'created' });
      await waitFor('init killed', async () => (await survivors(id, host)).length === 0, 3000);
      await rt.remove(id);
    });
  });
});
