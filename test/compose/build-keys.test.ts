// Build keys on real Docker (test/fixtures/compose/build-keys): what each did shows in the built
// image (its labels, tags, stage, and files its RUN steps wrote), in whether a rebuild reused the
// layer cache, and, for `pull`, in the builder trying to pull the base image.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { docker, dockerAvailable, imageExists } from '../helpers/docker.js';
import { stack } from './helpers.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'compose', 'build-keys');
const haveDocker = dockerAvailable() && imageExists('debian:bookworm-slim');
const extraTag = `devenvtest-build-extra-${process.pid}:1`;
const s = stack(fixture, 'build-keys', { EXTRA_TAG: extraTag });
const imageId = (ref: string) => docker(['image', 'inspect', '--format', '{{.Id}}', ref]);

describe.skipIf(!haveDocker)('build keys on Docker (needs Docker and debian:bookworm-slim)', () => {
  beforeAll(async () => {
    await s.down();
    const r = await s.up();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
  afterAll(async () => {
    await s.down();
    for (const ref of [
      extraTag,
      ...['options', 'inline', 'restricted-cache', 'uncached'].map((n) => `${s.project}-${n}`),
    ])
      docker(['image', 'rm', '-f', ref]);
  });

  it('args, target, labels and tags', () => {
    expect(s.sh('options', 'cat /greeting /stage')).toBe('hello-from-args\ndev');
    const image = `${s.project}-options`;
    expect(docker(['image', 'inspect', '--format', '{{index .Config.Labels "com.example.built-by"}}', image])).toBe(
      'devenv-test',
    );
    expect(imageId(extraTag)).toBe(imageId(image));
  });

  it('shm_size, extra_hosts, ulimits and network of the RUN steps', () => {
    expect(s.sh('options', 'cat /shm')).toBe('65536');
    expect(s.sh('options', 'cat /hosts')).toMatch(/^10\.11\.12\.13\s+mirror\.local$/);
    expect(s.sh('options', 'cat /ulimit')).toBe('4321');
    expect(s.sh('options', 'cat /net')).toBe('lo');
  });

  it('dockerfile_inline', () => {
    expect(s.sh('inline', 'cat /built-by')).toBe('inline');
  });

  it('cache_from limits where the builder takes cached layers from, and no_cache takes none', async () => {
    // What a rebuild did at the Dockerfile's last RUN step, from the build output in the daemon's log.
    const lastRunStep = (service: string) => {
      const lines = readFileSync(join(s.stateDir, 'daemon.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes(` ${service}: build | `));
      const step = lines.findLastIndex((l) => l.includes('RUN echo prod > /stage'));
      return lines[step + 1] ?? '';
    };
    for (const service of ['cached', 'restricted-cache', 'uncached']) {
      const r = await s.run(['rebuild', service]);
      expect(r.code, r.stderr).toBe(0);
    }
    expect(lastRunStep('cached')).toContain('Using cache');
    expect(lastRunStep('restricted-cache')).toContain('Running in');
    expect(lastRunStep('uncached')).toContain('Running in');
  });

  it('pull: the builder pulls the base image first (offline: the build fails saying so)', async () => {
    const pulled = stack(fixture, 'build-keys-pull', {}, 'pull.yaml');
    try {
      const r = await pulled.up();
      if (r.code === 0) return; // a machine that reaches Docker Hub pulled it: nothing more to see
      expect(`${r.stdout}\n${r.stderr}`).toMatch(/building pulled failed: .*(pull|registry|debian)/i);
    } finally {
      await pulled.down();
    }
  });
});
