import type { ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import {
  childConfiguration,
  planAttach,
  RUN_BOTH,
  resolveRunBoth,
  subprocessConfiguration,
} from './debug-configurations.js';

const folder = '/work/repo';

function svc(name: string, over: Partial<ServiceStatus> = {}): ServiceStatus {
  return { name, state: 'healthy', health: 'healthy', ports: [], restartCount: 0, ...over };
}

const backend = svc('backend', {
  debug: {
    type: 'python',
    protocol: 'dap',
    hostIp: '127.0.0.1',
    hostPort: 15678,
    pathMappings: [{ localRoot: '/work/repo/example/backend/app', remoteRoot: '/app/app' }],
  },
});
const worker = svc('worker', {
  debug: { type: 'python', protocol: 'dap', hostIp: '127.0.0.1', hostPort: 15679, pathMappings: [] },
});
const frontend = svc('frontend', {
  debug: {
    type: 'node',
    protocol: 'cdp',
    hostIp: '127.0.0.1',
    hostPort: 19229,
    pathMappings: [
      { localRoot: 'example/frontend/src', remoteRoot: '/app/src' },
      { localRoot: 'example/frontend', remoteRoot: '/app' },
    ],
  },
});
const postgres = svc('postgres');

describe('resolveRunBoth (the configuration provider)', () => {
  it('turns F5 without a launch.json into Run Both', () => {
    expect(resolveRunBoth({})).toEqual(RUN_BOTH);
  });

  it('keeps what launch.json says', () => {
    expect(resolveRunBoth({ type: 'devenv', request: 'launch', name: 'API only', services: ['backend'] })).toEqual({
      type: 'devenv',
      request: 'launch',
      name: 'API only',
      services: ['backend'],
    });
  });
});

describe('childConfiguration', () => {
  it('attaches Python to debugpy’s DAP port with the sync mapping', () => {
    expect(childConfiguration(backend, folder)).toEqual({
      type: 'devenv-python',
      request: 'attach',
      name: 'backend',
      connect: { host: '127.0.0.1', port: 15678 },
      pathMappings: [{ localRoot: '/work/repo/example/backend/app', remoteRoot: '/app/app' }],
      justMyCode: true,
      subProcess: true,
      devenvService: 'backend',
    });
  });

  it('attaches Node through js-debug with one localRoot/remoteRoot pair', () => {
    expect(childConfiguration(frontend, folder)).toEqual({
      type: 'node',
      request: 'attach',
      name: 'frontend',
      address: '127.0.0.1',
      port: 19229,
      localRoot: '/work/repo/example/frontend',
      remoteRoot: '/app',
      skipFiles: ['<node_internals>/**'],
      devenvService: 'frontend',
    });
  });

  it('has nothing for a service without a debugger', () => {
    expect(childConfiguration(postgres, folder)).toBeUndefined();
  });
});

describe('planAttach', () => {
  const all = [postgres, backend, worker, frontend];

  it('attaches every debuggable service by default', () => {
    const plan = planAttach(all, folder, RUN_BOTH);
    expect(plan.children.map((c) => c.name)).toEqual(['backend', 'worker', 'frontend']);
    expect(plan.skipped).toEqual([]);
  });

  it('limits to the services the configuration names, and says why one is skipped', () => {
    const plan = planAttach([postgres, { ...backend, state: 'exited' }, worker], folder, {
      ...RUN_BOTH,
      debugServices: ['backend', 'worker', 'postgres', 'nope'],
    });
    expect(plan.children.map((c) => c.name)).toEqual(['worker']);
    expect(plan.skipped).toEqual([
      { service: 'postgres', reason: 'it has no debugger' },
      { service: 'backend', reason: 'it is exited' },
      { service: 'nope', reason: 'no such service' },
    ]);
  });

  it('passes justMyCode through', () => {
    const plan = planAttach([backend], folder, { ...RUN_BOTH, justMyCode: false });
    expect(plan.children[0]).toMatchObject({ justMyCode: false });
  });
});

describe('subprocessConfiguration (debugpyAttach)', () => {
  it('attaches to the announced subprocess on the same port, with the parent’s mappings', () => {
    const parent = childConfiguration(backend, folder);
    const body = {
      type: 'devenv-python',
      request: 'attach',
      name: 'Subprocess 42',
      connect: { host: '127.0.0.1', port: 15678 },
      subProcessId: 42,
      justMyCode: true,
    };
    expect(subprocessConfiguration(parent as never, body)).toEqual({
      type: 'devenv-python',
      request: 'attach',
      name: 'backend (pid 42)',
      connect: { host: '127.0.0.1', port: 15678 },
      pathMappings: [{ localRoot: '/work/repo/example/backend/app', remoteRoot: '/app/app' }],
      justMyCode: true,
      subProcess: true,
      subProcessId: 42,
      devenvService: 'backend',
    });
  });
});
