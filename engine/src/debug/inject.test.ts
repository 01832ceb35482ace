import { describe, expect, it } from 'vitest';
import { DEBUG_PORT_LABEL, type DebugSpec, type RuntimeKind, type ServiceSpec } from '../model/spec.js';
import { type ImageDefaults, injectDebugger, planInjection } from './inject.js';

function svc(partial: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: 'app',
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'unless-stopped' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
    ...partial,
  };
}

const python = (extra: Partial<DebugSpec> = {}): DebugSpec => ({ type: 'python', wait: false, ...extra });
const node = (extra: Partial<DebugSpec> = {}): DebugSpec => ({ type: 'node', wait: false, ...extra });

function inject(service: ServiceSpec, opts: { runtime?: RuntimeKind; hostPort?: number; image?: ImageDefaults } = {}) {
  const result = injectDebugger(service, {
    runtime: opts.runtime ?? 'docker',
    hostPort: opts.hostPort ?? 15678,
    image: opts.image,
  });
  if (!result) throw new Error('expected a debugger');
  return result;
}

/** The command a container runs after injection. */
const cmd = (s: ServiceSpec) => [...(s.entrypoint ?? []), ...(s.command ?? [])];

describe('injectDebugger: Python in containers', () => {
  it('runs uvicorn under debugpy listening on 0.0.0.0, published on 127.0.0.1 only', () => {
    const r = inject(svc({ command: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000', '--reload'] }));
    expect(r.service.command).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '-m',
      'uvicorn',
      'app.main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      '--reload',
    ]);
    expect(r.service.ports).toEqual([
      { hostIp: '127.0.0.1', published: 15678, target: 5678, protocol: 'tcp', hostIpExplicit: false },
    ]);
    expect(r.service.environment).toEqual({ PYDEVD_DISABLE_FILE_VALIDATION: '1' });
    // Early health probes skip the debugger's port when they watch for listening sockets.
    expect(r.service.labels).toEqual({ [DEBUG_PORT_LABEL]: '5678' });
    expect(r.endpoint).toEqual({
      type: 'python',
      protocol: 'dap',
      hostIp: '127.0.0.1',
      hostPort: 15678,
      pathMappings: [],
    });
    expect(r.warnings).toEqual([]);
  });

  it('adds --wait-for-client when the spec waits', () => {
    const r = inject(svc({ command: ['uvicorn', 'app:app'], devenv: { debug: python({ wait: true }) } }));
    expect(r.service.command).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '--wait-for-client',
      '-m',
      'uvicorn',
      'app:app',
    ]);
  });

  it('runs celery as a module', () => {
    const r = inject(svc({ command: ['celery', '-A', 'app.worker', 'worker', '--pool=solo'] }));
    expect(cmd(r.service)).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '-m',
      'celery',
      '-A',
      'app.worker',
      'worker',
      '--pool=solo',
    ]);
  });

  it.each([
    [['gunicorn', 'app:app'], 'gunicorn'],
    [['flask', 'run'], 'flask'],
    [['/usr/local/bin/alembic', 'upgrade', 'head'], 'alembic'],
    [['django-admin', 'runserver'], 'django'],
  ])('runs the console script %j as module %s', (command, module) => {
    const out = cmd(inject(svc({ command, devenv: { debug: python() } })).service);
    expect(out.slice(0, 7)).toEqual(['python3', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '-m', module]);
    expect(out.slice(7)).toEqual(command.slice(1));
  });

  it.each([
    [
      ['python', 'script.py', '--flag'],
      ['python', '-m', 'debugpy', '--listen', '0.0.0.0:5678', 'script.py', '--flag'],
    ],
    [
      ['python3', '-u', '-X', 'dev', 'manage.py', 'runserver'],
      ['python3', '-u', '-X', 'dev', '-m', 'debugpy', '--listen', '0.0.0.0:5678', 'manage.py', 'runserver'],
    ],
    [
      ['/usr/bin/python3', '-m', 'uvicorn', 'app.main:app'],
      ['/usr/bin/python3', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '-m', 'uvicorn', 'app.main:app'],
    ],
    [
      ['python3.11', '-muvicorn', 'app:app'],
      ['python3.11', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '-muvicorn', 'app:app'],
    ],
    [
      ['python', '-c', 'print(1)'],
      ['python', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '-c', 'print(1)'],
    ],
    [
      ['env', 'FOO=1', 'tini', '--', 'python', 'app.py'],
      ['env', 'FOO=1', 'tini', '--', 'python', '-m', 'debugpy', '--listen', '0.0.0.0:5678', 'app.py'],
    ],
  ])('rewrites %j', (command, expected) => {
    expect(cmd(inject(svc({ command })).service)).toEqual(expected);
  });

  it('rewrites the last Python command of a sh -c script in place', () => {
    const script = 'alembic upgrade head && exec uvicorn app:app --reload # serve';
    const r = inject(svc({ command: ['sh', '-c', script], devenv: { debug: python() } }));
    expect(r.service.command).toEqual([
      'sh',
      '-c',
      'alembic upgrade head && exec python3 -m debugpy --listen 0.0.0.0:5678 -m uvicorn app:app --reload # serve',
    ]);
  });

  it('keeps quoting of the rest of a script, and skips leading assignments', () => {
    const script = `echo "starting; now" && PORT=8000 python -u "my app.py" 'x y'`;
    const r = inject(svc({ command: ['/bin/bash', '-lc', script] }));
    expect(r.service.command![2]).toBe(
      `echo "starting; now" && PORT=8000 python -u -m debugpy --listen 0.0.0.0:5678 "my app.py" 'x y'`,
    );
  });

  it("uses the image's ENTRYPOINT and CMD when the file leaves the command to the image", () => {
    const image = { entrypoint: ['python3'], cmd: ['app.py'], workingDir: '/srv' };
    const r = inject(svc({ devenv: { debug: python() } }), { image });
    // The program is in the entrypoint: the insertion goes there, and the CMD is written out
    // because setting an entrypoint drops the image's CMD.
    expect(r.service.entrypoint).toEqual(['python3', '-m', 'debugpy', '--listen', '0.0.0.0:5678']);
    expect(r.service.command).toEqual(['app.py']);
  });

  it('rewrites only the command when the program is in it (behind an entrypoint script)', () => {
    const r = inject(svc({ command: ['python', 'app.py'], devenv: { debug: python() } }), {
      image: { entrypoint: ['docker-entrypoint.sh'], cmd: ['ignored'] },
    });
    expect(r.service.entrypoint).toBeUndefined();
    expect(r.service.command).toEqual(['python', '-m', 'debugpy', '--listen', '0.0.0.0:5678', 'app.py']);
  });

  it('honours a debug port other than 5678 inside the container', () => {
    const r = inject(svc({ command: ['python', 'app.py'], devenv: { debug: python({ port: 5690 }) } }));
    expect(r.service.command).toContain('0.0.0.0:5690');
    expect(r.service.ports[0]).toMatchObject({ published: 15678, target: 5690 });
  });
});

