// What `devenv init` writes for an app and its backing service must come up on real Docker, not
// only load: generate compose.yaml in a copy of the scenario, `devenv up` it with the real CLI,
// talk to the app (which talks to its database through the host name init named the service
// after), and take it down. The proposal itself (evidence, healthcheck, depends_on, `devenv
// config`) is checked in init.test.ts, which needs no Docker.
//
// Images: the apps' Dockerfiles build FROM the local debian:bookworm-slim. The backing services
// use the images a user's file names (redis:7, mongo:7), from the local engine or a registry.
// Where no registry is reachable (this project's CI), redis:7 is built here FROM
// debian:bookworm-slim with Debian's redis-server 7.0 — the real server, started the way the
// official image starts it — and labelled dev.devenv.stand-in so it can be told apart. MongoDB
// has no such stand-in: Debian 12 packages no MongoDB server, and npm's mongodb-memory-server
// downloads the server binary from MongoDB's own site; a MongoDB-wire-compatible imitation is not
// MongoDB. So that stack comes up wherever mongo:7 can be had, and skips saying so elsewhere.

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import { docker, dockerAvailable, imageExists, volumesOf } from '../helpers/docker.js';
import { freePort } from '../helpers/free-port.js';

const haveDocker = dockerAvailable();
const BASE_IMAGE = 'debian:bookworm-slim';
const temps: string[] = [];
/** Project directories still up, with their project names (taken down after the file's tests). */
const running = new Map<string, string>();

afterAll(async () => {
  for (const [dir, project] of running) {
    await devenv(['-p', project, 'down', '--volumes'], { cwd: dir, timeoutMs: 120_000 });
  }
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** An image from the engine, else from a registry; the reason it cannot be had, else undefined. */
function pullIfMissing(image: string): string | undefined {
  if (imageExists(image)) return undefined;
  try {
    execFileSync('docker', ['pull', '-q', image], { stdio: 'pipe', timeout: 600_000 });
    return undefined;
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim().split('\n')[0];
    return `\`docker pull ${image}\` failed: ${stderr || String(err)}`;
  }
}

/** redis:7 from the engine or a registry, else built here from Debian's redis-server (see the header). */
function ensureRedisImage(): void {
  if (pullIfMissing('redis:7') === undefined) return;
  const dir = mkdtempSync(join(tmpdir(), 'devenv-redis-stand-in-'));
  temps.push(dir);
  // As the official image: data in /data, run as the redis user, no protected mode (other
  // containers connect), every other setting redis-server's own default.
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      `FROM ${BASE_IMAGE}`,
      'RUN apt-get update \\',
      ' && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends redis-server \\',
      ' && rm -rf /var/lib/apt/lists/* \\',
      ' && mkdir /data && chown redis:redis /data',
      'LABEL dev.devenv.stand-in="redis:7 built FROM debian:bookworm-slim with Debian\'s redis-server, for a machine without a registry"',
      'WORKDIR /data',
      'USER redis',
      'EXPOSE 6379',
      'CMD ["redis-server", "--protected-mode", "no"]',
      '',
    ].join('\n'),
  );
  docker(['build', '-q', '-t', 'redis:7', dir]);
}

/** A copy of the scenario outside the repository, with the app's port set in its .env (a free one). */
function copyScenario(name: string, portVariable: string, port: number): string {
  const dir = mkdtempSync(join(tmpdir(), `devenv-init-${name}-`));
  temps.push(dir);
  cpSync(join(repoRoot, 'test', 'fixtures', 'init', name), dir, { recursive: true });
  writeFileSync(join(dir, '.env'), `${portVariable}=${port}\n`);
  return dir;
}

interface StatusJson {
  services: { name: string; state: string }[];
}

async function states(dir: string, project: string): Promise<Record<string, string>> {
  const r = await devenv(['-p', project, 'status', '--json'], { cwd: dir });
  expect(r.code, r.stderr).toBe(0);
  return Object.fromEntries((JSON.parse(r.stdout) as StatusJson).services.map((s) => [s.name, s.state]));
}

async function get(url: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url, {
    ...init,
    headers: { 'Content-Type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, body: await res.json() };
}

/**
 * init, then up on Docker under a project name of the test's own. The name is fixed, so the app's
 * image is rebuilt from its cache on the next run instead of piling up; what an interrupted run
 * left behind is taken down first.
 */
async function initAndUp(dir: string, project: string): Promise<void> {
  const init = await devenv(['init'], { cwd: dir });
  expect(init.code, `${init.stdout}\n${init.stderr}`).toBe(0);
  await devenv(['-p', project, 'down', '--volumes'], { cwd: dir, timeoutMs: 120_000 });
  running.set(dir, project);
  const up = await devenv(['-p', project, '--runtime', 'docker', 'up', '-d'], { cwd: dir, timeoutMs: 540_000 });
  expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
}

async function down(dir: string, project: string): Promise<void> {
  const r = await devenv(['-p', project, 'down', '--volumes'], { cwd: dir, timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(0);
  running.delete(dir);
  expect(volumesOf(project)).toEqual([]);
}

describe.skipIf(!haveDocker)(
  'stacks devenv init writes for an app and its backing service, on Docker (needs a Docker engine)',
  () => {
    it('Flask + Redis: redis, named after Redis(host="redis"), and the app come up healthy; the app counts in it', async () => {
      const port = await freePort();
      const dir = copyScenario('flask-redis', 'FLASK_RUN_PORT', port);
      const project = 'devenvtest-init-flask-redis';
      ensureRedisImage();
      await initAndUp(dir, project);
      expect(await states(dir, project)).toEqual({ redis: 'healthy', web: 'healthy' });
      // Through the app: it reaches Redis at the host name in its code, so the count goes up.
      expect(await get(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: { hits: 1 } });
      expect(await get(`http://127.0.0.1:${port}/`)).toEqual({ status: 200, body: { hits: 2 } });
      // Its data lives in the named volume init declared.
      expect(volumesOf(project).some((v) => v.endsWith('redis-data'))).toBe(true);
      await down(dir, project);
    }, 900_000);
  },
);

// Decided when the file is collected, so that the skip names its reason in the summary.
const mongoMissing = haveDocker ? pullIfMissing('mongo:7') : 'no Docker engine';
const mongoSkip = mongoMissing
  ? `${mongoMissing}; no MongoDB server can be built here instead (Debian 12 packages none; mongodb-memory-server downloads one from MongoDB's site)`
  : undefined;

describe.skipIf(mongoSkip !== undefined)(
  `the Express + MongoDB stack devenv init writes, on Docker${mongoSkip ? ` (skipped: ${mongoSkip})` : ''}`,
  () => {
    it('mongo and the API come up healthy; the API stores and reads items in it', async () => {
      const port = await freePort();
      const dir = copyScenario('express-mongodb', 'PORT', port);
      const project = 'devenvtest-init-express-mongodb';
      await initAndUp(dir, project);
      expect(await states(dir, project)).toEqual({ mongo: 'healthy', api: 'healthy' });
      const created = await get(`http://127.0.0.1:${port}/items`, {
        method: 'POST',
        body: JSON.stringify({ name: 'lamp' }),
      });
      expect(created.status).toBe(201);
      expect(await get(`http://127.0.0.1:${port}/items`)).toEqual({ status: 200, body: [{ name: 'lamp' }] });
      expect(volumesOf(project).some((v) => v.endsWith('mongo-data'))).toBe(true);
      await down(dir, project);
    }, 900_000);
  },
);
