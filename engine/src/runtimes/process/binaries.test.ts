import { describe, expect, it } from 'vitest';
import type { ProjectSpec } from '../../model/spec.js';
import { findMissingBinaries, installHint, pythonModuleOf, resolveProgram } from './binaries.js';

describe('install hints', () => {
  it('maps known programs per platform', () => {
    expect(installHint('/usr/lib/postgresql/15/bin/postgres', 'linux')).toBe('apt-get install -y postgresql');
    expect(installHint('pg_isready', 'darwin')).toBe('brew install postgresql@15');
    expect(installHint('redis-cli', 'linux')).toBe('apt-get install -y redis-tools');
    expect(installHint('redis-server', 'darwin')).toBe('brew install redis');
    expect(installHint('npm', 'linux')).toBe('apt-get install -y npm');
    expect(installHint('python3.11', 'linux')).toBe('apt-get install -y python3');
    expect(installHint('frobnicate', 'linux')).toMatch(/install frobnicate/);
  });

  it('finds the module of `python -m X`', () => {
    expect(pythonModuleOf(['/usr/bin/python3', '-m', 'uvicorn', 'app:app'])).toBe('uvicorn');
    expect(pythonModuleOf(['python', '-u', '-m', 'celery'])).toBe('celery');
    expect(pythonModuleOf(['node', '-m', 'x'])).toBeUndefined();
    expect(pythonModuleOf(['python3', 'app.py'])).toBeUndefined();
  });
});

describe('resolveProgram and findMissingBinaries', () => {
  it('resolves on PATH and relative to cwd', async () => {
    expect(await resolveProgram('sh', '/', '/usr/bin:/bin')).toMatch(/\/sh$/);
    expect(await resolveProgram('./bin/sh', '/', undefined)).toBe('/bin/sh');
    expect(await resolveProgram('no-such-program-xyz', '/', '/usr/bin:/bin')).toBeUndefined();
  });

  it('lists missing programs of commands, init steps and command probes, and missing python modules', async () => {
    const svc = (name: string, process: NonNullable<ProjectSpec['services'][string]['devenv']['process']>) => ({
      name,
      environment: {},
      ports: [],
      volumes: [],
      dependsOn: {},
      restart: { name: 'no' as const },
      labels: {},
      networks: [],
      profiles: [],
      tty: false,
      stdinOpen: false,
      devenv: { process },
    });
    const project: ProjectSpec = {
      name: 'p',
      projectDir: '/',
      configFiles: [],
      volumes: {},
      networks: {},
      devenv: {},
      services: {
        ok: svc('ok', { command: ['sh', '-c', 'true'], cwd: '/', env: {} }),
        db: svc('db', {
          command: ['no-such-db-server'],
          cwd: '/',
          env: {},
          init: { command: ['no-such-initdb'] },
          healthcheck: { type: 'command', command: ['no-such-probe'], intervalMs: 1, timeoutMs: 1, retries: 1 },
        }),
        py: svc('py', { command: ['/usr/bin/python3', '-m', 'no_such_module_xyz'], cwd: '/', env: {} }),
        json: svc('json', { command: ['/usr/bin/python3', '-m', 'json.tool'], cwd: '/', env: {} }),
      },
    };
    const missing = await findMissingBinaries(project, { platform: 'linux' });
    expect(missing.map((m) => `${m.service} ${m.usedBy} ${m.binary}`).sort()).toEqual([
      'db command no-such-db-server',
      'db healthcheck no-such-probe',
      'db init no-such-initdb',
      'py command /usr/bin/python3 -m no_such_module_xyz',
    ]);
    expect(missing.find((m) => m.service === 'py')?.installHint).toMatch(/python3-no_such_module_xyz/);
  });
});
