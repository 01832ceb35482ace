// The Docker runtime end to end through the real CLI and daemon: up, up again (nothing
// recreated), a changed service recreated alone, `docker kill` restarted per its policy,
// ports on loopback, reset (asked, then everything recreated, volumes deleted), down (volumes
// only with --volumes).

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import {
  docker,
  dockerAvailable,
  idsByService,
  inspect,
  networksOf,
  projectContainers,
  volumesOf,
} from '../helpers/docker.js';
import { waitUntil } from '../helpers/wait.js';

const haveDocker = dockerAvailable();
const fixture = join(repoRoot, 'test', 'fixtures', 'docker', 'lifecycle', 'compose.yaml');
const project = `devenvtest-lifecycle-${process.pid}`;
const port = String(18000 + (process.pid % 1000));
const env = { WEB_PORT: port };
const args = ['-f', fixture, '-p', project];

interface StatusJson {
  phase: string;
  services: {
    name: string;
    state: string;
    health: string;
    containerId: string | null;
    restartCount: number;
    ports: { hostIp: string; hostPort: number }[];
  }[];
}

async function status(): Promise<StatusJson> {
  const r = await devenv([...args, 'status', '--json'], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as StatusJson;
}

describe.skipIf(!haveDocker)('Docker lifecycle (needs a Docker engine)', () => {
  beforeAll(async () => {
    await devenv([...args, 'down', '--volumes'], { env });
  });
  afterAll(async () => {
    await devenv([...args, 'down', '--volumes'], { env });
  });

  it('brings every service up, healthy, in dependency order', async () => {
    const r = await devenv([...args, 'up', '--detach'], { env });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const s = await status();
    const byName = Object.fromEntries(s.services.map((x) => [x.name, x]));
    expect(byName.store?.state).toBe('healthy');
    expect(byName.job?.state).toBe('completed');
    expect(byName.web?.state).toBe('healthy');
    expect(byName.web?.ports).toEqual([
      { hostIp: '127.0.0.1', hostPort: Number(port), containerPort: 8080, protocol: 'tcp' },
    ]);
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(await res.text()).toBe('hello\n');
    // The job ran after the store was healthy: it found /data/ready.
    const logs = await devenv([...args, 'logs', 'job'], { env });
    expect(logs.stdout).toContain('job ran');
  });

  it('publishes ports on 127.0.0.1 only', () => {
    const web = idsByService(project).web!;
    const bindings = inspect<{ HostConfig: { PortBindings: Record<string, { HostIp: string }[]> } }>(web).HostConfig
      .PortBindings;
    expect(
      Object.values(bindings)
        .flat()
        .map((b) => b.HostIp),
    ).toEqual(['127.0.0.1']);
  });

  it('a second up recreates nothing', async () => {
    const before = idsByService(project);
    const r = await devenv([...args, 'up', '--detach'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(idsByService(project)).toEqual(before);
    expect(projectContainers(project)).toHaveLength(3);
  });

  it('leaves alone a container somebody ran by hand from the image devenv built', async () => {
    // The image carries devenv's image keys, not the container ones a container would inherit.
    const imageLabels = inspect<{ Config: { Labels: Record<string, string> } }>(`${project}-web`).Config.Labels;
    expect(imageLabels['dev.devenv.image.service']).toBe('web');
    expect(imageLabels['dev.devenv.project']).toBeUndefined();
    // Even one that carries the project and service labels (an image built by an older devenv)
    // is not the service's container: only devenv's own carry a spec hash.
    const before = idsByService(project);
    const stray = docker([
      'run',
      '-d',
      '--label',
      `dev.devenv.project=${project}`,
      '--label',
      'dev.devenv.service=web',
      `${project}-web`,
      'sleep',
      'infinity',
    ]);
    try {
      const r = await devenv([...args, 'up', '--detach'], { env });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(inspect<{ State: { Running: boolean } }>(stray).State.Running).toBe(true);
      const web = (await status()).services.find((s) => s.name === 'web')!;
      expect(web.containerId).toBe(before.web);
    } finally {
      docker(['rm', '-f', stray]);
    }
  });

  it('a changed environment recreates that service alone', async () => {
    const before = idsByService(project);
    const r = await devenv([...args, 'up', '--detach'], { env: { ...env, GREETING: 'changed' } });
    expect(r.code, r.stderr).toBe(0);
    const after = idsByService(project);
    expect(after.store).toBe(before.store);
    expect(after.job).toBe(before.job);
    expect(after.web).not.toBe(before.web);
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe('changed\n');
  });

  it('restarts a killed container per its restart policy', async () => {
    const { web } = idsByService(project);
    const before = (await status()).services.find((s) => s.name === 'web')!.restartCount;
    docker(['kill', web!]);
    const after = await waitUntil('web restarted and healthy', async () => {
      const s = (await status()).services.find((x) => x.name === 'web')!;
      return s.restartCount > before && s.state === 'healthy' ? s : undefined;
    });
    expect(after.containerId).toBe(web);
    expect(inspect<{ State: { Running: boolean } }>(web!).State.Running).toBe(true);
  });

  it('reset asks (without a terminal: refuses unless --yes), then recreates every service and deletes the volumes', async () => {
    const before = idsByService(project);
    docker(['exec', before.store!, 'touch', '/data/marker']);
    const hasMarker = (id: string) =>
      docker(['exec', id, 'sh', '-c', 'test -f /data/marker && echo yes || echo no']).trim();

    let r = await devenv([...args, 'reset'], { env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('reset of');
    expect(r.stderr).toContain(`${project}_store-data`);
    expect(r.stderr).toContain('--yes');
    expect(r.stderr).not.toMatch(/\n\s+at /); // a user error, not a stack trace
    r = await devenv([...args, 'reset', '--soft', '--yes'], { env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('Kubernetes reset');
    expect(idsByService(project)).toEqual(before);
    expect(hasMarker(before.store!)).toBe('yes');

    r = await devenv([...args, 'reset', '--yes'], { env });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const after = idsByService(project);
    for (const service of ['store', 'job', 'web'] as const) expect(after[service]).not.toBe(before[service]);
    expect(hasMarker(after.store!)).toBe('no');
    const s = await status();
    expect(Object.fromEntries(s.services.map((x) => [x.name, x.state]))).toEqual({
      store: 'healthy',
      job: 'completed',
      web: 'healthy',
    });
  });

  it('down removes containers and the network but keeps volumes; --volumes removes them', async () => {
    let r = await devenv([...args, 'down'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(projectContainers(project)).toEqual([]);
    expect(networksOf(project)).toEqual([]);
    expect(volumesOf(project)).toEqual([`${project}_store-data`]);
    r = await devenv([...args, 'down', '--volumes'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(volumesOf(project)).toEqual([]);
  });
});
