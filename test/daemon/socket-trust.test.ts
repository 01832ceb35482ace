// Another local account tries to catch what `devenv up` sends (its environment included): it
// pre-creates the socket directory, plants a listening socket there, or plants a symlink and
// swaps it later. devenv refuses each with a message that says what to remove, sends nothing
// (the planted listener records zero bytes), and `up` works once the thing is removed exactly as
// the message says. The socket directory's parent is a sticky, world-writable directory made by
// the test (what /tmp is when XDG_RUNTIME_DIR is unset: ssh sessions, containers, CI).

import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { daemonPaths } from '../../engine/src/protocol/index.js';
import { devenv } from '../helpers/cli.js';
import { waitUntil } from '../helpers/wait.js';

const root = process.getuid?.() === 0;
const canAddUsers = root && spawnSync('useradd', ['--help']).status === 0;
const user = `devenv-probe-${process.pid}`;
let uid = -1;
let gid = -1;
let base = '';
let project = '';
let env: Record<string, string | undefined> = {};
let args: string[] = [];
let socketDir = '';
let socket = '';
const listeners: ChildProcess[] = [];

beforeAll(() => {
  if (!canAddUsers) return;
  execFileSync('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', user]);
  uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
  gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim());
  base = mkdtempSync(join(tmpdir(), 'devenv-trust-'));
  chmodSync(base, 0o1777); // like /tmp: anyone may create entries, only owners remove them
  project = mkdtempSync(join(tmpdir(), 'devenv-trust-project-'));
  writeFileSync(
    join(project, 'compose.yaml'),
    'services:\n  idle:\n    restart: "no"\n    environment:\n      TOKEN: ${PROBE_SECRET:-none}\n    x-devenv:\n      process:\n        command: ["sleep", "300"]\n',
  );
  const name = `trust-${process.pid}`;
  args = ['-f', join(project, 'compose.yaml'), '-p', name, '--runtime', 'process'];
  env = {
    TMPDIR: base,
    XDG_RUNTIME_DIR: undefined,
    DEVENV_SOCKET_DIR: undefined,
    DEVENV_STATE_DIR: join(project, 'state'),
    PROBE_SECRET: 'captured-if-you-can-read-this',
  };
  socketDir = join(base, `devenv-${process.getuid!()}`);
  socket = daemonPaths(
    { name, projectDir: project, files: [join(project, 'compose.yaml')] },
    {
      DEVENV_SOCKET_DIR: socketDir,
    },
  ).socket;
});

afterAll(async () => {
  for (const l of listeners) l.kill('SIGKILL');
  if (!canAddUsers) return;
  await devenv([...args, 'down'], { env }).catch(() => undefined);
  spawnSync('userdel', [user]);
  rmSync(base, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

/** Runs a shell command as the other account. */
function asOther(command: string): void {
  execFileSync('sh', ['-c', command], { uid, gid, stdio: 'ignore' });
}

/** A socket owned by the other account that records every byte it receives into `log`. */
async function plantListener(at: string, log: string): Promise<void> {
  writeFileSync(log, '');
  chmodSync(log, 0o666);
  const script = `const fs=require('fs');require('net').createServer(c=>c.on('data',d=>fs.appendFileSync(${JSON.stringify(log)},d))).listen(${JSON.stringify(at)},()=>console.log('listening'))`;
  const l = spawn(process.execPath, ['-e', script], { uid, gid, stdio: ['ignore', 'pipe', 'inherit'] });
  listeners.push(l);
  await new Promise((r) => l.stdout!.once('data', r));
}

/** The refusal's fix, exactly as printed: the text after the hint's last `: `. */
function printedFix(stderr: string): string {
  const hint = stderr.split('\n').find((l) => l.includes('hint:') && /rm -(rf|f) /.test(l));
  expect(hint, stderr).toBeDefined();
  return hint!.slice(hint!.indexOf('rm -'));
}

async function expectUpWorks(): Promise<void> {
  const up = await devenv([...args, 'up', '--detach', '--no-tui'], { env });
  expect(up.code, up.stderr).toBe(0);
  expect(statSync(socketDir).uid).toBe(process.getuid!());
  expect(statSync(socketDir).mode & 0o777).toBe(0o700);
  const down = await devenv([...args, 'down'], { env });
  expect(down.code, down.stderr).toBe(0);
  await waitUntil('the socket to go', () => !existsSync(socket), { timeoutMs: 10_000 });
  rmSync(socketDir, { recursive: true, force: true }); // the next case plants its own
}

describe.skipIf(!canAddUsers)(
  `another local account${canAddUsers ? '' : ' (skipped: needs root and useradd to create a second account)'}`,
  () => {
    it('pre-creates the socket directory: up refuses, says what to remove, then works', async () => {
      asOther(`mkdir -m 700 ${socketDir}`);
      const up = await devenv([...args, 'up', '--detach', '--no-tui'], { env });
      expect(up.code).toBe(1);
      expect(up.stderr).toContain(`the socket directory ${socketDir} belongs to user ${user} (uid ${uid}), not to you`);
      expect(up.stderr).toContain('[daemon.socket-dir-unsafe]');
      expect(up.stderr).not.toMatch(/hit a bug/);
      execFileSync('sh', ['-c', printedFix(up.stderr)]);
      await expectUpWorks();
    });

    it('plants a listening socket there: nothing is sent to it, not even the handshake', async () => {
      asOther(`mkdir -m 755 ${socketDir}`);
      const log = join(base, 'planted-socket.log');
      await plantListener(socket, log);
      for (const command of [['up', '--detach', '--no-tui'], ['status']]) {
        const r = await devenv([...args, ...command], { env });
        expect(r.code, command.join(' ')).toBe(1);
        expect(r.stderr).toContain(`belongs to user ${user}`);
      }
      expect(readFileSync(log, 'utf8')).toBe('');
      const fix = printedFix((await devenv([...args, 'up', '--detach', '--no-tui'], { env })).stderr);
      listeners.pop()!.kill('SIGKILL');
      execFileSync('sh', ['-c', fix]);
      await expectUpWorks();
      expect(readFileSync(log, 'utf8')).toBe('');
    });

    it('plants a symlink to a private directory of ours, then swaps it to its own listener: refused both times', async () => {
      const ours = join(project, 'private-sockets');
      mkdirSync(ours, { mode: 0o700 });
      asOther(`ln -s ${ours} ${socketDir}`);
      const first = await devenv([...args, 'up', '--detach', '--no-tui'], { env });
      expect(first.code).toBe(1);
      expect(first.stderr).toContain(`the socket directory ${socketDir} is a symbolic link (to ${ours})`);
      // The swap: the link now leads to the other account's directory, where it listens.
      const theirs = join(base, 'theirs');
      asOther(`mkdir -m 755 ${theirs} && ln -sfn ${theirs} ${socketDir}`);
      const log = join(base, 'swapped-socket.log');
      await plantListener(join(theirs, socket.slice(socketDir.length + 1)), log);
      const second = await devenv([...args, 'up', '--detach', '--no-tui'], { env });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain(`is a symbolic link (to ${theirs})`);
      expect(readFileSync(log, 'utf8')).toBe('');
      listeners.pop()!.kill('SIGKILL');
      execFileSync('sh', ['-c', printedFix(second.stderr)]);
      await expectUpWorks();
      expect(readFileSync(log, 'utf8')).toBe('');
    });
  },
);
