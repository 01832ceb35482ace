import type { ServiceStatus } from '@devenv/engine';
import type { UpResultWire } from '@devenv/engine/protocol';
import { describe, expect, it } from 'vitest';
import type { ChildConfiguration, RunBothConfiguration } from './debug-configurations.js';
import { type DapMessage, RunBothAdapter, type RunBothHost } from './run-both-adapter.js';

function svc(name: string, kind?: 'python' | 'node', state: ServiceStatus['state'] = 'healthy'): ServiceStatus {
  return {
    name,
    state,
    health: 'healthy',
    ports: [],
    restartCount: 0,
    ...(kind
      ? {
          debug: {
            type: kind,
            protocol: kind === 'python' ? ('dap' as const) : ('cdp' as const),
            hostIp: '127.0.0.1',
            hostPort: kind === 'python' ? 5678 : 9229,
            pathMappings: [],
          },
        }
      : {}),
  };
}

function harness(services: ServiceStatus[], over: Partial<RunBothHost> = {}) {
  const started: ChildConfiguration[] = [];
  const calls: string[] = [];
  const result: UpResultWire = { services, failed: [], actions: {}, warnings: [] };
  let clock = 0;
  const host: RunBothHost = {
    folder: '/w',
    up: async (config: RunBothConfiguration) => {
      calls.push(`up ${config.name}`);
      clock += 1500;
      return result;
    },
    startChild: async (c) => {
      started.push(c);
      return c.name !== 'broken';
    },
    stopChildren: async () => {
      calls.push('stopChildren');
    },
    stopEnvironmentOnStop: (c) => c.stopEnvironmentOnStop ?? false,
    down: async () => {
      calls.push('down');
    },
    now: () => clock,
    ...over,
  };
  const adapter = new RunBothAdapter(host);
  const sent: DapMessage[] = [];
  adapter.onDidSendMessage((m) => sent.push(m));
  let seq = 1;
  const request = async (command: string, args?: Record<string, unknown>) => {
    const s = seq++;
    adapter.handleMessage({ seq: s, type: 'request', command, ...(args ? { arguments: args } : {}) });
    for (let i = 0; i < 50; i++) {
      const r = sent.find((m) => m.type === 'response' && m.request_seq === s);
      if (r) return r;
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    throw new Error(`no response to ${command}`);
  };
  const events = () => sent.flatMap((m) => (m.type === 'event' ? [m.event] : []));
  const output = () =>
    sent.flatMap((m) => (m.type === 'event' && m.event === 'output' ? [(m.body as { output: string }).output] : []));
  return { adapter, started, calls, request, events, output };
}

describe('RunBothAdapter (the parent session)', () => {
  it('brings the environment up, then starts a child per debuggable service', async () => {
    const h = harness([svc('postgres'), svc('backend', 'python'), svc('worker', 'python'), svc('frontend', 'node')]);
    expect((await h.request('initialize')).type).toBe('response');
    expect(h.events()).toEqual(['initialized']);
    const launch = await h.request('launch', { type: 'devenv', request: 'launch', name: 'Run Both' });
    expect(launch).toMatchObject({ success: true });
    expect(h.calls).toEqual(['up Run Both']);
    expect(h.started.map((c) => [c.name, c.type])).toEqual([
      ['backend', 'devenv-python'],
      ['worker', 'devenv-python'],
      ['frontend', 'node'],
    ]);
    expect(h.adapter.attachMs).toBe(1500);
    expect(h.output().at(-1)).toBe(
      'devenv: debugging backend, worker, frontend (ready in 1.5 s: environment up 1.5 s, debuggers 0.0 s)\n',
    );
  });

  it('ends when the last child ends', async () => {
    const h = harness([svc('backend', 'python'), svc('frontend', 'node')]);
    await h.request('launch', {});
    h.adapter.childStarted('a');
    h.adapter.childStarted('b');
    h.adapter.childEnded('a');
    expect(h.events()).not.toContain('terminated');
    h.adapter.childEnded('b');
    expect(h.events().filter((e) => e === 'terminated')).toHaveLength(1);
  });

  it('stop stops the children, and takes the environment down only when configured', async () => {
    const keep = harness([svc('backend', 'python')]);
    await keep.request('launch', {});
    await keep.request('disconnect', {});
    expect(keep.calls).toEqual(['up Run Both', 'stopChildren']);
    expect(keep.events()).toContain('terminated');

    const down = harness([svc('backend', 'python')]);
    await down.request('launch', { stopEnvironmentOnStop: true });
    await down.request('disconnect', {});
    expect(down.calls).toEqual(['up Run Both', 'stopChildren', 'down']);

    const twice = harness([svc('backend', 'python')]);
    await twice.request('launch', {});
    await twice.request('disconnect', {});
    await twice.request('disconnect', {});
    expect(twice.calls.filter((c) => c === 'stopChildren')).toHaveLength(1);

    const restart = harness([svc('backend', 'python')]);
    await restart.request('launch', { stopEnvironmentOnStop: true });
    await restart.request('disconnect', { restart: true });
    expect(restart.calls).not.toContain('down');
  });

  it('says what it could not attach to, and ends at once when nothing is debuggable', async () => {
    const h = harness([svc('backend', 'python', 'exited'), svc('broken', 'python'), svc('db')]);
    await h.request('launch', {});
    expect(h.output()).toEqual([
      'devenv: not attaching to backend: it is exited\n',
      'devenv: could not attach to broken\n',
      'devenv: the environment is up; no service has a debugger to attach to\n',
    ]);
    expect(h.events()).toContain('terminated');
  });

  it('reports a failed up as a failed launch', async () => {
    const h = harness([], {
      up: async () => {
        throw new Error('service `backend` has neither `image` nor `build`');
      },
    });
    expect(await h.request('launch', {})).toMatchObject({
      success: false,
      message: 'service `backend` has neither `image` nor `build`',
    });
  });

  it('answers the requests VS Code sends every adapter', async () => {
    const h = harness([]);
    expect(await h.request('threads')).toMatchObject({ success: true, body: { threads: [] } });
    expect(await h.request('configurationDone')).toMatchObject({ success: true });
  });
});
