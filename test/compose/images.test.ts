// Image-only services and `pull_policy` on real Docker (test/fixtures/compose/images). This
// machine reaches no registry, which is exactly what the offline cases need: an image present
// locally runs; `always` and a stale periodic policy try to pull, say so, and go on with the local
// copy; an image that is neither here nor pullable fails with its name, `never` without pulling;
// a platform the local copy is not for fails naming both.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { dockerAvailable, imageExists, projectContainers } from '../helpers/docker.js';
import { stack } from './helpers.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'compose', 'images');
const haveDocker = dockerAvailable() && imageExists('debian:bookworm-slim');
const missing = `devenvtest/not-anywhere-${process.pid}:1`;

describe.skipIf(!haveDocker)('images and pull policies on Docker (needs Docker and debian:bookworm-slim)', () => {
  const s = stack(fixture, 'images', { MISSING_IMAGE: missing });
  let up: Awaited<ReturnType<typeof s.up>>;
  beforeAll(async () => {
    await s.down();
    up = await s.up();
  });
  afterAll(async () => {
    await s.down();
  });

  it('runs image-only services from the local image, whatever the policy', async () => {
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect((await s.status()).map((r) => [r.name, r.state])).toEqual([
      ['always', 'running'],
      ['daily', 'running'],
      ['local', 'running'],
      ['never', 'running'],
    ]);
  });

  it('pull_policy always and a stale every_1s try to pull, then warn and keep the local copy', () => {
    const output = `${up.stdout}\n${up.stderr}`;
    for (const service of ['always', 'daily']) {
      expect(output).toContain(`${service}: could not pull a newer debian:bookworm-slim`);
    }
    expect(output).not.toContain('local: could not pull');
    expect(output).not.toContain('never: could not pull');
  });

  it('an image neither here nor pullable fails with its name, and nothing is created', async () => {
    const m = stack(fixture, 'images-missing', { MISSING_IMAGE: missing }, 'missing.yaml');
    try {
      const r = await m.up();
      expect(r.code).not.toBe(0);
      const output = `${r.stdout}\n${r.stderr}`;
      expect(output).toContain(`image ${missing} is not present locally and could not be pulled`);
      expect(output).toContain(`docker pull ${missing}`);
      expect(projectContainers(m.project)).toEqual([]);
    } finally {
      await m.down();
    }
  });

  it('pull_policy never does not even try', async () => {
    const m = stack(fixture, 'images-never', { MISSING_IMAGE: missing }, 'missing-never.yaml');
    try {
      const r = await m.up();
      expect(r.code).not.toBe(0);
      expect(`${r.stdout}\n${r.stderr}`).toContain(
        `image ${missing} is not present locally, and \`pull_policy: never\` forbids pulling it`,
      );
    } finally {
      await m.down();
    }
  });

  it('platform: a local image for another platform is not taken for it', async () => {
    const m = stack(fixture, 'images-platform', {}, 'other-platform.yaml');
    try {
      const r = await m.up();
      expect(r.code).not.toBe(0);
      const output = `${r.stdout}\n${r.stderr}`;
      expect(output).toContain(
        'image debian:bookworm-slim is present only for linux/amd64, and linux/arm64 could not be pulled',
      );
      expect(output).toContain('docker pull --platform linux/arm64 debian:bookworm-slim');
    } finally {
      await m.down();
    }
  });
});
