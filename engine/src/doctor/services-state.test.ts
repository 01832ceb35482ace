import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ProjectSpec } from '../model/spec.js';
import { privateStateDir } from '../runtimes/process/services-state-dir.js';
import { servicesState } from './services-state.js';

const root = process.getuid?.() === 0;
const top = mkdtempSync(join(tmpdir(), 'devenv-doctor-state-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

function project(dir: string, user?: string): ProjectSpec {
  const proc = {
    command: ['sleep', '60'],
    cwd: join(dir, 'compose'),
    env: {},
    ...(user ? { user } : {}),
    init: { command: ['../scripts/init.sh'], creates: 'data/ready' },
  };
  return {
    name: 'demo',
    projectDir: join(dir, 'compose'),
    services: { db: { name: 'db', devenv: { process: proc } } as unknown as ProjectSpec['services'][string] },
  } as unknown as ProjectSpec;
}

describe('doctor: where the services keep their state', () => {
  it('says the project state directory when nothing needs another place', async () => {
    const findings = await servicesState(project(top), join(top, 'compose', '.devenv', 'demo'), false);
    expect(findings).toEqual([
      {
        check: 'services state',
        status: 'ok',
        detail: `the services' state (DEVENV_STATE_DIR): ${join(top, 'compose', '.devenv', 'demo')}`,
      },
    ]);
  });

  it.runIf(root)(
    'as root, with a user who cannot enter the project: where the state goes and what is copied',
    async () => {
      const dir = join(top, 'private');
      mkdirSync(join(dir, 'compose'), { recursive: true });
      mkdirSync(join(dir, 'scripts'));
      writeFileSync(join(dir, 'scripts', 'init.sh'), '#!/bin/sh\n', { mode: 0o755 });
      chmodSync(top, 0o711);
      chmodSync(dir, 0o700);
      const proj = project(dir, 'nobody');
      const findings = await servicesState(proj, join(dir, 'compose', '.devenv', 'demo'), false);
      const target = privateStateDir(proj);
      expect(findings.map((f) => [f.status, f.detail])).toEqual([
        [
          'info',
          `db runs as nobody, who cannot enter ${dir}: devenv keeps the services' state (DEVENV_STATE_DIR) in ${target} (0711, each service's data 0700 and its user's); records and logs stay in ${join(dir, 'compose', '.devenv', 'demo')}`,
        ],
        [
          'info',
          `db runs as nobody, who cannot reach files it names: devenv copies ${join(dir, 'scripts', 'init.sh')} into ${target}/.devenv-files/db at each start and runs it in that directory instead of ${join(dir, 'compose')}`,
        ],
      ]);
    },
  );

  it.runIf(root)(
    'fails when DEVENV_STATE_DIR was set by the user somewhere the service user cannot reach',
    async () => {
      const dir = join(top, 'explicit');
      mkdirSync(dir, { mode: 0o700 });
      chmodSync(dir, 0o700);
      const findings = await servicesState(project(top, 'nobody'), join(dir, 'state'), true);
      expect(findings[0]).toMatchObject({
        status: 'fail',
        detail: `db runs as nobody, who cannot enter ${dir} on the way to DEVENV_STATE_DIR=${join(dir, 'state')} (set by you)`,
        fix: `chmod o+x ${dir}, or unset DEVENV_STATE_DIR so devenv chooses a directory nobody can reach`,
      });
    },
  );
});