describe('injectDebugger: the process runtime', () => {
  const process = (command: string[], debug?: DebugSpec) =>
    svc({
      command: ['uvicorn', 'ignored-on-processes'],
      devenv: { process: { command, cwd: '/work/backend', env: { A: '1' } }, ...(debug ? { debug } : {}) },
    });

  it('rewrites x-devenv.process.command to listen on 127.0.0.1:hostPort, publishing nothing', () => {
    const r = inject(process(['python3', '-m', 'uvicorn', 'app.main:app', '--reload']), {
      runtime: 'process',
      hostPort: 5680,
    });
    expect(r.service.devenv.process!.command).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '127.0.0.1:5680',
      '-m',
      'uvicorn',
      'app.main:app',
      '--reload',
    ]);
    expect(r.service.devenv.process!.env).toEqual({ A: '1', PYDEVD_DISABLE_FILE_VALIDATION: '1' });
    expect(r.service.command).toEqual(['uvicorn', 'ignored-on-processes']);
    expect(r.service.ports).toEqual([]);
    expect(r.endpoint).toMatchObject({ hostIp: '127.0.0.1', hostPort: 5680, pathMappings: [] });
  });

  it('starts node with --inspect on 127.0.0.1', () => {
    const r = inject(process(['node', 'node_modules/vite/bin/vite.js', '--port', '5173'], node()), {
      runtime: 'process',
      hostPort: 9231,
    });
    expect(r.service.devenv.process!.command).toEqual([
      'node',
      '--inspect=127.0.0.1:9231',
      'node_modules/vite/bin/vite.js',
      '--port',
      '5173',
    ]);
  });

  it('moves a user debugger listening on every interface back to 127.0.0.1, keeping its port', () => {
    const r = inject(process(['python', '-m', 'debugpy', '--listen', '0.0.0.0:5700', 'app.py']), {
      runtime: 'process',
      hostPort: 5680,
    });
    expect(r.service.devenv.process!.command).toEqual([
      'python',
      '-m',
      'debugpy',
      '--listen',
      '127.0.0.1:5700',
      'app.py',
    ]);
    expect(r.endpoint.hostPort).toBe(5700);
    expect(r.warnings[0]).toMatch(/every network interface/);
  });

  it('skips a service with no process command, saying why', () => {
    const plan = planInjection(svc({ devenv: { debug: python() } }), { runtime: 'process', hostPort: 1 });
    expect(plan.result).toBeUndefined();
    expect(plan.skipped).toMatch(/x-devenv.process.command/);
  });
});

