// Running as another user when root, the one-time init step, and the listening sockets a
// service's process group holds.

import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RuntimeFailure } from '../../engine/src/errors.js';
import { hostProcesses, type PlatformKind } from '../../engine/src/platform/host-processes.js';
import { ProcessRuntime } from '../../engine/src/runtimes/process/process-runtime.js';
import {
  collectLogs,
  createAndStart,
  isRoot,
  platformKinds,
  project,
  type Sandbox,
  sandbox,
  service,
  waitFor,
  waitForState,
} from './helpers.js';

let box: Sandbox;
let rt: ProcessRuntime;

beforeAll(async () => {
  box = sandbox();
  rt = new ProcessRuntime({ stateDir: box.stateDir });
  await rt.ensureProjectResources(project('u', []), () => undefined);
});

afterAll(async () => {
  for (const o of await rt.observe('u')) await rt.remove(o.id);
  await rt.close();
  box.cleanup();
});

const lines = async (id: string) => (await collectLogs(rt, id)).map((l) => l.line);

describe('user', () => {
  it(
    isRoot()
      ? 'as root, runs init and command as the user, with its HOME, and gives it its data directory'
      : 'when not root, ignores `user` and runs as the invoking user',
    async () => {
      const dataDir = join(box.stateDir, 'data', 'svc');
      const svc = service('asuser', {
        command: ['sh', '-c', 'echo "uid=$(id -u) gid=$(id -g) home=$HOME user=$USER"; exec sleep 60'],
        cwd: box.dir,
        user: 'nobody',
        init: {
          command: ['sh', '-c', 'id -u > "$DEVENV_STATE_DIR/data/svc/created-by"'],
          creates: `${dataDir}/created-by`,
        },
      });
      const id = await createAndStart(rt, svc, project('u', [svc]));
      const [line] = await waitFor('its first line', async () => {
        const l = (await lines(id)).filter((x) => x.startsWith('uid='));
        return l.length > 0 ? l : undefined;
      });
      if (isRoot()) {
        expect(line).toBe('uid=65534 gid=65534 home=/nonexistent user=nobody');
        expect(readFileSync(join(dataDir, 'created-by'), 'utf8').trim()).toBe('65534');
        const st = statSync(dataDir);
        expect([st.uid, st.mode & 0o777]).toEqual([65534, 0o700]);
        // Others may pass through the state directory, but not read the runtime's own files.
        expect(statSync(box.stateDir).mode & 0o777).toBe(0o711);
        for (const d of ['logs', 'processes']) expect(statSync(join(box.stateDir, d)).mode & 0o777).toBe(0o700);
      } else {
        expect(line).toBe(
          `uid=${process.getuid!()} gid=${process.getgid!()} home=${process.env.HOME} user=${process.env.USER}`,
        );
      }
      await rt.remove(id);
    },
  );

  it.runIf(isRoot())(
    'hands its user copies of the files it cannot reach, and a working directory it can enter',
    async () => {
      const locked = join(box.dir, 'locked');
      const app = join(locked, 'app');
      mkdirSync(app, { recursive: true, mode: 0o700 });
      writeFileSync(
        join(app, 'run.sh'),
        '#!/bin/sh\necho "uid=$(id -u) cwd=$(pwd) conf=$(cat "$1")"\nexec sleep 60\n',
        {
          mode: 0o700,
        },
      );
      writeFileSync(join(app, 'app.conf'), 'from-the-project', { mode: 0o600 });
      const svc = service('handed', { command: ['./run.sh', 'app.conf'], cwd: app, user: 'nobody' });
      const id = await createAndStart(rt, svc, project('u', [svc]));
      const copies = join(box.stateDir, '.devenv-files', 'handed');
      const line = await waitFor('the service output', async () => (await lines(id)).find((l) => l.startsWith('uid=')));
      expect(line).toBe(`uid=65534 cwd=${copies} conf=from-the-project`);
      expect((await lines(id)).some((l) => l.startsWith('[devenv] nobody cannot reach') && l.includes(copies))).toBe(
        true,
      );
      const dir = statSync(copies);
      expect([dir.uid, dir.gid, dir.mode & 0o777]).toEqual([0, 65534, 0o750]);
      expect(statSync(join(copies, 'run.sh')).mode & 0o777).toBe(0o750);
      expect(statSync(join(copies, 'app.conf')).mode & 0o777).toBe(0o640);
      // The project itself was not opened up.
      expect(statSync(locked).mode & 0o777).toBe(0o700);
      await rt.remove(id);
    },
  );

  it.runIf(isRoot())("fails with a hint when its data directory is out of its user's reach", async () => {
    const locked = join(box.dir, 'locked-state');
    mkdirSync(locked, { mode: 0o700 });
    const services = join(locked, 'state');
    const other = new ProcessRuntime({ stateDir: box.stateDir, servicesStateDir: services });
    await other.ensureProjectResources(project('u', []), () => undefined);
    const svc = service('blocked', {
      command: ['sleep', '60'],
      cwd: box.dir,
      user: 'nobody',
      init: { command: ['true'], creates: join(services, 'data', 'ready') },
    });
    const id = await other.create(svc, { project: project('u', [svc]), specHash: 'h' });
    const err = await other.start(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeFailure);
    expect(err).toMatchObject({ code: 'process.user-cannot-reach' });
    expect((err as Error).message).toBe(`service blocked runs as nobody, who cannot enter ${locked} (mode 700)`);
    expect((err as RuntimeFailure).hint).toContain(`chmod o+x ${locked}`);
    await other.remove(id);
    await other.close();
  });

  it.runIf(isRoot())('names a user that does not exist', async () => {
    const svc = service('ghostuser', { command: ['sleep', '60'], cwd: box.dir, user: 'no-such-user-xyz' });
    const id = await rt.create(svc, { project: project('u', [svc]), specHash: 'h' });
    await expect(rt.start(id)).rejects.toMatchObject({ code: 'process.unknown-user' });
    await rt.remove(id);
  });
});

