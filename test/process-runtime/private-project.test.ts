// The README's first command, as root, from a private copy of the repository (mode 0700, like a
// clone in /root or a `mktemp -d`), with no Docker engine (DOCKER_HOST names a socket that does
// not exist): postgres must run as `postgres`, who cannot enter the project. devenv keeps the
// services' state where postgres can reach it (/var/lib/devenv/<uid>/<project>-<key>), hands
// over init-db.sh, and the stack comes up healthy with no manual step; `down`, a second `up`
// (a row written before is still there) and `reset` (it is gone) work; the chosen directory's
// owners and modes are checked.
//
// devenv reads processes and sockets with the portable reader (ps + lsof, what macOS uses;
// DEVENV_PLATFORM=portable): the reference stack on the process runtime without /proc. The /proc
// reader runs the same stack in readme-up.test.ts and reference-stack.test.ts.
//
// It runs in a network namespace of its own (only a loopback), so the stack's fixed ports
// (5432, 6379, 8000, 5173) never meet a reference stack already running on this machine. The
// frontend's packages are installed before entering it (the namespace has no network).

import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { privateStateDir } from '../../engine/src/runtimes/process/services-state-dir.js';
import { repoRoot } from '../helpers/cli.js';
import { isRoot } from './helpers.js';

const run = promisify(execFile);

const why = !isRoot()
  ? 'needs root (devenv as root runs postgres as the postgres user)'
  : !existsSync('/usr/lib/postgresql/15/bin/postgres')
    ? 'needs PostgreSQL 15 (scripts/ensure-process-prereqs.sh installs it)'
    : !hasTool('ip') || !hasTool('nsenter')
      ? 'needs ip and nsenter (iproute2, util-linux) for a network namespace of its own'
      : undefined;

