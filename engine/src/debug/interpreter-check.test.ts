import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkArgv, parseCheck, unavailable } from './interpreter-check.js';

const host = { runtime: 'process' as const, service: 'kv', interpreter: 'python3', root: false };

describe('the interpreter check', () => {
  it('runs as written on real interpreters (Python here, this Node)', () => {
    const node = spawnSync(process.execPath, checkArgv('node', process.execPath).slice(1), { encoding: 'utf8' });
    expect(parseCheck('node', node.stdout)).toEqual({ present: true, executable: process.execPath });
    const python = '/usr/bin/python3';
    if (!existsSync(python)) return;
    const [, ...args] = checkArgv('python', python);
    const r = spawnSync(python, args, { encoding: 'utf8' });
    const facts = parseCheck('python', r.stdout);
    expect(facts, r.stderr).toMatchObject({ executable: python, venv: false });
    expect(typeof facts!.present).toBe('boolean');
  });

  it('reads the line among others, and nothing from an interpreter that did not answer', () => {
    const out = 'Warning: something\ndevenv-debugger-check 0 1 0 0 0 /opt/My Python/bin/python3\n';
    expect(parseCheck('python', out)).toEqual({
      present: false,
      pip: true,
      venv: false,
      managed: false,
      apt: false,
      executable: '/opt/My Python/bin/python3',
    });
    expect(parseCheck('python', 'SyntaxError: invalid syntax')).toBeUndefined();
    expect(parseCheck('python', 'devenv-debugger-check 1')).toBeUndefined();
  });
});

describe('unavailable: the reason names the interpreter, the fix runs as printed', () => {
  const facts = (f: Partial<Parameters<typeof unavailable>[1]>) => ({
    present: false,
    executable: '/root/.pyenv/versions/3.11.7/bin/python3',
    pip: true,
    venv: false,
    managed: false,
    apt: true,
    ...f,
  });

  it('a pyenv interpreter on the host: pip through that very interpreter', () => {
    expect(unavailable('python', facts({}), host)).toEqual({
      kind: 'unavailable',
      type: 'python',
      reason:
        'debugpy is not installed for python3 (/root/.pyenv/versions/3.11.7/bin/python3), the interpreter that runs kv',
      fix: '/root/.pyenv/versions/3.11.7/bin/python3 -m pip install debugpy',
    });
  });

  it("Debian's system Python (externally managed): apt, with sudo unless root", () => {
    const debian = facts({ executable: '/usr/bin/python3', managed: true });
    expect(unavailable('python', debian, host).fix).toBe('sudo apt-get install -y python3-debugpy');
    expect(unavailable('python', debian, { ...host, root: true }).fix).toBe('apt-get install -y python3-debugpy');
  });

  it('a virtualenv without pip: ensurepip first', () => {
    const venv = facts({ executable: '/srv/app/.venv/bin/python3', venv: true, pip: false });
    expect(unavailable('python', venv, host).fix).toBe(
      '/srv/app/.venv/bin/python3 -m ensurepip && /srv/app/.venv/bin/python3 -m pip install debugpy',
    );
  });

  it('an image: the line to add to its Dockerfile, or a Dockerfile FROM it', () => {
    const image = facts({ executable: '/usr/bin/python3', managed: true });
    const docker = { ...host, runtime: 'docker' as const, image: 'shop-kv' };
    expect(unavailable('python', image, { ...docker, dockerfile: 'kv/Dockerfile' })).toMatchObject({
      reason: 'debugpy is not installed in the image of kv (shop-kv) for /usr/bin/python3',
      fix: 'add `RUN apt-get update && apt-get install -y --no-install-recommends python3-debugpy` to kv/Dockerfile',
    });
    expect(unavailable('python', facts({ executable: '/usr/local/bin/python3' }), docker).fix).toBe(
      'build the image from a Dockerfile `FROM shop-kv` with `RUN /usr/local/bin/python3 -m pip install debugpy`',
    );
  });

  it('quotes an interpreter path with spaces', () => {
    expect(unavailable('python', facts({ executable: '/opt/My Python/bin/python3' }), host).fix).toBe(
      "'/opt/My Python/bin/python3' -m pip install debugpy",
    );
  });
});