describe('init', () => {
  it('runs once, while `creates` is missing, with its output in the service log', async () => {
    const dir = join(box.dir, 'initapp');
    mkdirSync(dir);
    const svc = service('withinit', {
      command: ['sh', '-c', 'echo "main sees $(cat prepared)"; exec sleep 60'],
      cwd: dir,
      init: { command: ['sh', '-c', 'echo preparing; echo 1 >> runs; echo ready > prepared'], creates: 'prepared' },
    });
    const id = await createAndStart(rt, svc, project('u', [svc]));
    await waitFor('main output', async () => (await lines(id)).includes('main sees ready'));
    await rt.stop(id, 1000);
    await rt.start(id);
    await waitFor('second run', async () => (await lines(id)).filter((l) => l === 'main sees ready').length === 2);
    expect(readFileSync(join(dir, 'runs'), 'utf8')).toBe('1\n');
    const log = await lines(id);
    expect(log.filter((l) => l === 'preparing')).toHaveLength(1);
    expect(log).toContain('[devenv] init: sh -c echo preparing; echo 1 >> runs; echo ready > prepared');
    await rt.remove(id);
  });

  it('a failing init fails the start with its exit code and last output, and nothing is spawned', async () => {
    const svc = service('badinit', {
      command: ['sleep', '60'],
      cwd: box.dir,
      init: {
        command: ['sh', '-c', 'echo step one; echo "initdb: cannot create directory" >&2; exit 4'],
        creates: 'nope',
      },
    });
    const id = await rt.create(svc, { project: project('u', [svc]), specHash: 'h' });
    const err = await rt.start(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeFailure);
    expect(err).toMatchObject({ code: 'process.init-failed' });
    expect((err as Error).message).toMatch(
      /^init of badinit \(sh -c .*\) exited with code 4: initdb: cannot create directory$/,
    );
    expect((err as RuntimeFailure).hint).toContain('initdb: cannot create directory');
    expect((err as RuntimeFailure).hint).toContain('step one');
    expect((await rt.inspect(id)).status).toBe('created');
    expect(existsSync(join(box.dir, 'nope'))).toBe(false);
    await rt.remove(id);
  });
});