function hasTool(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const netns = `devenv-private-${process.pid}`;
const top = mkdtempSync(join(tmpdir(), 'devenv-private-'));
const repo = join(top, 'repo');
const compose = join(repo, 'compose', 'reference', 'compose.yaml');
const env = {
  ...process.env,
  DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  DEVENV_PLATFORM: 'portable',
  NO_COLOR: '1',
} as Record<string, string | undefined>;
delete env.DEVENV_STATE_DIR;

/** A command inside the test's network namespace, from the private copy. */
async function inNs(argv: string[], timeout = 600_000): Promise<string> {
  try {
    const r = await run('nsenter', [`--net=/run/netns/${netns}`, '--', ...argv], { cwd: repo, env, timeout });
    return `${r.stdout}\n${r.stderr}`;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${argv.join(' ')} failed: ${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  }
}

const devenvIn = (...args: string[]) => inNs([process.execPath, 'cli/bin/devenv.js', '-f', compose, ...args]);
const sql = (statement: string) =>
  inNs(['psql', '-h', '127.0.0.1', '-p', '5432', '-U', 'app', '-d', 'app', '-tA', '-c', statement], 30_000);

/** Health, the page, the proxy and a Celery round trip, checked from inside the namespace. */
const checkScript = `
const get = async (u) => { const r = await fetch(u, { signal: AbortSignal.timeout(10000) }); return [r.status, await r.text()]; };
const [hs, h] = await get('http://127.0.0.1:8000/api/health');
const [ps, page] = await get('http://127.0.0.1:5173/');
const [xs, x] = await get('http://127.0.0.1:5173/api/health');
const created = await fetch('http://127.0.0.1:5173/api/tasks', { method: 'POST', headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ kind: 'add', payload: { a: 2, b: 40 } }) }).then((r) => r.json());
let task;
for (let i = 0; i < 240 && task?.state !== 'SUCCESS'; i++) {
  task = JSON.parse((await get('http://127.0.0.1:8000/api/tasks/' + created.task_id))[1]);
  if (task.state !== 'SUCCESS') await new Promise((r) => setTimeout(r, 250));
}
console.log(JSON.stringify({ health: [hs, JSON.parse(h)], page: [ps, page.includes('<div id="root">')], proxy: [xs, JSON.parse(x)], task }));
`;

async function checkStack(): Promise<void> {
  const out = await inNs([process.execPath, join(top, 'check.mjs')], 120_000);
  const result = JSON.parse(out.trim().split('\n')[0]!);
  expect(result.health).toEqual([200, expect.objectContaining({ status: 'ok', db: 'ok', redis: 'ok' })]);
  expect(result.page).toEqual([200, true]);
  expect(result.proxy).toEqual([200, expect.objectContaining({ status: 'ok' })]);
  expect(result.task).toMatchObject({ state: 'SUCCESS', result: { sum: 42 } });
}

describe.skipIf(why !== undefined)(
  `README command 1 as root in a 0700 directory${why ? ` (skipped: ${why})` : ''}`,
  () => {
    let firstUp = '';
    const servicesState = privateStateDir({ name: 'devenv-reference', projectDir: join(repo, 'compose', 'reference') });

    beforeAll(async () => {
      chmodSync(top, 0o700);
      // The repository as a user has it (sources and build output), its npm packages hard-linked.
      execFileSync(
        'sh',
        [
          '-c',
          'mkdir -p "$2" && tar -C "$1" --exclude=./.git --exclude=./node_modules --exclude=node_modules --exclude=.devenv --exclude=./test-results -cf - . | tar -C "$2" -xf - && (cp -al "$1/node_modules" "$2/node_modules" 2>/dev/null || cp -a "$1/node_modules" "$2/node_modules")',
          'sh',
          repoRoot,
          repo,
        ],
        { stdio: 'inherit' },
      );
      const frontendModules = join(repoRoot, 'example', 'frontend', 'node_modules');
      if (existsSync(join(frontendModules, '.package-lock.json'))) {
        execFileSync('cp', ['-a', frontendModules, join(repo, 'example', 'frontend', 'node_modules')]);
      } else {
        execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
          cwd: join(repo, 'example', 'frontend'),
          stdio: 'ignore',
        });
      }
      writeFileSync(join(top, 'check.mjs'), checkScript);
      rmSync(servicesState, { recursive: true, force: true });
      execFileSync('ip', ['netns', 'add', netns]);
      execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
      firstUp = await inNs(['scripts/up.sh']);
    }, 900_000);

    afterAll(async () => {
      await devenvIn('down', '--volumes').catch(() => undefined);
      execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
      rmSync(servicesState, { recursive: true, force: true });
      rmSync(top, { recursive: true, force: true });
    }, 120_000);

    it('comes up healthy on the process runtime, saying once where the services keep their state', async () => {
      expect(statSync(top).mode & 0o777).toBe(0o700);
      expect(firstUp).toContain('running the reference stack as local processes');
      expect(firstUp).toContain(`postgres runs as postgres, who cannot enter ${top}`);
      expect(firstUp).toContain(`the services' state (DEVENV_STATE_DIR) is kept in ${servicesState}`);
      expect(firstUp).toMatch(/frontend\s+http:\/\/127\.0\.0\.1:5173/);
      expect(firstUp).toContain('read with ps and lsof');
      await checkStack();
    });

    it('keeps that directory private: owners, modes, no symbolic link, nothing anyone else may write', () => {
      const uid = process.getuid!();
      const pg = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
      const pgGroup = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
      const base = join(servicesState, '..', '..');
      for (const [dir, owner] of [
        [base, 0],
        [join(servicesState, '..'), uid],
        [servicesState, uid],
      ] as const) {
        const st = lstatSync(dir);
        expect(st.isDirectory() && !st.isSymbolicLink(), dir).toBe(true);
        expect([dir, st.uid, st.mode & 0o7777]).toEqual([dir, owner, 0o711]);
      }
      const data = lstatSync(join(servicesState, 'postgres'));
      expect([data.uid, data.mode & 0o7777]).toEqual([Number(pg), 0o700]);
      const handed = lstatSync(join(servicesState, '.devenv-files', 'postgres'));
      expect([handed.uid, handed.gid, handed.mode & 0o7777]).toEqual([0, Number(pgGroup), 0o750]);
      expect(lstatSync(join(servicesState, '.devenv-files', 'postgres', 'init-db.sh')).mode & 0o777).toBe(0o750);
      // No directory in it that others may write to; the data belongs to postgres alone.
      const walk = (dir: string): void => {
        for (const e of readdirSync(dir, { withFileTypes: true })) {
          const p = join(dir, e.name);
          const st = lstatSync(p);
          if (e.isDirectory()) {
            expect(st.mode & 0o002, `${p} is world-writable`).toBe(0);
            walk(p);
          }
        }
      };
      walk(servicesState);
      // The runtime's own records and logs stayed in the project, private.
      const own = join(repo, 'compose', 'reference', '.devenv', 'devenv-reference');
      for (const d of ['processes', 'logs']) expect(statSync(join(own, d)).mode & 0o777).toBe(0o700);
      expect(existsSync(join(own, 'postgres'))).toBe(false);
    });

    it('keeps the data over down and a second up, and finds the same directory again', async () => {
      await sql(
        'CREATE TABLE IF NOT EXISTS devenv_private_check (v text); INSERT INTO devenv_private_check VALUES ($$kept$$)',
      );
      await devenvIn('down');
      const again = await inNs(['scripts/up.sh']);
      expect(again).not.toContain("the services' state (DEVENV_STATE_DIR) is kept in");
      expect((await sql('SELECT v FROM devenv_private_check')).trim()).toBe('kept');
      await checkStack();
    });

    it('reset deletes the data in that directory and brings the stack back', async () => {
      await devenvIn('reset', '--yes');
      expect(await sql('SELECT count(*) FROM devenv_private_check').catch((e: Error) => e.message)).toContain(
        'does not exist',
      );
      await checkStack();
      expect(lstatSync(join(servicesState, 'postgres')).uid).toBe(
        Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })),
      );
    });
  },
);
