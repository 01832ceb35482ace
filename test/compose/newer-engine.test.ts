// Keys the key table honours only from a given Docker Engine API version (annotations 1.43,
// an endpoint's mac_address 1.44, volume subpath 1.45, gw_priority 1.48): on this machine's
// engine (Docker 20.10, API 1.41) `up` refuses each at its file:line:col with both versions and
// creates nothing; where the engine is new enough, each shows on the container.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { dockerAvailable, imageExists, projectContainers } from '../helpers/docker.js';
import { stack } from './helpers.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'compose', 'newer-engine');
const haveDocker = dockerAvailable() && imageExists('debian:bookworm-slim');
const api = haveDocker
  ? execFileSync('docker', ['version', '--format', '{{.Server.APIVersion}}'], { encoding: 'utf8' }).trim()
  : '0';
const atLeast = (wanted: string) => {
  const [a = 0, b = 0] = api.split('.').map(Number);
  const [c = 0, d = 0] = wanted.split('.').map(Number);
  return a > c || (a === c && b >= d);
};

describe.skipIf(!haveDocker)('keys that need a newer engine (needs Docker)', () => {
  const s = stack(fixture, 'newer-engine');
  afterAll(async () => {
    await s.down();
  });

  it.skipIf(atLeast('1.48'))(`are refused at their position on this engine (API ${api}), nothing created`, async () => {
    const r = await s.up();
    expect(r.code).toBe(1);
    const refusals = [
      ['compose.yaml:8:5', 'annotations', '1.43'],
      ['compose.yaml:15:11', 'volume.subpath', '1.45'],
      ['compose.yaml:18:9', 'mac_address', '1.44'],
      ['compose.yaml:19:9', 'gw_priority', '1.48'],
    ].filter(([, , version]) => !atLeast(version as string));
    for (const [at, key, version] of refusals) {
      expect(r.stderr).toContain(`${at}: error:`);
      expect(r.stderr).toContain(`${key}`);
      expect(r.stderr).toContain(`needs Docker Engine API ${version} or newer; this engine speaks ${api}`);
    }
    expect(r.stderr).toContain('config.refused-key');
    expect(projectContainers(s.project)).toEqual([]);
  });

  it.skipIf(!atLeast('1.48'))('show on the container (needs an engine with API 1.48)', async () => {
    const r = await s.up();
    expect(r.code, r.stderr).toBe(0);
    const c = s.inspect<{ HostConfig: { Annotations: Record<string, string> } }>('app');
    expect(c.HostConfig.Annotations).toEqual({ 'com.example.owner': 'team-a' });
    expect(s.sh('app', 'grep " /sub " /proc/mounts')).toContain('/sub');
  });
});