describe('injectDebugger: Node', () => {
  it('puts --inspect right after node', () => {
    const r = inject(svc({ command: ['node', '--enable-source-maps', 'server.js'] }), { hostPort: 19229 });
    expect(r.service.command).toEqual(['node', '--inspect=0.0.0.0:9229', '--enable-source-maps', 'server.js']);
    expect(r.service.ports).toEqual([
      { hostIp: '127.0.0.1', published: 19229, target: 9229, protocol: 'tcp', hostIpExplicit: false },
    ]);
    expect(r.endpoint).toMatchObject({ type: 'node', protocol: 'cdp', hostPort: 19229 });
  });

  it('uses --inspect-brk when waiting', () => {
    const r = inject(svc({ command: ['node', 'server.js'], devenv: { debug: node({ wait: true }) } }));
    expect(r.service.command).toEqual(['node', '--inspect-brk=0.0.0.0:9229', 'server.js']);
  });

  it("rewrites the image's CMD behind its entrypoint script (the reference frontend)", () => {
    const image = {
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['node', 'node_modules/vite/bin/vite.js', '--host', '0.0.0.0', '--port', '5173', '--strictPort'],
      workingDir: '/app',
    };
    const r = inject(svc({ devenv: { debug: node() } }), { image });
    expect(r.service.entrypoint).toBeUndefined();
    expect(r.service.command).toEqual([
      'node',
      '--inspect=0.0.0.0:9229',
      'node_modules/vite/bin/vite.js',
      '--host',
      '0.0.0.0',
      '--port',
      '5173',
      '--strictPort',
    ]);
  });

  it('gives npm scripts the flag through npm_config_node_options (npm itself is not inspected)', () => {
    const r = inject(
      svc({ command: ['npm', 'run', 'dev'], environment: { NODE_OPTIONS: '--max-old-space-size=4096' } }),
    );
    expect(r.service.command).toEqual(['npm', 'run', 'dev']);
    expect(r.service.environment).toEqual({
      NODE_OPTIONS: '--max-old-space-size=4096',
      npm_config_node_options: '--max-old-space-size=4096 --inspect=0.0.0.0:9229',
    });
  });

  it.each([[['npx', 'vite']], [['pnpm', 'dev']], [['npm', 'start']]])('treats %j like npm', (command) => {
    const r = inject(svc({ command }));
    expect(r.service.command).toEqual(command);
    expect(r.service.environment.npm_config_node_options).toBe('--inspect=0.0.0.0:9229');
  });

  it('runs a bare Node tool in its own inspected node process', () => {
    const r = inject(svc({ command: ['vite', '--host', '0.0.0.0'] }));
    expect(r.service.command).toEqual([
      'sh',
      '-c',
      'exec node --inspect=0.0.0.0:9229 "$(command -v "$0")" "$@"',
      'vite',
      '--host',
      '0.0.0.0',
    ]);
    const byPath = inject(svc({ command: ['node_modules/.bin/vite', '--host', '0.0.0.0'] }));
    expect(byPath.service.command).toEqual([
      'node',
      '--inspect=0.0.0.0:9229',
      'node_modules/.bin/vite',
      '--host',
      '0.0.0.0',
    ]);
  });

  it('forwards the flag through nodemon and tsx', () => {
    expect(inject(svc({ command: ['nodemon', 'server.js'] })).service.command).toEqual([
      'nodemon',
      '--inspect=0.0.0.0:9229',
      'server.js',
    ]);
  });

  it('uses NODE_OPTIONS for yarn (with a warning) and next', () => {
    const yarn = inject(svc({ command: ['yarn', 'dev'] }));
    expect(yarn.service.environment.NODE_OPTIONS).toBe('--inspect=0.0.0.0:9229');
    expect(yarn.warnings[0]).toMatch(/yarn itself/);
    const next = inject(svc({ command: ['next', 'dev'] }));
    expect(next.service.environment.NODE_OPTIONS).toBe('--inspect=0.0.0.0:9229');
    expect(next.warnings).toEqual([]);
  });

  it('edits a node tool inside a script with a shell lookup', () => {
    const r = inject(svc({ command: ['sh', '-c', 'npm ci && vite --host'], devenv: { debug: node() } }));
    expect(r.service.command![2]).toBe('npm ci && node --inspect=0.0.0.0:9229 "$(command -v vite)" --host');
  });
});

