// The README's first command on a machine with no Docker engine: `scripts/up.sh` brings the
// reference stack up as local processes (the embedded default), says where the frontend and
// backend are, and the core acceptance holds: health, page, proxy, Celery round trip; nothing
// listens off loopback. (No engine is simulated by pointing DOCKER_HOST at a socket that does
// not exist: `docker info` then fails exactly as on a machine without one.) Its own project name
// (COMPOSE_PROJECT_NAME) and free ports, so it runs beside the stack a real `npm run up` started.

import { execFile } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import {
  checkReferenceStack,
  isLoopback,
  listeners,
  type ReferencePorts,
  referenceCompose,
  referencePorts,
} from '../helpers/reference-stack.js';

const run = promisify(execFile);
const stateRoot = mkdtempSync(join(tmpdir(), 'devenv-readme-'));
chmodSync(stateRoot, 0o711);
const project = `devenvtest-readme-${process.pid}`;

describe('README command 1 without a Docker engine', () => {
  let output = '';
  let ports: ReferencePorts;
  let env: Record<string, string | undefined>;

  beforeAll(async () => {
    ports = await referencePorts();
    env = {
      ...process.env,
      ...ports.env,
      COMPOSE_PROJECT_NAME: project,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      DEVENV_STATE_DIR: join(stateRoot, 'state'),
      NO_COLOR: '1',
    };
    const r = await run(join(repoRoot, 'scripts', 'up.sh'), [], { cwd: repoRoot, env, timeout: 600_000 });
    output = `${r.stdout}\n${r.stderr}`;
  });

  afterAll(async () => {
    await devenv(['-f', referenceCompose, '-p', project, '--runtime', 'process', 'down', '--volumes'], { env });
  });

  it('runs on the process runtime and says where the frontend and backend are', () => {
    expect(output).toContain('running the reference stack as local processes');
    expect(output).toMatch(/on process/);
    expect(output).toContain(`frontend   ${ports.frontend}`);
    expect(output).toContain(`backend    ${ports.backend}/docs`);
  });

  it('its hint names a command that stops it from where npm was run', () => {
    expect(output).toMatch(/`npx devenv -f compose\/reference\/compose\.yaml --runtime process down` stops it/);
  });

  it('serves health, the page, the proxy, and a Celery round trip', async () => {
    await checkReferenceStack(ports);
  });

  it('listens on loopback only', () => {
    const mine = listeners().filter((l) => ports.ports.includes(l.port));
    expect(mine.length).toBeGreaterThanOrEqual(ports.ports.length);
    for (const l of mine) expect(isLoopback(l.address), `${l.process} on ${l.address}:${l.port}`).toBe(true);
  });
});
