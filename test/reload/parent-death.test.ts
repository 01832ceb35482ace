// The fork reloader's servers die with it: `kill -9` of the reloader (the parent devenv or a
// container runtime kills) leaves no forked server re-parented to PID 1 and still answering.
// Real Debian python3 with uvicorn and FastAPI, the command line devenv writes.

import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RELOADER_BOOT, RELOADER_ENV, RELOADER_PATH } from '../../engine/src/reload/fork-reload.js';
import { freePort } from '../helpers/free-port.js';
import { waitUntil } from '../helpers/wait.js';

const PYTHON = '/usr/bin/python3';
const haveUvicorn = spawnSync(PYTHON, ['-c', 'import uvicorn, fastapi']).status === 0;
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function pid(port: number): Promise<number | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/pid`, { signal: AbortSignal.timeout(1000) });
    return res.ok ? ((await res.json()) as { pid: number }).pid : undefined;
  } catch {
    return undefined;
  }
}

const alive = (p: number) => {
  try {
    process.kill(p, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!haveUvicorn)(
  `the fork reloader's servers${haveUvicorn ? '' : ' (skipped: /usr/bin/python3 has no uvicorn/fastapi; scripts/ensure-process-prereqs.sh installs them)'}`,
  () => {
    it('die with the reloader when it is killed with SIGKILL', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'devenv-reload-death-'));
      dirs.push(dir);
      mkdirSync(path.join(dir, 'app'));
      writeFileSync(path.join(dir, 'app', '__init__.py'), '');
      writeFileSync(
        path.join(dir, 'app', 'main.py'),
        'import os\nfrom fastapi import FastAPI\napp = FastAPI()\n@app.get("/pid")\ndef pid():\n    return {"pid": os.getpid()}\n',
      );
      const port = await freePort();
      let out = '';
      const child = spawn(
        PYTHON,
        [
          '-c',
          RELOADER_BOOT,
          '-m',
          'uvicorn',
          'app.main:app',
          '--host',
          '127.0.0.1',
          '--port',
          String(port),
          '--reload',
        ],
        {
          cwd: dir,
          env: { ...process.env, [RELOADER_ENV]: readFileSync(RELOADER_PATH, 'utf8') },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      child.stdout.on('data', (d) => {
        out += d;
      });
      child.stderr.on('data', (d) => {
        out += d;
      });
      let server: number | undefined;
      const answers = async () => {
        server = await pid(port);
        return server !== undefined;
      };
      await waitUntil(`the server to answer (output:\n${out})`, answers, { timeoutMs: 30_000, intervalMs: 50 });
      expect(server).not.toBe(child.pid);
      const forked = () =>
        spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
          .stdout.split('\n')
          .filter(Boolean)
          .map(Number);
      const children = forked();
      expect(children).toContain(server);

      child.kill('SIGKILL');
      try {
        await waitUntil('every forked server to be gone', () => ![server!, ...children].some(alive), {
          timeoutMs: 5000,
          intervalMs: 20,
        });
        expect(await pid(port)).toBeUndefined();
      } finally {
        for (const p of children.filter(alive)) process.kill(p, 'SIGKILL'); // never leave one serving
      }
    }, 60_000);
  },
);
