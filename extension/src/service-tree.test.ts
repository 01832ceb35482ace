import type { ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { serviceNode, serviceNodes } from './service-tree.js';

const backend: ServiceStatus = {
  name: 'backend',
  state: 'healthy',
  health: 'healthy',
  restartCount: 0,
  instanceId: '0123456789abcdef',
  url: 'http://127.0.0.1:8000/docs',
  ports: [
    { hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp' },
    { hostIp: '127.0.0.1', hostPort: 15678, containerPort: 5678, protocol: 'tcp' },
  ],
  debug: {
    type: 'python',
    protocol: 'dap',
    hostIp: '127.0.0.1',
    hostPort: 15678,
    pathMappings: [{ localRoot: '/w/example/backend/app', remoteRoot: '/app/app' }],
  },
};

describe('service tree model', () => {
  it('says why a service has no debugger: unavailable with its fix, or on request with the command', () => {
    const bare: ServiceStatus = { name: 'kv', state: 'running', health: 'none', restartCount: 0, ports: [] };
    const unavailable = serviceNode({
      ...bare,
      debugAbsent: {
        kind: 'unavailable',
        type: 'python',
        reason: 'debugpy is not installed for python3 (/usr/local/bin/python3), the interpreter that runs kv',
        fix: '/usr/local/bin/python3 -m pip install debugpy',
      },
    });
    expect(unavailable.description).toBe('running · debugger unavailable');
    expect(unavailable.contextValue).toBe('service');
    const leaf = unavailable.children.find((c) => c.id === 'service:kv:debug')!;
    expect(leaf.label).toMatch(/^debugger unavailable: debugpy is not installed for python3/);
    expect(leaf.children.map((c) => c.label)).toEqual(['/usr/local/bin/python3 -m pip install debugpy']);

    const seed = serviceNode({
      ...bare,
      name: 'seed',
      state: 'completed',
      debugAbsent: {
        kind: 'on-request',
        type: 'python',
        reason: 'seed is a one-shot job api waits for',
        fix: 'devenv debug seed',
      },
    });
    expect(seed.description).toBe('completed · debugger on request');
    // "Debug Service Now" is offered, "Attach Debugger" (viewItem =~ /:debug/) is not.
    expect(seed.contextValue).toBe('service:on-request');
    expect(/:debug/.test(seed.contextValue!)).toBe(false);
  });

  it('shows state, ports and the debug port on one line, with a healthy icon', () => {
    const node = serviceNode(backend);
    expect(node.label).toBe('backend');
    expect(node.description).toBe('healthy · 8000 · debug 15678');
    expect(node.icon).toEqual({ id: 'pass-filled', color: 'testing.iconPassed' });
    expect(node.contextValue).toBe('service:url:debug');
  });

  it('lists URL, ports (without the debugger’s) and the debugger with its mappings as children', () => {
    const labels = serviceNode(backend).children.map((c) => [c.label, c.children.map((g) => g.label)]);
    expect(labels).toEqual([
      ['http://127.0.0.1:8000/docs', []],
      ['127.0.0.1:8000 → 8000/tcp', []],
      ['debugpy (DAP) 127.0.0.1:15678', ['/w/example/backend/app → /app/app']],
    ]);
  });

  it('marks trouble and progress by icon, and keeps ids stable per service', () => {
    const failing = serviceNode({
      ...backend,
      state: 'exited',
      exitCode: 3,
      message: 'boom',
      debug: undefined,
      url: undefined,
    });
    expect(failing.icon.id).toBe('error');
    expect(failing.description).toBe('exited (3) · 8000 · 15678');
    expect(failing.contextValue).toBe('service');
    expect(failing.children[0]?.label).toBe('boom');
    expect(serviceNode({ ...backend, state: 'building' }).icon.id).toBe('loading~spin');
    expect(serviceNode({ ...backend, state: 'completed' }).icon.id).toBe('check');
    expect(serviceNode(backend).id).toBe('service:backend');
  });

  it('is empty before anything is known', () => {
    expect(serviceNodes(undefined)).toEqual([]);
  });

  it('puts the runtime’s engine above the services while it is away, and a sync link that is not live beside its service', () => {
    const since = '2026-01-01T10:05:00.000Z';
    const nodes = serviceNodes({
      project: 'ref',
      projectDir: '/w',
      runtime: 'docker',
      phase: 'running',
      runtimeHealth: { state: 'unavailable', since, message: 'the Docker engine does not answer' },
      services: [{ ...backend, syncLink: { state: 'failed', reason: 'no exec', attempts: 5, since } }],
    });
    expect(nodes.map((n) => n.label)).toEqual(['engine unavailable, waiting', 'backend']);
    expect(nodes[0]!.tooltip).toBe('the Docker engine does not answer');
    expect(nodes[1]!.description).toContain('sync failed (5 attempts): no exec');
    expect(nodes[1]!.children.find((c) => c.id.endsWith(':sync'))?.label).toBe('sync: failed (5 attempts): no exec');
  });
});
