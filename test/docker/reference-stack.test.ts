// The reference stack on Docker through the real CLI and daemon: everything healthy, the page
// and the Celery round trip work, the frontend and backend addresses are printed, and nothing
// devenv created listens off loopback. Its own project name and free ports: it runs beside the
// stack from `npm run up`.

import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devenv } from '../helpers/cli.js';
import { dockerAvailable, inspect, projectContainers } from '../helpers/docker.js';
import {
  checkReferenceStack,
  isLoopback,
  listeners,
  type ReferencePorts,
  referenceFiles,
  referencePorts,
} from '../helpers/reference-stack.js';

const haveDocker = dockerAvailable();
const project = 'devenvtest-reference';
const { args: files, env: fileEnv } = referenceFiles();
const args = [...files, '-p', project, '--runtime', 'docker'];

describe.skipIf(!haveDocker)('reference stack on Docker (needs a Docker engine)', () => {
  let upOutput = '';
  let ports: ReferencePorts;
  let env: Record<string, string>;

  beforeAll(async () => {
    ports = await referencePorts();
    env = { ...fileEnv, ...ports.env };
    await devenv([...args, 'down', '--volumes'], { env });
    const r = await devenv([...args, 'up', '--detach'], { env, timeoutMs: 900_000 });
    upOutput = `${r.stdout}\n${r.stderr}`;
    expect(r.code, upOutput).toBe(0);
  });

  afterAll(async () => {
    await devenv([...args, 'down', '--volumes'], { env });
  });

  it('says where the frontend and the backend are', () => {
    expect(upOutput).toContain(`frontend   ${ports.frontend}`);
    expect(upOutput).toContain(`backend    ${ports.backend}/docs`);
  });

  it('every service is healthy or completed', async () => {
    const r = await devenv([...args, 'status', '--json'], { env });
    const status = JSON.parse(r.stdout) as { services: { name: string; state: string }[] };
    expect(Object.fromEntries(status.services.map((s) => [s.name, s.state]))).toEqual({
      postgres: 'healthy',
      redis: 'healthy',
      migrate: 'completed',
      backend: 'healthy',
      worker: 'healthy',
      frontend: 'healthy',
    });
  });

  it('serves health, the page, the proxy, and a Celery round trip', async () => {
    await checkReferenceStack(ports);
  });

  it('publishes nothing off loopback', () => {
    const containers = projectContainers(project);
    expect(containers.length).toBe(6);
    for (const c of containers) {
      const bindings = inspect<{ HostConfig: { PortBindings: Record<string, { HostIp: string }[]> | null } }>(c.id)
        .HostConfig.PortBindings;
      for (const b of Object.values(bindings ?? {}).flat())
        expect(isLoopback(b.HostIp), `${c.service}: ${b.HostIp}`).toBe(true);
    }
    // What actually listens on the host for the published ports: docker-proxy, on 127.0.0.1 only.
    const [backend, frontend] = ports.ports;
    const published = listeners().filter((l) => l.port === backend || l.port === frontend);
    expect(published.length).toBeGreaterThan(0);
    for (const l of published) expect(isLoopback(l.address), `${l.process} on ${l.address}:${l.port}`).toBe(true);
    // The daemon listens on no TCP port at all (its socket is a Unix socket).
    const daemonPids = execFileSync('pgrep', ['-f', `devenv.js daemon .*--project-name ${project}`], {
      encoding: 'utf8',
    })
      .split('\n')
      .filter(Boolean)
      .map(Number);
    expect(daemonPids.length).toBe(1);
    expect(listeners().filter((l) => daemonPids.includes(l.pid))).toEqual([]);
  });
});
