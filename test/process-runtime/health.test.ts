// Health probes against real services: http, tcp and command, starting → healthy → unhealthy,
// reported by inspect and by watch notifications.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RuntimeChange } from '../../engine/src/runtime-interface/runtime.js';
import { ProcessRuntime } from '../../engine/src/runtimes/process/process-runtime.js';
import { freePort } from '../helpers/free-port.js';
import { createAndStart, project, type Sandbox, sandbox, service, waitFor, waitForState } from './helpers.js';

let box: Sandbox;
let rt: ProcessRuntime;
const changes: RuntimeChange[] = [];
let sub: { dispose(): void };

// An HTTP server that answers 503 for its first 600 ms, then 200 until a file appears, then 500.
const flakyServer = `
const http = require('node:http');
const fs = require('node:fs');
const port = Number(process.argv[2]);
const started = Date.now();
http.createServer((req, res) => {
  const code = Date.now() - started < 600 ? 503 : fs.existsSync(process.argv[3]) ? 500 : 200;
  res.writeHead(code).end(String(code));
}).listen(port, '127.0.0.1', () => console.log('listening on ' + port));
`;

beforeAll(() => {
  box = sandbox();
  rt = new ProcessRuntime({ stateDir: box.stateDir });
  sub = rt.watch('h', (c) => changes.push(c));
});

afterAll(async () => {
  sub.dispose();
  for (const o of await rt.observe('h')) await rt.remove(o.id);
  await rt.close();
  box.cleanup();
});

const fast = { intervalMs: 100, timeoutMs: 1000, retries: 3 };

describe('health probes', () => {
  it('http: starting → healthy → unhealthy → healthy, each change notified', async () => {
    const script = box.write('flaky.js', flakyServer, 0o644);
    const breaker = `${box.dir}/break-http`;
    const port = await freePort();
    const svc = service('web', {
      command: ['node', script, String(port), breaker],
      cwd: box.dir,
      healthcheck: { type: 'http', url: `http://127.0.0.1:${port}/`, ...fast },
    });
    const id = await createAndStart(rt, svc, project('h', [svc]));
    expect((await rt.inspect(id)).health).toBe('starting');
    // 503s for 600 ms: with no start period, 3 failures make it unhealthy first, then a 200 heals it.
    await waitForState(rt, id, (s) => s.health === 'healthy');
    await waitFor('a health notification', async () =>
      changes.some((c) => c.instanceId === id && c.reason === 'health_status: healthy'),
    );
    box.write('break-http', '');
    await waitForState(rt, id, (s) => s.health === 'unhealthy');
    await waitFor('unhealthy notified', async () =>
      changes.some((c) => c.instanceId === id && c.reason === 'health_status: unhealthy'),
    );
    const { rmSync } = await import('node:fs');
    rmSync(breaker);
    await waitForState(rt, id, (s) => s.health === 'healthy');
  });

  it('start_period from the Compose healthcheck keeps it `starting` through early failures', async () => {
    const port = await freePort();
    const script = box.write('late.js', flakyServer, 0o644);
    const svc = service(
      'late',
      {
        command: ['node', script, String(port), `${box.dir}/never`],
        cwd: box.dir,
        healthcheck: { type: 'http', url: `http://127.0.0.1:${port}/`, ...fast },
      },
      { healthcheck: { test: ['CMD', 'true'], intervalMs: 100, timeoutMs: 1000, retries: 3, startPeriodMs: 5000 } },
    );
    const id = await createAndStart(rt, svc, project('h', [svc]));
    const seen = new Set<string>();
    await waitFor('healthy', async () => {
      const s = await rt.inspect(id);
      seen.add(s.health);
      return s.health === 'healthy';
    });
    expect([...seen]).toEqual(['starting', 'healthy']);
  });

  it('tcp: healthy while something accepts connections', async () => {
    const port = await freePort();
    const script = box.write(
      'tcp.js',
      `require('node:net').createServer((s) => s.end()).listen(${port}, '127.0.0.1');`,
      0o644,
    );
    const svc = service('tcp', {
      command: ['node', script],
      cwd: box.dir,
      healthcheck: { type: 'tcp', host: '127.0.0.1', port, ...fast },
    });
    const id = await createAndStart(rt, svc, project('h', [svc]));
    await waitForState(rt, id, (s) => s.health === 'healthy');
  });

  it('command: runs in the service cwd with its env; a hanging probe times out', async () => {
    const svc = service('cmd', {
      command: ['sleep', '60'],
      cwd: box.dir,
      env: { MARKER: 'ready-file' },
      healthcheck: { type: 'command', command: ['sh', '-c', 'test -e "$MARKER" || sleep 5'], ...fast, timeoutMs: 200 },
    });
    const id = await createAndStart(rt, svc, project('h', [svc]));
    await waitForState(rt, id, (s) => s.health === 'unhealthy', 5000);
    box.write('ready-file', '');
    await waitForState(rt, id, (s) => s.health === 'healthy');
  });

  it('a Compose healthcheck alone is not run on the host: health none, with a warning', async () => {
    const svc = service(
      'nohc',
      { command: ['sleep', '60'], cwd: box.dir },
      { healthcheck: { test: ['CMD-SHELL', 'exit 0'], intervalMs: 100, timeoutMs: 100, retries: 1, startPeriodMs: 0 } },
    );
    const events: unknown[] = [];
    await rt.prepareArtifacts([svc], project('h', [svc]), (e) => events.push(e), new AbortController().signal, {
      force: [],
    }).nohc;
    expect(events).toEqual([expect.objectContaining({ code: 'process.healthcheck-not-run', severity: 'warning' })]);
    const id = await createAndStart(rt, svc, project('h', [svc]));
    await new Promise((r) => setTimeout(r, 400));
    expect((await rt.inspect(id)).health).toBe('none');
  });
});
