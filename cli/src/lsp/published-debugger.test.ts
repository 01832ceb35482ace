import type { DebugEndpoint, ServiceSpec, ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { projectWithPublishedDebuggers, syncPathMappings, withPublishedDebugger } from './published-debugger.js';

function spec(over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: 'backend',
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
    ...over,
  };
}

function status(ports: [number, number, string?][]): ServiceStatus {
  return {
    name: 'backend',
    state: 'running',
    health: 'none',
    restartCount: 0,
    ports: ports.map(([containerPort, hostPort, hostIp]) => ({
      containerPort,
      hostPort,
      hostIp: hostIp ?? '127.0.0.1',
      protocol: 'tcp',
    })),
  };
}

const files = new Set(['/w/frontend/index.html', '/w/frontend/vite.config.js']);
const isFile = (p: string) => files.has(p);

describe('withPublishedDebugger', () => {
  const backend = spec({
    devenv: { debug: { type: 'python', wait: false } },
    develop: {
      watch: [
        { path: '/w/backend/app', target: '/app/app', action: 'sync', ignore: [], initialSync: false },
        { path: '/w/backend/requirements.txt', action: 'rebuild', ignore: [], initialSync: false },
      ],
    },
  });

  it('finds debugpy on its published port, with the sync rule as path mapping', () => {
    expect(
      withPublishedDebugger(
        status([
          [8000, 8000],
          [5678, 15678],
        ]),
        backend,
        isFile,
      ).debug,
    ).toEqual({
      type: 'python',
      protocol: 'dap',
      hostIp: '127.0.0.1',
      hostPort: 15678,
      pathMappings: [{ localRoot: '/w/backend/app', remoteRoot: '/app/app' }],
    });
  });

  it('honours x-devenv.debug.port and reaches 0.0.0.0 on loopback', () => {
    const custom = spec({ devenv: { debug: { type: 'python', port: 5000, wait: false } } });
    const out = withPublishedDebugger(status([[5000, 25000, '0.0.0.0']]), custom, isFile);
    expect(out.debug).toMatchObject({ hostIp: '127.0.0.1', hostPort: 25000 });
  });

  it('infers the kind from the port when the config names none', () => {
    expect(withPublishedDebugger(status([[9229, 19229]]), spec(), isFile).debug).toMatchObject({
      type: 'node',
      protocol: 'cdp',
    });
  });

  it('never overrides the engine, and respects debug: false', () => {
    const engine: DebugEndpoint = { type: 'node', protocol: 'cdp', hostIp: '127.0.0.1', hostPort: 1, pathMappings: [] };
    const s = { ...status([[5678, 15678]]), debug: engine };
    expect(withPublishedDebugger(s, backend, isFile).debug).toBe(engine);
    expect(withPublishedDebugger(status([[5678, 15678]]), spec({ devenv: { debug: false } }), isFile).debug).toBe(
      undefined,
    );
  });

  it('leaves services without a published debugger port alone', () => {
    const s = status([[8000, 8000]]);
    expect(withPublishedDebugger(s, backend, isFile)).toBe(s);
  });

  it('enriches a whole project by service name', () => {
    const out = projectWithPublishedDebuggers(
      { project: 'p', projectDir: '/w', runtime: 'docker', phase: 'running', services: [status([[5678, 1]])] },
      {
        name: 'p',
        projectDir: '/w',
        configFiles: [],
        services: { backend },
        volumes: {},
        networks: {},
        devenv: {},
      },
      isFile,
    );
    expect(out.services[0]?.debug?.hostPort).toBe(1);
  });
});

describe('syncPathMappings', () => {
  it('maps single-file rules by their directory and drops duplicates', () => {
    const frontend = spec({
      develop: {
        watch: [
          { path: '/w/frontend/src', target: '/app/src', action: 'sync', ignore: [], initialSync: false },
          { path: '/w/frontend/index.html', target: '/app/index.html', action: 'sync', ignore: [], initialSync: false },
          {
            path: '/w/frontend/vite.config.js',
            target: '/app/vite.config.js',
            action: 'sync+restart',
            ignore: [],
            initialSync: false,
          },
          { path: '/w/frontend/package.json', action: 'rebuild', ignore: [], initialSync: false },
        ],
      },
    });
    expect(syncPathMappings(frontend, isFile)).toEqual([
      { localRoot: '/w/frontend/src', remoteRoot: '/app/src' },
      { localRoot: '/w/frontend', remoteRoot: '/app' },
    ]);
  });
});
