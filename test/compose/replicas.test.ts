// Several instances per service on real Docker (test/fixtures/compose/replicas, copied so the
// test can edit it): `scale` and `deploy.replicas` make containers named <project>-<service>-1…N,
// each taking a port of a published host range; logs say which instance; live sync writes into
// every one; `up` again keeps them; a killed instance is restarted; a new count recreates them.

import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { docker, dockerAvailable, imageExists, projectContainers } from '../helpers/docker.js';
import { waitUntil } from '../helpers/wait.js';
import { freePorts, type StackRun, stack } from './helpers.js';

const haveDocker = dockerAvailable() && imageExists('debian:bookworm-slim');
const dir = mkdtempSync(join(tmpdir(), 'devenv-replicas-'));
cpSync(join(repoRoot, 'test', 'fixtures', 'compose', 'replicas'), dir, { recursive: true });

describe.skipIf(!haveDocker)('replicas on Docker (needs Docker and debian:bookworm-slim)', () => {
  let from = 0;
  let s: StackRun;
  const names = () =>
    projectContainers(s.project)
      .map((c) => c.name)
      .sort();

  beforeAll(async () => {
    from = await freePorts(3);
    s = stack(dir, 'replicas', { WEB_PORTS: `${from}-${from + 2}` });
    await s.down();
    const r = await s.up();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
  afterAll(async () => {
    await s.down();
  });

  it('names the instances <project>-<service>-1…N and labels each with its number', () => {
    expect(names()).toEqual(['web-1', 'web-2', 'web-3', 'worker-1', 'worker-2'].map((n) => `${s.project}-${n}`).sort());
    const label = (n: string) => docker(['inspect', '--format', '{{index .Config.Labels "dev.devenv.replica"}}', n]);
    expect(label(s.container('web', 2))).toBe('2/3');
  });

  it('gives each instance a port of the published range, on 127.0.0.1, and shows them all as one service', async () => {
    const ports = [1, 2, 3].map(
      (i) =>
        JSON.parse(docker(['inspect', '--format', '{{json .NetworkSettings.Ports}}', s.container('web', i)]))[
          '80/tcp'
        ][0],
    );
    expect(ports.map((p: { HostIp: string }) => p.HostIp)).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    expect(ports.map((p: { HostPort: string }) => Number(p.HostPort)).sort()).toEqual([from, from + 1, from + 2]);
    const web = (await s.status()).find((r) => r.name === 'web')!;
    expect(web.state).toBe('running');
    expect(web.ports.map((p) => p.hostPort).sort()).toEqual([from, from + 1, from + 2]);
  });

  it('shows each instance’s log lines, prefixed with its number; each instance has its own host name', async () => {
    // Lines reach the daemon's history as the instances print them: wait for the third's.
    let out = '';
    await waitUntil('every instance’s first line in `devenv logs web`', async () => {
      out = (await s.run(['logs', 'web'])).stdout;
      return /\[3\] web \S+ up/.test(out);
    });
    const hosts = [1, 2, 3].map((i) => new RegExp(`\\[${i}\\] web (\\S+) up`).exec(out)?.[1]);
    // As in Compose: the host name is the container's short id.
    expect(hosts).toEqual([1, 2, 3].map((i) => s.inspect<{ Id: string }>('web', i).Id.slice(0, 12)));
  });

  it('syncs files into every instance', async () => {
    const read = (i: number) => s.sh('web', 'cat /app/src/version.txt 2>/dev/null || true', i);
    await waitUntil('the initial sync into every instance', () => [1, 2, 3].every((i) => read(i) === 'v1'));
    writeFileSync(join(dir, 'src', 'version.txt'), 'v2\n');
    await waitUntil('the change in every instance', () => [1, 2, 3].every((i) => read(i) === 'v2'), {
      timeoutMs: 30_000,
    });
  });

  it('up again keeps every instance', async () => {
    const before = projectContainers(s.project).map((c) => c.id);
    const r = await s.up();
    expect(r.code, r.stderr).toBe(0);
    expect(projectContainers(s.project).map((c) => c.id)).toEqual(before);
  });

  it('restarts an instance that was killed, per the restart policy', async () => {
    docker(['kill', s.container('worker', 2)]);
    await waitUntil(
      'worker-2 to run again',
      () => docker(['inspect', '--format', '{{.State.Running}}', s.container('worker', 2)]) === 'true',
      { timeoutMs: 30_000 },
    );
  });

  it('a new instance count recreates the service with that many', async () => {
    const file = join(dir, 'compose.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('scale: 3', 'scale: 2'));
    const r = await s.up();
    expect(r.code, r.stderr).toBe(0);
    expect(names().filter((n) => n.includes('-web-'))).toEqual([s.container('web', 1), s.container('web', 2)]);
  });
});
