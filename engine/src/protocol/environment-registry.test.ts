import { mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forgetEnvironment, listEnvironments, recordEnvironment, registryDir } from './environment-registry.js';

const entry = (project: string, projectDir: string) => ({
  project,
  projectDir,
  files: [join(projectDir, 'compose.yaml')],
  runtime: 'docker',
  updatedAt: '2026-12-01T00:00:00.000Z',
});

describe('the registry of environments', () => {
  it('lives in XDG_STATE_HOME, else ~/.local/state', () => {
    expect(registryDir({ XDG_STATE_HOME: '/s', HOME: '/h' })).toBe('/s/devenv/environments');
    expect(registryDir({ HOME: '/h' })).toBe('/h/.local/state/devenv/environments');
  });

  it('records one private file per environment, replaces it on the next up, forgets it on down', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'devenv-registry-')), 'environments');
    recordEnvironment(entry('shop', '/srv/a'), dir);
    recordEnvironment(entry('shop', '/srv/b'), dir);
    recordEnvironment({ ...entry('blog', '/srv/blog'), profiles: ['debug'] }, dir);
    recordEnvironment({ ...entry('shop', '/srv/a'), runtime: 'process' }, dir);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir).map((f) => statSync(join(dir, f)).mode & 0o777)).toEqual([0o600, 0o600, 0o600]);
    expect(listEnvironments(dir).map((e) => [e.project, e.projectDir, e.runtime, e.profiles])).toEqual([
      ['blog', '/srv/blog', 'docker', ['debug']],
      ['shop', '/srv/a', 'process', undefined],
      ['shop', '/srv/b', 'docker', undefined],
    ]);
    forgetEnvironment({ name: 'shop', projectDir: '/srv/a' }, dir);
    forgetEnvironment({ name: 'never', projectDir: '/srv/x' }, dir);
    expect(listEnvironments(dir).map((e) => e.projectDir)).toEqual(['/srv/blog', '/srv/b']);
  });

  it('skips what it cannot read, and an absent registry is empty', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devenv-registry-'));
    writeFileSync(join(dir, 'torn.json'), '{"project": "sh');
    writeFileSync(join(dir, 'other.json'), '{"project": 3}');
    recordEnvironment(entry('ok', '/srv/ok'), dir);
    expect(listEnvironments(dir).map((e) => e.project)).toEqual(['ok']);
    expect(listEnvironments(join(dir, 'missing'))).toEqual([]);
  });
});
