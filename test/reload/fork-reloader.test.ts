// The fork reloader (engine/agent/devenv-reload.py) run for real: Debian's python3 with uvicorn
// and FastAPI (installed by the test command's process prerequisites), exactly the command line
// devenv writes for `uvicorn … --reload`. Edits are real file writes; answers are real HTTP.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RELOADER_ENV } from '../../engine/src/reload/fork-reload.js';
import { freePort } from '../debug/helpers.js';
import { type Running as Process, startReloader, stopReloaders } from '../helpers/reloader-process.js';
import { waitUntil } from '../helpers/wait.js';

interface Running extends Process {
  port: number;
}

afterEach(stopReloaders);

/** A small FastAPI app; `/v` answers with the route's marker, the server's pid and whether SQLAlchemy was imported fresh. */
function writeApp(dir: string, marker: string): void {
  mkdirSync(path.join(dir, 'app'), { recursive: true });
  writeFileSync(path.join(dir, 'app', '__init__.py'), '');
  writeFileSync(
    path.join(dir, 'app', 'main.py'),
    [
      'import os, sys',
      "FRESH = 'sqlalchemy' not in sys.modules  # False once the reloader has preloaded it",
      'import sqlalchemy  # noqa: F401',
      'from fastapi import FastAPI',
      'from app import routes',
      'app = FastAPI()',
      'app.include_router(routes.router)',
      '@app.get("/pid")',
      'def pid():',
      '    return {"pid": os.getpid(), "ppid": os.getppid(), "fresh": FRESH}',
      '',
    ].join('\n'),
  );
  writeRoute(dir, marker);
}

function writeRoute(dir: string, marker: string, extra = ''): void {
  writeFileSync(
    path.join(dir, 'app', 'routes.py'),
    `${extra}from fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/v")\ndef v():\n    return {"v": "${marker}"}\n`,
  );
}

async function start(opts: { env?: Record<string, string | undefined>; args?: string[] } = {}): Promise<Running> {
  const port = await freePort();
  const r = startReloader({
    prepare: (dir) => writeApp(dir, 'one'),
    args: [
      '-m',
      'uvicorn',
      ...(opts.args ?? ['app.main:app', '--host', '127.0.0.1', '--port', String(port), '--reload']),
    ],
    ...(opts.env ? { env: opts.env } : {}),
  });
  return { ...r, port };
}

