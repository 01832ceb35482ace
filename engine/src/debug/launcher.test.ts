import { describe, expect, it } from 'vitest';
import { launcherAt, programIndex, shellScriptIndex } from './launcher.js';
import { parseListenAddress } from './listen-address.js';
import { resolveDebugSpec } from './resolve.js';
import { scriptCommands } from './shell-script.js';

describe('programIndex', () => {
  it.each([
    [['uvicorn', 'a'], 0],
    [['env', '-u', 'X', 'A=1', 'python', 'a.py'], 4],
    [['tini', '-g', '--', 'node', 'x.js'], 3],
    [['dumb-init', 'celery', 'worker'], 1],
    [['gosu', 'app', 'python', 'a.py'], 2],
    [['/usr/local/bin/docker-entrypoint.sh', 'node', 'x.js'], 1],
    [['exec', 'node', 'x.js'], 1],
    [['env'], undefined],
  ])('%j → %s', (argv, index) => {
    expect(programIndex(argv)).toBe(index);
  });
});

describe('launcherAt', () => {
  it.each([
    ['python3.11', 'python', 'python'],
    ['/venv/bin/python', 'python', 'python'],
    ['celery', 'python', 'python-script'],
    ['nodejs', 'node', 'node'],
    ['tsx', 'node', 'node-forwarding'],
    ['vite', 'node', 'node-bin'],
    ['pnpm', 'node', 'npm'],
    ['next', 'node', 'node-options'],
  ])('%s is %s (%s)', (name, kind, style) => {
    expect(launcherAt([name, 'x'], 0)).toMatchObject({ kind, style });
  });

  it('knows one-shot jobs and installers', () => {
    expect(launcherAt(['alembic', 'upgrade'], 0)?.oneShot).toBe(true);
    expect(launcherAt(['python3', '-m', 'alembic', 'upgrade'], 0)?.oneShot).toBe(true);
    expect(launcherAt(['npm', 'ci'], 0)?.oneShot).toBe(true);
    expect(launcherAt(['npm', 'run', 'dev'], 0)?.oneShot).toBe(false);
    expect(launcherAt(['postgres'], 0)).toBeUndefined();
  });
});

describe('shellScriptIndex and scriptCommands', () => {
  it('finds the script of sh -c, bash -lc, sh -ec', () => {
    expect(shellScriptIndex(['sh', '-c', 'x'], 0)).toBe(2);
    expect(shellScriptIndex(['/bin/bash', '-lc', 'x'], 0)).toBe(2);
    expect(shellScriptIndex(['sh', '-e', '-c', 'x'], 0)).toBe(3);
    expect(shellScriptIndex(['sh', 'script.sh'], 0)).toBeUndefined();
    expect(shellScriptIndex(['python', '-c', 'x'], 0)).toBeUndefined();
  });

  it('splits commands at operators and keeps word spans', () => {
    const script = `cd /app && A=1 python "my app.py" 'q;x' ; echo done # c`;
    const cmds = scriptCommands(script);
    expect(cmds.map((c) => c.map((w) => w.value))).toEqual([
      ['cd', '/app'],
      ['A=1', 'python', 'my app.py', 'q;x'],
      ['echo', 'done'],
    ]);
    const w = cmds[1]![2]!;
    expect(script.slice(w.start, w.end)).toBe('"my app.py"');
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['5678', { port: 5678 }],
    ['0.0.0.0:5678', { host: '0.0.0.0', port: 5678 }],
    ['[::1]:9229', { host: '::1', port: 9229 }],
    ['localhost', { host: 'localhost' }],
    [undefined, {}],
  ])('%s', (value, expected) => {
    expect(parseListenAddress(value)).toEqual(expected);
  });
});

describe('resolveDebugSpec', () => {
  const base = {
    name: 's',
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
  };
  it('takes the written spec with its defaults', () => {
    expect(
      resolveDebugSpec({ ...base, devenv: { debug: { type: 'node', wait: true, hostPort: 9300 } } }, 'docker'),
    ).toEqual({
      type: 'node',
      port: 9229,
      hostPort: 9300,
      wait: true,
      inferred: false,
    });
  });
  it('infers from the process command on the process runtime, and from Compose elsewhere', () => {
    const s = {
      ...base,
      command: ['redis-server'],
      devenv: { process: { command: ['python3', '-m', 'celery', 'worker'], cwd: '/', env: {} } },
    };
    expect(resolveDebugSpec(s, 'process')).toMatchObject({ type: 'python', inferred: true, wait: false });
    expect(resolveDebugSpec(s, 'docker')).toBeUndefined();
  });
});