/**
 * A base port whose base, base+2 (TCP) and base+1, base+11 (UDP) neighbours are free on both
 * addresses the test uses, chosen below the kernel's ephemeral range (32768–60999) so an outgoing
 * connection of a test running beside this one cannot take it between the probe and the listen.
 */
async function freeBase(): Promise<number> {
  const tcpFree = (port: number, host: string) =>
    new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, host, () => srv.close(() => resolve(true)));
    });
  const udpFree = (port: number, host: string) =>
    new Promise<boolean>((resolve) => {
      const sock = createSocket('udp4');
      sock.once('error', () => resolve(false));
      sock.bind(port, host, () => sock.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 21_000 + Math.floor(Math.random() * 9_000);
    const checks = await Promise.all([
      tcpFree(base, '127.0.0.1'),
      tcpFree(base + 2, '127.0.0.1'),
      tcpFree(base + 10, '0.0.0.0'),
      tcpFree(base + 12, '0.0.0.0'),
      udpFree(base + 11, '0.0.0.0'),
    ]);
    if (checks.every(Boolean)) return base;
  }
  throw new Error('no free port block found in 21000–30000 after 50 tries');
}

describe.each(platformKinds())('listening sockets, read by the %s reader', (kind: PlatformKind) => {
  it('reports each address a service listens on: loopback and all interfaces', async () => {
    const rt = new ProcessRuntime({ stateDir: join(box.dir, `ports-${kind}`), platform: hostProcesses(kind) });
    const base = await freeBase();
    const server = box.write(
      'listen.js',
      `const net = require('node:net');
       const dgram = require('node:dgram');
       const [host, port] = [process.argv[2], Number(process.argv[3])];
       net.createServer().listen(port, host);
       if (process.argv[4]) dgram.createSocket('udp4').bind(port + 1, host);
       // a child in the same group listening too (like uvicorn --reload's worker)
       require('node:child_process').spawn(process.execPath, ['-e', "require('node:net').createServer().listen(" + (port + 2) + ", '" + host + "')"], { stdio: 'inherit' });`,
      0o644,
    );
    const local = service('local', { command: ['node', server, '127.0.0.1', String(base)], cwd: box.dir });
    const open = service('open', { command: ['node', server, '0.0.0.0', String(base + 10), 'udp'], cwd: box.dir });
    const proj = project('u', [local, open]);
    const localId = await createAndStart(rt, local, proj);
    const openId = await createAndStart(rt, open, proj);
    const localState = await waitForState(rt, localId, (s) => s.ports.length === 2);
    expect(localState.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: base, containerPort: base, protocol: 'tcp' },
      { hostIp: '127.0.0.1', hostPort: base + 2, containerPort: base + 2, protocol: 'tcp' },
    ]);
    const openState = await waitForState(rt, openId, (s) => s.ports.length === 3);
    expect(openState.ports).toEqual([
      { hostIp: '0.0.0.0', hostPort: base + 10, containerPort: base + 10, protocol: 'tcp' },
      { hostIp: '0.0.0.0', hostPort: base + 11, containerPort: base + 11, protocol: 'udp' },
      { hostIp: '0.0.0.0', hostPort: base + 12, containerPort: base + 12, protocol: 'tcp' },
    ]);
    await rt.stop(openId, 1000);
    expect((await rt.inspect(openId)).ports).toEqual([]);
    for (const id of [localId, openId]) await rt.remove(id);
    await rt.close();
  });
});
