// The real reference stack (postgres, redis, migrate, backend, worker, frontend) run by the
// engine on the process runtime: up from nothing, the app's round trip (health direct and
// through Vite's proxy, the page, a Celery task), down, and not one process left behind. Its own
// project name and free ports: it runs beside the stack from `npm run up`.

import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../engine/src/engine/engine.js';
import type { EngineEvent } from '../../engine/src/model/events.js';
import { hostProcesses, isLoopback } from '../../engine/src/platform/host-processes.js';
import { findMissingBinaries } from '../../engine/src/runtimes/process/binaries.js';
import { TOKEN_VAR } from '../../engine/src/runtimes/process/instance-record.js';
import { ProcessRuntime } from '../../engine/src/runtimes/process/process-runtime.js';
import { type ReferencePorts, referencePorts } from '../helpers/reference-stack.js';
import { referenceProject } from './reference-project.js';

const projectName = `devenvtest-ref-process-${process.pid}`;
let ports: ReferencePorts;
let root: string;
let stateDir: string;
let engine: Engine | undefined;
const events: EngineEvent[] = [];
const tokens = new Set<string>();

/** Is the port free on 127.0.0.1 (after `down`, nothing of the stack may hold it)? */
function isFree(port: number): Promise<boolean> {
  return new Promise<boolean>((res) => {
    const srv = createServer();
    srv.once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

async function get(url: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  return { status: res.status, text: await res.text() };
}

function tail(service?: string): string {
  return events
    .filter((e) => e.kind === 'log' || e.kind === 'diagnostic')
    .filter((e) => !service || ('service' in e && e.service === service))
    .slice(-40)
    .map((e) => (e.kind === 'log' ? `${e.service} | ${e.line}` : `${e.kind}: ${e.message}`))
    .join('\n');
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'devenv-ref-'));
  chmodSync(root, 0o711); // postgres (the user) must pass through to its data directory
  stateDir = join(root, 'state');
  ports = await referencePorts();
});

const load = () => referenceProject(stateDir, { projectName, ports: ports.env });

afterAll(async () => {
  if (engine) {
    const project = await load();
    await engine.down(project, { volumes: true }).catch(() => undefined);
    await engine.close();
  }
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the reference stack on the process runtime', () => {
  it('has everything it needs installed (what `devenv doctor` checks)', async () => {
    expect(await findMissingBinaries(await load())).toEqual([]);
  });

  it('comes up, serves the app end to end, and goes down leaving nothing behind', async () => {
    const project = await load();
    engine = new Engine(new ProcessRuntime({ stateDir }));
    engine.bus.subscribe((e) => events.push(e));

    /** When each service first became healthy (or completed), in ms after `from`. */
    const settledAfter = (from: number) => {
      const out: Record<string, number> = {};
      for (const e of events) {
        if (e.kind !== 'status' || Date.parse(e.ts) < from || out[e.service] !== undefined) continue;
        if (e.status.state === 'healthy' || e.status.state === 'completed') out[e.service] = Date.parse(e.ts) - from;
      }
      return out;
    };

    const t0 = Date.now();
    const first = await engine.up(project);
    const coldMs = Date.now() - t0;
    expect(first.failed, tail()).toEqual([]);
    expect(Object.values(first.actions)).toEqual(Array(6).fill('created'));
    const cold = settledAfter(t0);
    for (const o of await engine.runtime.observe(project.name)) tokens.add(o.id.split(':').at(-1)!);

    // Stop everything, keep the data: the second `up` skips initdb and npm ci.
    await engine.down(project, { volumes: false });
    const t1 = Date.now();
    const second = await engine.up(project);
    const warmMs = Date.now() - t1;
    expect(second.failed, tail()).toEqual([]);
    const warm = settledAfter(t1);
    for (const o of await engine.runtime.observe(project.name)) tokens.add(o.id.split(':').at(-1)!);

    // `up` once more changes nothing that runs (the one-shot migrate runs again, as with Docker).
    const third = await engine.up(project);
    expect(third.failed, tail()).toEqual([]);
    expect(third.actions).toEqual({
      postgres: 'kept',
      redis: 'kept',
      migrate: 'started',
      backend: 'kept',
      worker: 'kept',
      frontend: 'kept',
    });

    const status = engine.status();
    const state = Object.fromEntries(status.services.map((s) => [s.name, s.state]));
    expect(state).toEqual({
      postgres: 'healthy',
      redis: 'healthy',
      migrate: 'completed',
      backend: 'healthy',
      worker: 'healthy',
      frontend: 'healthy',
    });
    // Host processes bind their own ports: all on loopback, each where the config says.
    const listening = status.services.flatMap((s) => s.ports.map((p) => ({ service: s.name, ...p })));
    expect(listening.filter((p) => !isLoopback(p.hostIp))).toEqual([]);
    const [backendPort, frontendPort, postgresPort, redisPort] = ports.ports;
    for (const [service, port] of [
      ['postgres', postgresPort],
      ['redis', redisPort],
      ['backend', backendPort],
      ['frontend', frontendPort],
    ] as const) {
      expect(listening.some((p) => p.service === service && p.hostPort === port)).toBe(true);
    }
    expect(status.services.find((s) => s.name === 'backend')?.url).toBe(`${ports.backend}/docs`);

    const health = await get(`${ports.backend}/api/health`);
    expect(health.status, health.text).toBe(200);
    expect(JSON.parse(health.text)).toEqual({ status: 'ok', db: 'ok', redis: 'ok' });
    const proxied = await get(`${ports.frontend}/api/health`);
    expect(proxied.status).toBe(200);
    expect(JSON.parse(proxied.text).status).toBe('ok');
    expect((await get(`${ports.frontend}/`)).text).toContain('<div id="root">');

    const created = await get(`${ports.frontend}/api/tasks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'add', payload: { a: 2, b: 40 } }),
    });
    expect(created.status, created.text).toBe(202);
    const taskId = JSON.parse(created.text).task_id as string;
    const tRoundTrip = Date.now();
    let task: { state: string; result: unknown } = { state: 'PENDING', result: null };
    while (Date.now() - tRoundTrip < 30_000) {
      task = JSON.parse((await get(`${ports.frontend}/api/tasks/${taskId}`)).text);
      if (task.state === 'SUCCESS' || task.state === 'FAILURE') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(task, tail('worker')).toMatchObject({ state: 'SUCCESS', result: { sum: 42 } });
    const roundTripMs = Date.now() - tRoundTrip;

    await engine.down(project, { volumes: true });
    for (const token of tokens)
      expect(await hostProcesses().withEnv(TOKEN_VAR, token), `processes with token ${token}`).toEqual([]);
    for (const p of ports.ports) expect(await isFree(p), `port ${p} after down`).toBe(true);
    // `down -v` deleted the data (postgres' cluster) and kept the logs.
    expect(existsSync(join(stateDir, 'postgres'))).toBe(false);
    expect(existsSync(join(stateDir, 'logs', 'postgres.log'))).toBe(true);

    console.log(
      `reference stack on processes: up from nothing ${coldMs} ms ${JSON.stringify(cold)}; ` +
        `up with data kept ${warmMs} ms ${JSON.stringify(warm)}; task round trip ${roundTripMs} ms`,
    );
  });
});
