// The README's first command on a machine with no Docker engine: `scripts/up.sh` brings the
// reference stack up as local processes (the embedded default), says where the frontend and
// backend are, and the core acceptance holds: health, page, proxy, Celery round trip; nothing
// listens off loopback. (No engine is simulated by pointing DOCKER_HOST at a socket that does
// not exist: `docker info` then fails exactly as on a machine without one.)

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import { checkReferenceStack, isLoopback, listeners, portsFree, referenceCompose } from '../helpers/reference-stack.js';

const run = promisify(execFile);
const stateRoot = mkdtempSync(join(tmpdir(), 'devenv-readme-'));
chmodSync(stateRoot, 0o711);
const env = {
  ...process.env,
  DOCKER_HOST: 'unix:///nonexistent/docker.sock',
  DEVENV_STATE_DIR: join(stateRoot, 'state'),
  NO_COLOR: '1',
};
const ports = [5432, 6379, 8000, 5173];

describe('README command 1 without a Docker engine', () => {
  let output = '';

  beforeAll(async () => {
    const busy = portsFree(ports);
    if (busy) throw new Error(`the reference stack's ports are taken: ${busy}; stop whatever holds them and rerun`);
    const r = await run(join(repoRoot, 'scripts', 'up.sh'), [], { cwd: repoRoot, env, timeout: 600_000 });
    output = `${r.stdout}\n${r.stderr}`;
  });

  afterAll(async () => {
    await devenv(['-f', referenceCompose, '--runtime', 'process', 'down', '--volumes'], { env });
  });

  it('runs on the process runtime and says where the frontend and backend are', () => {
    expect(output).toContain('running the reference stack as local processes');
    expect(output).toMatch(/on process/);
    expect(output).toMatch(/frontend\s+http:\/\/127\.0\.0\.1:5173/);
    expect(output).toMatch(/backend\s+http:\/\/127\.0\.0\.1:8000/);
  });

  it('serves health, the page, the proxy, and a Celery round trip', async () => {
    await checkReferenceStack();
  });

  it('listens on loopback only', () => {
    const mine = listeners().filter((l) => ports.includes(l.port));
    expect(mine.length).toBeGreaterThanOrEqual(ports.length);
    for (const l of mine) expect(isLoopback(l.address), `${l.process} on ${l.address}:${l.port}`).toBe(true);
  });
});