describe('injectDebugger: a debugger bound to loopback inside a container', () => {
  it.each([
    ['127.0.0.1:5678', '0.0.0.0:5678'],
    ['5678', '0.0.0.0:5678'],
    ['localhost:5700', '0.0.0.0:5700'],
  ])('rewrites debugpy --listen %s to %s and warns', (given, fixed) => {
    const r = inject(svc({ command: ['python', '-m', 'debugpy', '--listen', given, '-m', 'flask', 'run'] }));
    expect(r.service.command).toEqual(['python', '-m', 'debugpy', '--listen', fixed, '-m', 'flask', 'run']);
    expect(r.warnings[0]).toMatch(/inside the container, which the published port cannot reach/);
    expect(r.service.ports[0]!.target).toBe(Number(fixed.split(':')[1]));
  });

  it('rewrites --listen= and node --inspect forms', () => {
    expect(
      inject(svc({ command: ['python', '-m', 'debugpy', '--listen=127.0.0.1:5678', 'a.py'] })).service.command,
    ).toEqual(['python', '-m', 'debugpy', '--listen=0.0.0.0:5678', 'a.py']);
    const n = inject(svc({ command: ['node', '--inspect=127.0.0.1:9230', 'x.js'] }));
    expect(n.service.command).toEqual(['node', '--inspect=0.0.0.0:9230', 'x.js']);
    expect(n.service.ports[0]!.target).toBe(9230);
    expect(inject(svc({ command: ['node', '--inspect-brk', 'x.js'] })).service.command).toEqual([
      'node',
      '--inspect-brk=0.0.0.0:9229',
      'x.js',
    ]);
  });

  it('fixes an inspector in NODE_OPTIONS', () => {
    const r = inject(
      svc({ command: ['node', 'x.js'], environment: { NODE_OPTIONS: '--inspect=localhost:9229 --trace-warnings' } }),
    );
    expect(r.service.command).toEqual(['node', 'x.js']);
    expect(r.service.environment.NODE_OPTIONS).toBe('--inspect=0.0.0.0:9229 --trace-warnings');
  });

  it('leaves a debugger already on 0.0.0.0 alone', () => {
    const command = ['python', '-m', 'debugpy', '--listen', '0.0.0.0:5678', '--wait-for-client', 'app.py'];
    const r = inject(svc({ command }));
    expect(r.service.command).toEqual(command);
    expect(r.warnings).toEqual([]);
  });

  it('refuses debugpy --connect, saying why', () => {
    const plan = planInjection(svc({ command: ['python', '-m', 'debugpy', '--connect', 'host:5678', 'a.py'] }), {
      runtime: 'docker',
      hostPort: 1,
    });
    expect(plan.result).toBeUndefined();
    expect(plan.skipped).toMatch(/--connect/);
  });
});

