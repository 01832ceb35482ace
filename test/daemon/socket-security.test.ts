// The daemon's socket: 0600 in a 0700 directory from its first moment, closed to other users,
// a stale socket from a killed daemon replaced, exactly one daemon when several start at once
// (also through two concurrent `devenv up`), and a project path too long for a socket handled.

import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../engine/src/daemon/daemon.js';
import type { UserError } from '../../engine/src/errors.js';
import {
  type DaemonPaths,
  daemonPaths,
  ensureTrustedSocketDir,
  Methods,
  type ProjectIdentity,
  tryConnect,
} from '../../engine/src/protocol/index.js';
import { devenv } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const client = { name: 'socket-test', version: '0' };
const daemons: Daemon[] = [];

function project(label: string): {
  dir: string;
  identity: ProjectIdentity;
  paths: DaemonPaths;
  env: Record<string, string>;
} {
  const dir = mkdtempSync(join(tmpdir(), `devenv-sock-${label}-`));
  writeFileSync(
    join(dir, 'compose.yaml'),
    `services:\n  idle:\n    restart: "no"\n    x-devenv:\n      process:\n        command: ["sleep", "300"]\n`,
  );
  const identity = { name: `socktest-${label}`, projectDir: dir, files: [join(dir, 'compose.yaml')] };
  const env = { DEVENV_SOCKET_DIR: join(dir, 'sockets'), DEVENV_STATE_DIR: join(dir, 'state') };
  return { dir, identity, paths: daemonPaths(identity, env), env };
}

function newDaemon(p: ReturnType<typeof project>): Daemon {
  const d = new Daemon({ identity: p.identity, paths: p.paths, runtime: 'process', exit: () => undefined });
  daemons.push(d);
  return d;
}

afterAll(async () => {
  for (const d of daemons) await d.close();
});

describe('the daemon socket', () => {
  it('is 0600 inside a 0700 directory', async () => {
    const p = project('modes');
    expect(await newDaemon(p).start()).toBe(true);
    expect(statSync(p.paths.socketDir).mode & 0o777).toBe(0o700);
    const st = statSync(p.paths.socket);
    expect(st.isSocket()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)(
    `cannot be reached by another Unix user${root ? '' : ' (skipped: needs root to run a probe as nobody)'}`,
    async () => {
      const p = project('other-user');
      expect(await newDaemon(p).start()).toBe(true);
      chmodSync(p.dir, 0o755); // even with the parent open, the 0700 socket directory stops them
      const probe = `require('net').connect(${JSON.stringify(p.paths.socket)}).on('connect',()=>{console.log('CONNECTED');process.exit(0)}).on('error',e=>{console.log(e.code);process.exit(0)})`;
      const out = execFileSync(process.execPath, ['-e', probe], { uid: 65534, gid: 65534, encoding: 'utf8' }).trim();
      expect(out).toBe('EACCES');
      // The owner still can.
      const mine = await tryConnect(p.paths, client);
      expect(mine?.info.project).toBe(p.identity.name);
      mine?.close();
    },
  );

  it('refuses a socket directory that others can enter, and says how to fix it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devenv-open-'));
    chmodSync(dir, 0o755);
    expect(() => ensureTrustedSocketDir(dir)).toThrow('is open to other users (mode 755)');
    try {
      ensureTrustedSocketDir(dir);
    } catch (err) {
      expect((err as UserError).problems[0]?.hint).toBe(`make it private: chmod 700 ${dir}`);
    }
  });

  it('replaces a stale socket left by a daemon killed with SIGKILL', async () => {
    const p = project('stale');
    mkdirSync(p.paths.socketDir, { recursive: true, mode: 0o700 });
    const holder = spawn(
      process.execPath,
      ['-e', `require('net').createServer().listen(${JSON.stringify(p.paths.socket)},()=>console.log('up'))`],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((r) => holder.stdout.once('data', r));
    holder.kill('SIGKILL');
    await new Promise((r) => holder.once('exit', r));
    expect(existsSync(p.paths.socket)).toBe(true); // left behind, nobody answering
    expect(await tryConnect(p.paths, client)).toBeUndefined();
    expect(await newDaemon(p).start()).toBe(true);
    const c = await tryConnect(p.paths, client);
    expect(c?.info.pid).toBe(process.pid);
    c?.close();
  });

  it('lets exactly one of several daemons started at once serve the project', async () => {
    const p = project('race');
    const results = await Promise.all([newDaemon(p).start(), newDaemon(p).start(), newDaemon(p).start()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    const c = await tryConnect(p.paths, client);
    expect(await c!.connection.sendRequest(Methods.status)).toMatchObject({ project: p.identity.name });
    c?.close();
  });

  it('handles a project path too long for a socket (107 bytes on Linux)', async () => {
    const deep = join(tmpdir(), 'devenv-long-'.padEnd(60, 'x'), 'a'.repeat(60), 'b'.repeat(60));
    mkdirSync(deep, { recursive: true });
    writeFileSync(
      join(deep, 'compose.yaml'),
      'services:\n  idle:\n    x-devenv:\n      process:\n        command: ["true"]\n',
    );
    const identity = { name: 'socktest-long', projectDir: deep, files: [join(deep, 'compose.yaml')] };
    const longRuntimeDir = join(tmpdir(), 'r'.repeat(90));
    const paths = daemonPaths(identity, { XDG_RUNTIME_DIR: longRuntimeDir, DEVENV_STATE_DIR: join(deep, 'state') });
    expect(paths.socket.length).toBeLessThanOrEqual(107);
    expect(paths.socket.startsWith(longRuntimeDir)).toBe(false); // that one would not fit
    const d = new Daemon({ identity, paths, runtime: 'process', exit: () => undefined });
    daemons.push(d);
    expect(await d.start()).toBe(true);
    const c = await tryConnect(paths, client);
    expect(c?.info.projectDir).toBe(deep);
    c?.close();
  });
});

describe('two `devenv up` at the same moment', () => {
  const p = project('cli');
  const args = ['-f', p.identity.files[0]!, '-p', p.identity.name, '--runtime', 'process'];

  afterAll(async () => {
    await devenv([...args, 'down'], { env: p.env });
  });

  it('start exactly one daemon; both clients succeed', async () => {
    const [a, b] = await Promise.all([
      devenv([...args, 'up', '--detach'], { env: p.env }),
      devenv([...args, 'up', '--detach'], { env: p.env }),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const pids = () =>
      execFileSync('pgrep', ['-f', `devenv.js daemon .*--project-name ${p.identity.name}`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean);
    // A daemon that lost the race exits by itself at once; the winner stays.
    await waitUntil('one daemon left', () => pids().length === 1, { timeoutMs: 10_000 });
    expect(pids()).toHaveLength(1);
    const status = JSON.parse((await devenv([...args, 'status', '--json'], { env: p.env })).stdout) as {
      services: { name: string; state: string; containerId: string }[];
    };
    expect(status.services).toHaveLength(1);
    expect(status.services[0]?.state).toBe('running');
  });
});