async function get(r: Running, route: string): Promise<Record<string, unknown> | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${r.port}${route}`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const served = (r: Running, marker: string) =>
  waitUntil(`/v to answer ${marker} (output so far:\n${r.output()})`, async () => (await get(r, '/v'))?.v === marker, {
    timeoutMs: 30_000,
    intervalMs: 20,
  });

const groupAlive = (pgid: number) => spawnSync('pgrep', ['-g', String(pgid)]).status === 0;

describe('fork reloader', () => {
  it('serves an edit from a new server process forked from the same parent, with the libraries preloaded', async () => {
    const r = await start();
    await served(r, 'one');
    const first = (await get(r, '/pid'))!;
    expect(first.ppid).toBe(r.child.pid);
    expect(first.fresh).toBe(true);
    expect(r.output()).toContain('devenv reload: watching .');

    writeRoute(r.dir, 'two');
    await served(r, 'two');
    const second = (await get(r, '/pid'))!;
    expect(second.pid).not.toBe(first.pid);
    expect(second.ppid).toBe(r.child.pid);
    // The first server reported what it imported; the parent imported the libraries among them.
    expect(second.fresh).toBe(false);
    expect(r.output()).toMatch(/devenv reload: 'app\/routes\.py' changed; reloading \(server process \d+\)/);

    // An atomic save (write a temporary name, rename into place), as editors and devenv's sync do.
    writeFileSync(
      path.join(r.dir, 'app', '.routes.py.tmp'),
      readFileSync(path.join(r.dir, 'app', 'routes.py'), 'utf8').replace('two', 'three'),
    );
    spawnSync('mv', [path.join(r.dir, 'app', '.routes.py.tmp'), path.join(r.dir, 'app', 'routes.py')]);
    await served(r, 'three');

    // `touch` (only a new mtime) reloads, as it does with uvicorn's own reloader.
    const pidBefore = (await get(r, '/pid'))!.pid;
    spawnSync('touch', [path.join(r.dir, 'app', 'routes.py')]);
    await waitUntil('a new server process after touch', async () => {
      const now = await get(r, '/pid');
      return now !== undefined && now.pid !== pidBefore;
    });
  });

  it('follows a package created after start, and ignores files that are not Python', async () => {
    const r = await start();
    await served(r, 'one');
    writeFileSync(path.join(r.dir, 'notes.txt'), 'not code');
    mkdirSync(path.join(r.dir, '__pycache__'), { recursive: true });
    writeFileSync(path.join(r.dir, '__pycache__', 'x.py'), '');
    // A new directory, then a module in it, then a route importing it.
    mkdirSync(path.join(r.dir, 'extra'));
    writeFileSync(path.join(r.dir, 'extra', '__init__.py'), 'MARK = "from-extra"\n');
    writeRoute(r.dir, 'four', 'from extra import MARK  # noqa: F401\n');
    await served(r, 'four');
    writeFileSync(path.join(r.dir, 'extra', '__init__.py'), 'MARK = "changed"\n');
    writeFileSync(
      path.join(r.dir, 'app', 'routes.py'),
      'from extra import MARK\nfrom fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/v")\ndef v():\n    return {"v": MARK}\n',
    );
    await served(r, 'changed');
    writeFileSync(path.join(r.dir, 'extra', '__init__.py'), 'MARK = "edited in the new package"\n');
    await served(r, 'edited in the new package');
    // The non-Python writes above triggered nothing on their own: every reload is logged with its cause.
    const causes = [...r.output().matchAll(/devenv reload: '([^']+)'/g)].map((m) => m[1]);
    expect(causes.every((c) => c!.endsWith('.py') || c === 'extra')).toBe(true);
    expect(causes).not.toContain('notes.txt');
  });

  it('imports code outside installed packages fresh in every server (a PYTHONPATH directory), never in the parent', async () => {
    const lib = mkdtempSync(path.join(tmpdir(), 'devenv-reload-lib-'));
    try {
      writeFileSync(path.join(lib, 'shared_code.py'), 'VALUE = "first"\n');
      const r = await start({ env: { PYTHONPATH: lib } });
      const route = (extra: string) =>
        writeFileSync(
          path.join(r.dir, 'app', 'routes.py'),
          `import shared_code\nfrom fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/v")\ndef v():\n    return {"v": shared_code.VALUE + "${extra}"}\n`,
        );
      route('-a');
      await served(r, 'first-a');
      // Not watched (outside the reload directories): no reload of its own, but the next one sees it.
      writeFileSync(path.join(lib, 'shared_code.py'), 'VALUE = "second"\n');
      route('-b');
      await served(r, 'second-b');
    } finally {
      rmSync(lib, { recursive: true, force: true });
    }
  });

  it('keeps the socket through a broken edit and serves again once it is fixed', async () => {
    const r = await start();
    await served(r, 'one');
    writeRoute(r.dir, 'broken', 'this is not python(\n');
    await waitUntil('the reloader to report the dead server', () =>
      r.output().includes('devenv reload: the server process exited (1); waiting for a change to start it again'),
    );
    expect(r.output()).toContain('SyntaxError');
    writeRoute(r.dir, 'fixed');
    await served(r, 'fixed');
  });

  it('stops with its whole process group on SIGTERM, exit code 0', async () => {
    const r = await start();
    await served(r, 'one');
    writeRoute(r.dir, 'two');
    await served(r, 'two');
    const exited = new Promise<number | null>((resolve) => r.child.once('exit', (code) => resolve(code)));
    process.kill(r.child.pid!, 'SIGTERM');
    expect(await exited).toBe(0);
    await waitUntil('no process left in the group', () => !groupAlive(r.child.pid!), { timeoutMs: 15_000 });
  });

  it('runs plain uvicorn when the reloader text is missing, and hands options it cannot read to uvicorn', async () => {
    const plain = await start({ env: { [RELOADER_ENV]: undefined } });
    await served(plain, 'one');
    expect(plain.output()).not.toContain('devenv reload:');

    const bad = await start({ args: ['app.main:app', '--reload', '--no-such-option'] });
    const code = await new Promise<number | null>((resolve) => bad.child.once('exit', (c) => resolve(c)));
    expect(bad.output()).toMatch(
      /devenv reload: cannot read the options \(.*no-such-option.*\); running the server's own reloader instead/,
    );
    expect(bad.output()).toContain('No such option: --no-such-option');
    expect(code).toBe(2);
  });
});
