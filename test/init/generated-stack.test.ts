// What `devenv init` writes for the example app must run, not only load: generate compose.yaml
// in a copy of example/ (plus the scenario's .env), bring the whole stack up on the process
// runtime with the real CLI, do the app's round trip (a Celery task through Vite's proxy), and
// take it down. Needs what the reference stack's process test needs (scripts/test.sh installs it).
// init writes the app's own port numbers (8000, 5173, 5432, 6379), which the stack from `npm run up`
// may hold: on the process runtime each is a host port, so the test moves every one to a free port
// throughout the generated file and runs beside that stack.

import { chmodSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { backendPython } from '../process-runtime/reference-project.js';

const appPorts = [5432, 6379, 8000, 5173];
const dir = mkdtempSync(join(tmpdir(), 'devenv-init-up-'));
// postgres (the user the database runs as when devenv is root) must pass through to its data.
chmodSync(dir, 0o711);
const env = { PYTHON: process.env.PYTHON ?? backendPython() };
let started = false;

afterAll(async () => {
  if (started) await devenv(['down', '--volumes'], { cwd: dir, env });
  rmSync(dir, { recursive: true, force: true });
});

async function busy(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(false)));
  });
}

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    ...init,
    headers: { 'Content-Type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('the compose.yaml devenv init writes for the example app', () => {
  it('brings the stack up on the process runtime and serves a task end to end', async () => {
    const moved = new Map<number, number>();
    for (const p of appPorts) moved.set(p, await freePort());
    const ports = [...moved.values()];
    const frontend = `http://127.0.0.1:${moved.get(5173)}`;

    const skip = (src: string) => !/(^|\/)(node_modules|dist|\.devenv|__pycache__)(\/|$)/.test(src);
    cpSync(join(repoRoot, 'example'), dir, { recursive: true, filter: skip });
    cpSync(join(repoRoot, 'test', 'fixtures', 'init', 'example-app'), dir, { recursive: true });
    const init = await devenv(['init'], { cwd: dir });
    expect(init.code, init.stderr).toBe(0);
    const generated = join(dir, 'compose.yaml');
    writeFileSync(
      generated,
      readFileSync(generated, 'utf8').replace(/\b(5432|6379|8000|5173)\b/g, (p) => String(moved.get(Number(p)))),
    );

    started = true;
    const up = await devenv(['--runtime', 'process', 'up', '-d'], { cwd: dir, env, timeoutMs: 480_000 });
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(up.stdout).toMatch(/migrate +completed/);
    for (const name of ['postgres', 'redis', 'backend', 'worker', 'frontend']) {
      expect(up.stdout).toMatch(new RegExp(`${name} +healthy`));
    }

    // Through the Vite dev server: the proxy reaches the backend at the BACKEND_URL init set.
    const health = await json(`${frontend}/api/health`);
    expect(health).toEqual({ status: 200, body: { status: 'ok', db: 'ok', redis: 'ok' } });
    const created = await json(`${frontend}/api/tasks`, {
      method: 'POST',
      body: JSON.stringify({ kind: 'add', payload: { a: 2, b: 40 } }),
    });
    expect(created.status).toBe(202);
    let task: Record<string, unknown> = {};
    for (let i = 0; i < 60 && task.state !== 'SUCCESS'; i++) {
      await new Promise((r) => setTimeout(r, 500));
      task = (await json(`${frontend}/api/tasks/${String(created.body.task_id)}`)).body;
    }
    expect(task).toMatchObject({ state: 'SUCCESS', result: { sum: 42 } });

    const down = await devenv(['down', '--volumes'], { cwd: dir, env });
    expect(down.code, down.stderr).toBe(0);
    started = false;
    for (const p of ports) expect(await busy(p), `port ${p} still held after down`).toBe(false);
  }, 600_000);
});