describe('injectDebugger: what gets no debugger', () => {
  it.each([
    ['debug: false', svc({ command: ['uvicorn', 'app:app'], devenv: { debug: false } })],
    ['no command (the image default: postgres, redis)', svc({ image: 'postgres:15' })],
    ['a program devenv does not know', svc({ command: ['redis-server', '--port', '6379'] })],
    ['npm ci (an installer)', svc({ command: ['npm', 'ci'] })],
  ])('%s', (_, service) => {
    expect(injectDebugger(service, { runtime: 'docker', hostPort: 1 })).toBeUndefined();
  });

  it('explains an explicit debugger it cannot inject', () => {
    const plan = planInjection(svc({ command: ['./start-server'], devenv: { debug: python() } }), {
      runtime: 'docker',
      hostPort: 1,
    });
    expect(plan.skipped).toMatch(/cannot find a python program to debug in `.\/start-server`/);
    const noImage = planInjection(svc({ devenv: { debug: node() } }), { runtime: 'docker', hostPort: 1 });
    expect(noImage.skipped).toMatch(/image's default command/);
  });

  it('does not infer a migration (a one-shot job on the critical path of `up`), but injects one asked for', () => {
    const migrate = svc({ command: ['alembic', 'upgrade', 'head'], restart: { name: 'no' } });
    expect(injectDebugger(migrate, { runtime: 'docker', hostPort: 1 })).toBeUndefined();
    expect(
      injectDebugger(
        { ...migrate, command: ['python3', '-m', 'alembic', 'upgrade', 'head'] },
        { runtime: 'docker', hostPort: 1 },
      ),
    ).toBeUndefined();
    const asked = inject({ ...migrate, devenv: { debug: python() } });
    expect(asked.service.command).not.toContain('--wait-for-client');
  });

  it('warns when a one-shot job waits for a debugger', () => {
    const r = inject(
      svc({
        command: ['alembic', 'upgrade', 'head'],
        restart: { name: 'no' },
        devenv: { debug: python({ wait: true }) },
      }),
    );
    expect(r.warnings.join('\n')).toMatch(
      /it runs once you attach to 127\.0\.0\.1:\d+; until then, whatever waits for it \(`up`, dependent services\) waits too/,
    );
  });
});

describe('injectDebugger: ports the file publishes itself', () => {
  it('keeps a debug port published on every interface, with a warning', () => {
    const r = inject(
      svc({
        command: ['python', 'app.py'],
        ports: [{ hostIp: '0.0.0.0', published: 5678, target: 5678, protocol: 'tcp', hostIpExplicit: true }],
      }),
    );
    expect(r.service.ports).toHaveLength(1);
    expect(r.endpoint.hostPort).toBe(5678);
    expect(r.warnings[0]).toMatch(/published on 0.0.0.0: anyone who can reach this machine/);
  });

  it('fills the host port of a debug port published without one', () => {
    const r = inject(
      svc({
        command: ['python', 'app.py'],
        ports: [{ hostIp: '127.0.0.1', target: 5678, protocol: 'tcp', hostIpExplicit: false }],
      }),
    );
    expect(r.service.ports).toEqual([
      { hostIp: '127.0.0.1', published: 15678, target: 5678, protocol: 'tcp', hostIpExplicit: false },
    ]);
  });
});

describe('injectDebugger is idempotent (the result feeds the spec hash)', () => {
  const cases: [string, ServiceSpec, RuntimeKind, ImageDefaults?][] = [
    ['uvicorn', svc({ command: ['uvicorn', 'app:app', '--reload'] }), 'docker'],
    ['uvicorn waiting', svc({ command: ['uvicorn', 'app:app'], devenv: { debug: python({ wait: true }) } }), 'docker'],
    ['celery', svc({ command: ['celery', '-A', 'x', 'worker'] }), 'kubernetes'],
    ['python script', svc({ command: ['python', '-u', 'app.py'] }), 'docker'],
    ['sh -c', svc({ command: ['sh', '-c', 'alembic upgrade head && uvicorn app:app'] }), 'docker'],
    ['node', svc({ command: ['node', 'server.js'] }), 'docker'],
    ['npm', svc({ command: ['npm', 'run', 'dev'], environment: { NODE_OPTIONS: '--x' } }), 'docker'],
    ['vite', svc({ command: ['vite'] }), 'docker'],
    ['yarn', svc({ command: ['yarn', 'dev'] }), 'docker'],
    ['loopback', svc({ command: ['node', '--inspect=127.0.0.1:9229', 'x.js'] }), 'docker'],
    [
      'image CMD',
      svc({ devenv: { debug: node() } }),
      'docker',
      { entrypoint: ['docker-entrypoint.sh'], cmd: ['node', 'vite.js'] },
    ],
    ['image ENTRYPOINT', svc({ devenv: { debug: python() } }), 'docker', { entrypoint: ['python3'], cmd: ['app.py'] }],
    [
      'process',
      svc({ devenv: { process: { command: ['python3', '-m', 'celery', '-A', 'x', 'worker'], cwd: '/w', env: {} } } }),
      'process',
    ],
  ];
  it.each(cases)('%s', (_, service, runtime, image) => {
    const once = inject(service, { runtime, image });
    const twice = inject(once.service, { runtime, image });
    expect(twice.service).toEqual(once.service);
    expect(twice.endpoint).toEqual(once.endpoint);
    // And the same inputs give the same output.
    expect(inject(service, { runtime, image })).toEqual(once);
  });

  it('never modifies its input', () => {
    const service = svc({ command: ['uvicorn', 'app:app'], environment: { A: '1' } });
    const copy = structuredClone(service);
    inject(service);
    expect(service).toEqual(copy);
  });
});
