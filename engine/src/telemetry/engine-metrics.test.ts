// The engine's metrics, fed by a real engine on the FakeRuntime with a FakeClock: names that
// follow Prometheus' rules, the series an `up`, a restart, a health change, a sync batch and a
// reload produce, and the endpoint on 127.0.0.1.

import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { engineFixture, healthy } from '../engine/engine-fixture.js';
import { fakeService } from '../runtime-interface/fake-project.js';
import { EngineMetrics, METRIC_NAMES } from './engine-metrics.js';
import { type MetricsServer, serveMetrics } from './metrics-server.js';

/** The value of one sample line (`name{labels} value`) in the exposition text, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const body = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    const have = Object.fromEntries([...body.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('metric names', () => {
  it('follow Prometheus conventions: a prefix, snake case, units, _total on counters', async () => {
    const metrics = new EngineMetrics({ project: 'demo', clients: () => 0 });
    const registered = (await metrics.registry.getMetricsAsJSON()).map((m) => ({ name: m.name, type: String(m.type) }));
    expect(registered.map((m) => m.name).sort()).toEqual(Object.values(METRIC_NAMES).sort());
    for (const { name, type } of registered) {
      expect(name).toMatch(/^(devenv|process)_[a-z0-9_]+$/);
      if (type === 'counter') expect(name).toMatch(/_total$/);
      else expect(name).not.toMatch(/_total$/);
      if (type === 'histogram') expect(name).toMatch(/_seconds$/);
    }
  });
});

describe('EngineMetrics on an engine', () => {
  it('counts up phases, dependency waits, restarts, health transitions, sync batches and reloads', async () => {
    const { engine, runtime, project, clock, waitForState } = engineFixture([
      fakeService('db', healthy),
      fakeService('web', { dependsOn: { db: 'service_healthy' }, restart: { name: 'always' } }),
    ]);
    let clients = 2;
    const metrics = new EngineMetrics({ project: 'demo', clients: () => clients });
    engine.bus.subscribe((e) => metrics.record(e));
    const up = engine.up(project);
    await waitForState('db', 'running');
    clock.advance(2_000);
    runtime.setHealth('db', 'healthy');
    expect((await up).failed).toEqual([]);

    // A crash: the policy restarts web after its backoff.
    runtime.exit('web', 1);
    await waitForState('web', 'restarting');
    clock.advance(1_000);
    await waitForState('web', 'running');
    // A save synced, and a watch action's restart.
    engine.emit({
      kind: 'sync',
      ts: new Date().toISOString(),
      service: 'web',
      files: 2,
      bytes: 2048,
      latencyMs: 12,
      errors: 0,
      reconcile: false,
    });
    await (engine as unknown as { reload(s: string, a: string, f: () => Promise<void>): Promise<void> }).reload(
      'web',
      'restart',
      () => engine.restart('web'),
    );
    clients = 3;

    const text = await metrics.text();
    expect(sample(text, 'devenv_up_duration_seconds_count', { outcome: 'ok', project: 'demo' })).toBe(1);
    expect(sample(text, 'devenv_up_duration_seconds_sum', { outcome: 'ok' })).toBe(2);
    expect(sample(text, 'devenv_up_phase_duration_seconds_sum', { service: 'db', phase: 'healthy' })).toBe(2);
    expect(sample(text, 'devenv_up_phase_duration_seconds_count', { service: 'web', phase: 'create' })).toBe(1);
    expect(
      sample(text, 'devenv_up_dependency_wait_seconds_sum', { service: 'web', dependency: 'db', condition: 'healthy' }),
    ).toBe(2);
    expect(sample(text, 'devenv_service_ready_seconds', { service: 'db' })).toBe(2);
    expect(sample(text, 'devenv_service_restarts_total', { service: 'web' })).toBe(2);
    expect(
      sample(text, 'devenv_service_health_transitions_total', { service: 'db', from: 'starting', to: 'healthy' }),
    ).toBe(1);
    expect(sample(text, 'devenv_service_state', { service: 'web', state: 'running' })).toBe(1);
    expect(sample(text, 'devenv_service_state', { service: 'web', state: 'restarting' })).toBeUndefined();
    expect(sample(text, 'devenv_sync_latency_seconds_bucket', { service: 'web', kind: 'save', le: '0.025' })).toBe(1);
    expect(sample(text, 'devenv_sync_latency_seconds_bucket', { service: 'web', kind: 'save', le: '0.01' })).toBe(0);
    expect(sample(text, 'devenv_sync_bytes_total', { service: 'web' })).toBe(2048);
    expect(sample(text, 'devenv_sync_files_total', { service: 'web' })).toBe(2);
    expect(
      sample(text, 'devenv_reload_duration_seconds_count', { service: 'web', action: 'restart', outcome: 'ok' }),
    ).toBe(1);
    expect(sample(text, 'devenv_daemon_clients', {})).toBe(3);
    expect(sample(text, 'process_resident_memory_bytes', {})).toBeGreaterThan(1_000_000);
  });
});

describe('serveMetrics', () => {
  let server: MetricsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const get = (url: string) =>
    new Promise<{ status: number; type: string; body: string }>((resolve, reject) => {
      request(url, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => {
          body += d.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body }));
      })
        .on('error', reject)
        .end();
    });

  it('answers GET /metrics on 127.0.0.1 with the text format', async () => {
    server = await serveMetrics(new EngineMetrics({ project: 'demo', clients: () => 1 }), 0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/metrics`);
    const res = await get(server.url);
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.body).toContain('devenv_daemon_clients{project="demo"} 1');
    expect((await get(`http://127.0.0.1:${server.port}/`)).status).toBe(404);
  });

  it('says what to do when the port is taken', async () => {
    server = await serveMetrics(new EngineMetrics({ project: 'a', clients: () => 0 }), 0);
    await expect(
      serveMetrics(new EngineMetrics({ project: 'b', clients: () => 0 }), server.port),
    ).rejects.toMatchObject({
      code: 'metrics.port-busy',
      message: `port ${server.port} on 127.0.0.1 is in use; no metrics endpoint`,
      hint: expect.stringContaining('--metrics-port'),
    });
  });
});
