// The Compose corpus (test/fixtures/compose-corpus, one folder per shape common in public
// projects): `devenv config` loads every file with no key ignored (the only warning allowed is the
// obsolete `version`), also when checked against the Docker runtime; the ones that build from
// debian:bookworm-slim come up on Docker, every service healthy (or running when it has no
// healthcheck), and go down again.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import { dockerAvailable, imageExists } from '../helpers/docker.js';
import { freePorts, type StackRun, stack } from './helpers.js';

const corpusDir = join(repoRoot, 'test', 'fixtures', 'compose-corpus');
const scenarios = readdirSync(corpusDir)
  .filter((n) => !n.startsWith('_') && statSync(join(corpusDir, n)).isDirectory())
  .sort();
const meta = (name: string) =>
  JSON.parse(readFileSync(join(corpusDir, name, 'corpus.json'), 'utf8')) as { description: string; up: boolean };
const env = { HOME: '/home/devenv', PATH: process.env.PATH ?? '', DEVENV_NO_CACHE: '1' };

describe('the Compose corpus loads with no key ignored', () => {
  it('holds at least 30 files, and at least 15 that come up on Docker', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(30);
    expect(scenarios.filter((n) => meta(n).up).length).toBeGreaterThanOrEqual(15);
  });

  it.each(scenarios)('%s', async (name) => {
    for (const runtime of [[], ['--runtime', 'docker']]) {
      const r = await devenv([...runtime, 'config'], { cwd: join(corpusDir, name), env });
      expect(r.code, r.stderr).toBe(0);
      const warnings = [...r.stderr.matchAll(/\[(config\.[a-z-]+)\]/g)].map((m) => m[1]);
      expect(
        warnings.filter((w) => w !== 'config.version-obsolete'),
        r.stderr,
      ).toEqual([]);
      expect(r.stdout).toContain('services:');
    }
  });
});

describe.skipIf(!dockerAvailable() || !imageExists('debian:bookworm-slim'))(
  'the corpus files that build from debian:bookworm-slim come up healthy on Docker (needs Docker and the base image)',
  () => {
    const runs: StackRun[] = [];
    afterAll(async () => {
      for (const s of runs) await s.down();
    });

    it.each(scenarios.filter((n) => meta(n).up))('%s', async (name) => {
      // A published host range must be free here: the file takes it from WEB_PORTS.
      const from = await freePorts(3);
      const s = stack(join(corpusDir, name), `corpus-${name}`, { WEB_PORTS: `${from}-${from + 2}` });
      runs.push(s);
      const r = await s.up();
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      for (const service of await s.status()) {
        expect([service.name, service.state]).toEqual([
          service.name,
          service.health === 'none' ? 'running' : 'healthy',
        ]);
      }
      const down = await s.down();
      expect(down.code, down.stderr).toBe(0);
      runs.splice(runs.indexOf(s), 1);
    });
  },
);
