import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findVirtualenv, virtualenvEnv } from './python-virtualenv.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'devenv-venv-'));
  dirs.push(d);
  return d;
}

function venv(at: string, scripts: string[] = []): string {
  mkdirSync(path.join(at, 'bin'), { recursive: true });
  writeFileSync(path.join(at, 'pyvenv.cfg'), 'home = /usr/bin\n');
  for (const s of ['python3', ...scripts]) writeFileSync(path.join(at, 'bin', s), '', { mode: 0o755 });
  return at;
}

const host = { PATH: '/usr/local/bin:/usr/bin:/bin' };

describe('findVirtualenv', () => {
  it('prefers VIRTUAL_ENV (the service, then devenv’s own), then .venv and venv in the cwd, then the project dir', () => {
    const dir = project();
    const api = path.join(dir, 'api');
    mkdirSync(api);
    const inProject = venv(path.join(dir, 'venv'));
    expect(findVirtualenv({ cwd: api, env: {} }, dir, host)).toBe(inProject);
    const inCwd = venv(path.join(api, '.venv'));
    expect(findVirtualenv({ cwd: api, env: {} }, dir, host)).toBe(inCwd);
    expect(findVirtualenv({ cwd: api, env: {} }, dir, { ...host, VIRTUAL_ENV: '/opt/env' })).toBe('/opt/env');
    expect(findVirtualenv({ cwd: api, env: { VIRTUAL_ENV: '../envs/a' } }, dir, host)).toBe(path.join(dir, 'envs/a'));
  });

  it('ignores a directory named venv that is not one (no pyvenv.cfg)', () => {
    const dir = project();
    mkdirSync(path.join(dir, 'venv'));
    expect(findVirtualenv({ cwd: dir, env: {} }, dir, host)).toBeUndefined();
  });
});

describe('virtualenvEnv', () => {
  it('puts the virtualenv’s bin first on PATH for a Python interpreter or a console script it holds', () => {
    const dir = project();
    const v = venv(path.join(dir, '.venv'), ['flask']);
    const expected = { VIRTUAL_ENV: v, PATH: `${v}/bin:/usr/local/bin:/usr/bin:/bin` };
    expect(virtualenvEnv({ command: ['python3', 'app.py'], cwd: dir, env: {} }, dir, host)).toEqual(expected);
    expect(virtualenvEnv({ command: ['env', 'A=1', 'flask', 'run'], cwd: dir, env: {} }, dir, host)).toEqual(expected);
    // Already first: not twice.
    expect(virtualenvEnv({ command: ['python'], cwd: dir, env: { PATH: `${v}/bin:/bin` } }, dir, host)?.PATH).toBe(
      `${v}/bin:/bin`,
    );
  });

  it('leaves other programs, and interpreters given by path, alone', () => {
    const dir = project();
    venv(path.join(dir, '.venv'));
    expect(virtualenvEnv({ command: ['node', 'x.js'], cwd: dir, env: {} }, dir, host)).toBeUndefined();
    expect(virtualenvEnv({ command: ['/usr/bin/python3', 'x.py'], cwd: dir, env: {} }, dir, host)).toBeUndefined();
    expect(virtualenvEnv({ command: ['redis-server'], cwd: dir, env: {} }, dir, host)).toBeUndefined();
  });
});
