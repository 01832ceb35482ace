// Restarting a container whose PID 1 cannot hear the stop signal (no handler: the kernel drops it
// for a PID namespace's init) does not wait the grace period; one with a handler still gets its
// signal and its grace period. Through the real CLI and daemon, on a plain Compose file.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import { docker, dockerAvailable, idsByService, inspect } from '../helpers/docker.js';

const haveDocker = dockerAvailable();
const fixture = join(repoRoot, 'test', 'fixtures', 'docker', 'pid1-stop', 'compose.yaml');
const project = `devenvtest-pid1-${process.pid}`;
const args = ['-f', fixture, '-p', project, '--runtime', 'docker'];
const GRACE_MS = 30_000;

interface Inspected {
  State: { StartedAt: string; Running: boolean };
}

async function timedRestart(service: string): Promise<number> {
  const t0 = Date.now();
  const r = await devenv([...args, 'restart', service]);
  expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  return Date.now() - t0;
}

describe.skipIf(!haveDocker)('PID 1 and the stop signal (needs a Docker engine)', () => {
  beforeAll(async () => {
    await devenv([...args, 'down']);
    const r = await devenv([...args, 'up', '--detach']);
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
  afterAll(async () => {
    await devenv([...args, 'down']);
  });

  it('restarts a PID 1 without a SIGTERM handler without waiting its 30 s grace period', async () => {
    const id = idsByService(project).deaf!;
    const before = inspect<Inspected>(id).State.StartedAt;
    const took = await timedRestart('deaf');
    expect(took).toBeLessThan(GRACE_MS / 2);
    const after = inspect<Inspected>(id).State;
    expect(after.Running).toBe(true);
    expect(after.StartedAt).not.toBe(before);
  });

  it('gives a PID 1 with a handler its signal and the time its handler takes', async () => {
    const took = await timedRestart('polite');
    expect(took).toBeGreaterThanOrEqual(2000);
    // The container's own log (what it printed while stopping is not in the daemon's stream).
    const logs = docker(['logs', idsByService(project).polite!]);
    expect(logs).toMatch(/got TERM\nbye\nready/);
  });
});
