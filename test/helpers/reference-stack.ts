// The reference stack's acceptance checks, shared by the Docker and process-runtime tests:
// backend health, the page through Vite, health through Vite's proxy, a Celery round trip;
// and who listens where (`ss -ltnp`), for the loopback-only check.

import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from './cli.js';
import { freePort } from './free-port.js';
import { waitUntil } from './wait.js';

export const referenceCompose = join(repoRoot, 'compose', 'reference', 'compose.yaml');
export const hostCaOverride = join(repoRoot, 'compose', 'reference', 'compose.host-ca.yaml');

/** `-f` arguments for the reference stack, with the host-CA override where npm needs one (see docs/reference-stack.md). */
export function referenceFiles(): { args: string[]; env: Record<string, string> } {
  const args = ['-f', referenceCompose];
  const env: Record<string, string> = {};
  let cafile = '';
  try {
    cafile = execFileSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).trim();
  } catch {
    cafile = '';
  }
  if (cafile && cafile !== 'null' && cafile !== 'undefined' && existsSync(cafile)) {
    args.push('-f', hostCaOverride);
    env.HOST_CA_BUNDLE = cafile;
    env.NPM_REGISTRY = execFileSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).trim();
  }
  return { args, env };
}

export interface ReferencePorts {
  /** BACKEND_PORT, FRONTEND_PORT, POSTGRES_PORT, REDIS_PORT: compose.yaml interpolates them. */
  env: Record<string, string>;
  backend: string;
  frontend: string;
  /** The host ports the stack binds (all four on the process runtime; backend and frontend on Docker). */
  ports: number[];
}

/**
 * Free host ports for a copy of the reference stack, so a test runs beside the stack from
 * `npm run up` (which holds 8000, 5173 and, on the process runtime, 5432 and 6379).
 */
export async function referencePorts(): Promise<ReferencePorts> {
  const [backend, frontend, postgres, redis] = [await freePort(), await freePort(), await freePort(), await freePort()];
  return {
    env: {
      BACKEND_PORT: String(backend),
      FRONTEND_PORT: String(frontend),
      POSTGRES_PORT: String(postgres),
      REDIS_PORT: String(redis),
    },
    backend: `http://127.0.0.1:${backend}`,
    frontend: `http://127.0.0.1:${frontend}`,
    ports: [backend, frontend, postgres, redis],
  };
}

export async function getJson(url: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The acceptance of the core issue: health, page, proxy, and a Celery task's result. */
export async function checkReferenceStack({ backend, frontend }: { backend: string; frontend: string }) {
  const health = await getJson(`${backend}/api/health`);
  expect(health.status).toBe(200);
  expect(health.body).toMatchObject({ status: 'ok', db: 'ok', redis: 'ok' });

  const page = await fetch(`${frontend}/`, { signal: AbortSignal.timeout(10_000) });
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<div id="root">');

  const proxied = await getJson(`${frontend}/api/health`);
  expect(proxied.status).toBe(200);
  expect(proxied.body).toMatchObject({ status: 'ok' });

  const created = await fetch(`${frontend}/api/tasks`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'add', payload: { a: 2, b: 40 } }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(created.status).toBeLessThan(300);
  const { task_id: taskId } = (await created.json()) as { task_id: string };
  const done = await waitUntil(
    'the Celery task result',
    async () => {
      const r = await getJson(`${backend}/api/tasks/${taskId}`);
      return r.body.state === 'SUCCESS' ? r.body : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 250 },
  );
  expect(done.result).toEqual({ sum: 42 });
}

export interface Listener {
  address: string;
  port: number;
  process: string;
  pid: number;
}

/** Every listening TCP socket with its owning process, from `ss -ltnpH`. */
export function listeners(): Listener[] {
  const out = execFileSync('ss', ['-ltnpH'], { encoding: 'utf8' });
  const result: Listener[] = [];
  for (const line of out.split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 5) continue;
    const local = cols[3]!;
    const idx = local.lastIndexOf(':');
    const users = /users:\(\("([^"]+)",pid=(\d+)/.exec(line);
    result.push({
      address: local.slice(0, idx).replace(/^\[|\]$/g, ''),
      port: Number(local.slice(idx + 1)),
      process: users?.[1] ?? '',
      pid: Number(users?.[2] ?? 0),
    });
  }
  return result;
}

export function isLoopback(address: string): boolean {
  return address === '127.0.0.1' || address === '::1' || address.startsWith('127.') || address === 'localhost';
}
