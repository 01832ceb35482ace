// The daemon's request handling without a socket: a client and the daemon joined by an
// in-memory stream pair, the real config loader on a temp project, the FakeRuntime underneath.
// (test/daemon/ drives the real socket, real processes and a real CLI.)

import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  createMessageConnection,
  type MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { RuntimeFailure } from '../errors.js';
import type { EngineEvent } from '../model/events.js';
import { ErrorCodes, Methods, Notifications, PROTOCOL_VERSION } from '../protocol/protocol.js';
import { FakeRuntime } from '../runtime-interface/fake-runtime.js';
import { Daemon } from './daemon.js';

const compose = `services:
  db:
    image: postgres:16
    healthcheck:
      test: ["CMD", "pg_isready"]
      interval: 1s
  web:
    image: nginx:1
    depends_on:
      db: { condition: service_started }
`;

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(yaml = compose) {
  const dir = mkdtempSync(path.join(tmpdir(), 'daemon-unit-'));
  const stateDir = path.join(dir, '.devenv', 'demo');
  mkdirSync(stateDir, { recursive: true });
  const file = path.join(dir, 'compose.yaml');
  writeFileSync(file, yaml);
  const runtime = new FakeRuntime();
  const exits: number[] = [];
  const logFile = path.join(stateDir, 'daemon.log');
  const daemon = new Daemon({
    identity: { name: 'demo', projectDir: dir, files: [file] },
    paths: { socketDir: dir, socket: path.join(dir, 'daemon.sock'), lock: path.join(dir, 'lock'), stateDir, logFile },
    runtime: 'docker',
    exit: (code) => exits.push(code),
    makeRuntime: async () => runtime,
  });
  const toDaemon = new PassThrough();
  const toClient = new PassThrough();
  daemon.serve(createMessageConnection(new StreamMessageReader(toDaemon), new StreamMessageWriter(toClient)));
  const client = connect(toClient, toDaemon);
  cleanups.push(async () => {
    client.dispose();
    await daemon.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = { files: [file], projectDir: dir, projectName: 'demo', env: {} };
  const initialize = () =>
    client.sendRequest(Methods.initialize, {
      protocolVersion: PROTOCOL_VERSION,
      client: { name: 'test', version: '0' },
    });
  return { dir, file, runtime, daemon, client, exits, config, initialize, logFile };
}

function connect(from: PassThrough, to: PassThrough): MessageConnection {
  const c = createMessageConnection(new StreamMessageReader(from), new StreamMessageWriter(to));
  c.listen();
  return c;
}

/** The JSON-RPC error a request was answered with. */
async function refusal(request: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await request;
  } catch (err) {
    if (err instanceof ResponseError) return err;
    throw err;
  }
  throw new Error('the request succeeded');
}

describe('the daemon’s request handling', () => {
  it('answers nothing before the handshake, and refuses a client of another protocol version with the fix', async () => {
    const { client } = setup();
    expect((await refusal(client.sendRequest(Methods.status))).code).toBe(ErrorCodes.notInitialized);
    const mismatch = await refusal(
      client.sendRequest(Methods.initialize, {
        protocolVersion: PROTOCOL_VERSION + 1,
        client: { name: 't', version: '0' },
      }),
    );
    expect(mismatch.code).toBe(ErrorCodes.versionMismatch);
    expect(mismatch.data).toEqual({ hint: expect.stringContaining('devenv shutdown') });
  });

  it('brings the project up, reports statuses, and streams events to a subscriber', async () => {
    const { client, config, initialize, runtime } = setup();
    const info = await initialize();
    expect(info).toMatchObject({ project: 'demo', runtime: 'docker', protocolVersion: PROTOCOL_VERSION });
    expect((await client.sendRequest(Methods.status)).phase).toBe('idle');
    const events: EngineEvent[] = [];
    client.onNotification(Notifications.event, (e) => void events.push(e));
    await client.sendRequest(Methods.subscribe, { kinds: ['status', 'project'] });
    const up = client.sendRequest(Methods.up, { config });
    await runtime.waitForCall('start', 'db');
    await vi.waitFor(() => expect(runtime.instanceOf('db')?.state.status).toBe('running'));
    runtime.setHealth('db', 'healthy');
    const result = await up;
    expect(result).toMatchObject({ actions: { db: 'created', web: 'created' }, failed: [], warnings: [] });
    const status = await client.sendRequest(Methods.status);
    expect(status.services.map((s) => [s.name, s.state])).toEqual([
      ['db', 'healthy'],
      ['web', 'running'],
    ]);
    await vi.waitFor(() => expect(events.some((e) => e.kind === 'project' && e.phase === 'running')).toBe(true));
    expect(events.every((e) => e.kind === 'status' || e.kind === 'project')).toBe(true);
  });

  it('replays log history to a late subscriber, and answers devenv/logs from it', async () => {
    const { client, config, initialize, runtime } = setup();
    await initialize();
    runtime.onStart('db', { status: 'running', health: 'healthy' });
    await client.sendRequest(Methods.up, { config });
    runtime.print('web', 'GET / 200');
    await vi.waitFor(async () =>
      expect((await client.sendRequest(Methods.logs, { service: 'web' })).map((l) => l.line)).toContain('GET / 200'),
    );
    const replayed: EngineEvent[] = [];
    client.onNotification(Notifications.event, (e) => void replayed.push(e));
    await client.sendRequest(Methods.subscribe, { replayLogs: 10, kinds: ['log'] });
    await vi.waitFor(() => expect(replayed.some((e) => e.kind === 'log' && e.line === 'GET / 200')).toBe(true));
  });

  it('answers a config error with its problems at file:line:col, and ends when nothing runs', async () => {
    const { client, config, initialize, exits, file } = setup(
      'services:\n  web:\n    image: nginx\n    ports: [bad]\n',
    );
    await initialize();
    const err = await refusal(client.sendRequest(Methods.up, { config }));
    expect(err.code).toBe(ErrorCodes.userError);
    const problems = (err.data as { problems: { location?: { file: string; line: number } }[] }).problems;
    expect(problems[0]!.location).toMatchObject({ file, line: 4 });
    // Until it is gone, it says so to anyone who asks.
    expect((await refusal(client.sendRequest(Methods.status))).code).toBe(ErrorCodes.shuttingDown);
    await vi.waitFor(() => expect(exits).toEqual([0]));
  });

  it('answers a runtime failure with its code and hint, and anything else as a bug with the log to read', async () => {
    const { client, config, initialize, runtime, logFile } = setup();
    await initialize();
    runtime.failOn(
      'ensureProjectResources',
      new RuntimeFailure('docker.unreachable', 'the Docker engine does not answer', { hint: 'start dockerd' }),
    );
    const failure = await refusal(client.sendRequest(Methods.up, { config }));
    expect(failure.code).toBe(ErrorCodes.runtimeFailure);
    expect(failure.data).toEqual({ code: 'docker.unreachable', hint: 'start dockerd' });
    runtime.failOn('ensureProjectResources', new TypeError('cannot read properties of undefined'));
    const bug = await refusal(client.sendRequest(Methods.up, { config }));
    expect(bug.code).toBe(-32603);
    expect(bug.message).toBe('internal error in the devenv daemon: cannot read properties of undefined');
    expect(bug.data).toEqual({ hint: `this is a bug; the daemon log has the details: ${logFile}` });
    expect(readFileSync(logFile, 'utf8')).toContain('TypeError: cannot read properties of undefined');
  });

  it('refuses service operations before up, and names the services of the project for an unknown one', async () => {
    const { client, config, initialize, runtime } = setup();
    await initialize();
    const notUp = await refusal(client.sendRequest(Methods.restart, { service: 'web' }));
    expect(notUp.code).toBe(ErrorCodes.userError);
    expect(notUp.data).toMatchObject({ problems: [{ code: 'daemon.not-up', hint: 'run `devenv up` first' }] });
    runtime.onStart('db', { status: 'running', health: 'healthy' });
    await client.sendRequest(Methods.up, { config });
    const unknown = { problems: [{ code: 'engine.unknown-service', hint: 'services in this project: db, web' }] };
    expect((await refusal(client.sendRequest(Methods.restart, { service: 'wbe' }))).data).toMatchObject(unknown);
    expect((await refusal(client.sendRequest(Methods.resync, { service: 'wbe' }))).data).toMatchObject(unknown);
    await client.sendRequest(Methods.restart, { service: 'web' });
    expect(runtime.calledWith('stop', 'web')).toHaveLength(1);
    expect(await client.sendRequest(Methods.resync, { service: 'web' })).toEqual({
      sent: 0,
      removed: 0,
      note: 'web has no develop.watch rules',
    });
  });

  it('stop keeps the instances; down removes them and ends the daemon unless asked not to', async () => {
    const { client, config, initialize, runtime, exits } = setup();
    await initialize();
    runtime.onStart('db', { status: 'running', health: 'healthy' });
    await client.sendRequest(Methods.up, { config });
    await client.sendRequest(Methods.stop);
    expect((await client.sendRequest(Methods.status)).services.map((s) => s.state)).toEqual(['stopped', 'stopped']);
    expect(runtime.instances.size).toBe(2);
    await client.sendRequest(Methods.down, { volumes: true, shutdown: false });
    expect(runtime.instances.size).toBe(0);
    expect(runtime.calledWith('removeProjectResources').at(-1)!.detail).toEqual({ volumes: true });
    await new Promise((r) => setTimeout(r, 250));
    expect(exits).toEqual([]);
    await client.sendRequest(Methods.down, {});
    await vi.waitFor(() => expect(exits).toEqual([0]));
  });

  it('reset takes the environment down (volumes too for hard) and brings it up again', async () => {
    const { client, config, initialize, runtime } = setup();
    await initialize();
    runtime.onStart('db', { status: 'running', health: 'healthy' }, { status: 'running', health: 'healthy' });
    await client.sendRequest(Methods.up, { config });
    const result = await client.sendRequest(Methods.reset, { mode: 'hard' });
    expect(result.actions).toEqual({ db: 'created', web: 'created' });
    expect(runtime.calledWith('remove')).toHaveLength(2);
    expect(runtime.calledWith('removeProjectResources').at(-1)!.detail).toEqual({ volumes: true });
  });

  it('lets go of a client that goes away, and of its subscription', async () => {
    const { client, daemon, initialize } = setup();
    await initialize();
    await client.sendRequest(Methods.subscribe, {});
    expect(daemon.clientCount).toBe(1);
    expect(daemon.subscriberCount).toBe(1);
    client.end();
    client.dispose();
    await vi.waitFor(() => expect(daemon.clientCount).toBe(0));
    expect(daemon.subscriberCount).toBe(0);
  });
});

describe('the daemon’s timeline, metrics and OTLP export', () => {
  it('answers the last up’s timeline, keeps it in the state directory (0600) for a later daemon', async () => {
    const { client, config, initialize, runtime, logFile } = setup();
    await initialize();
    expect(await client.sendRequest(Methods.timeline)).toBeNull();
    runtime.onStart('db', { status: 'running', health: 'healthy' });
    await client.sendRequest(Methods.up, { config });
    const timeline = await client.sendRequest(Methods.timeline);
    expect(timeline).toMatchObject({ project: 'demo', runtime: 'docker', outcome: 'ok' });
    const services = timeline!.spans.filter((s) => s.name === 'service').map((s) => s.service);
    expect(services).toEqual(['db', 'web']);
    const kept = path.join(path.dirname(logFile), 'timeline.json');
    await vi.waitFor(() => expect(JSON.parse(readFileSync(kept, 'utf8')).id).toBe(timeline!.id));
    expect(statSync(kept).mode & 0o777).toBe(0o600);
  });

  it('serves metrics on 127.0.0.1 when asked, at the same address for the next up', async () => {
    const { client, config, initialize, runtime } = setup();
    await initialize();
    runtime.onStart('db', { status: 'running', health: 'healthy' }, { status: 'running', health: 'healthy' });
    const first = await client.sendRequest(Methods.up, { config, metricsPort: 0 });
    expect(first.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const body = await (await fetch(first.metricsUrl!)).text();
    expect(body).toMatch(/^devenv_up_duration_seconds_count\{project="demo",outcome="ok"\} 1$/m);
    expect(body).toContain('devenv_daemon_clients{project="demo"} 1');
    const second = await client.sendRequest(Methods.up, { config });
    expect(second.metricsUrl).toBe(first.metricsUrl);
    const invalid = await refusal(client.sendRequest(Methods.up, { config, metricsPort: 70_000 }));
    expect(invalid.message).toBe('devenv/up: params.metricsPort must be a port number (0 to 65535)');
  });

  it('sends the timeline to the OTLP endpoint the asking client’s variables name', async () => {
    const { client, config, initialize, runtime } = setup();
    await initialize();
    const received: { path: string; body: string }[] = [];
    const receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => {
        body += d.toString();
      });
      req.on('end', () => {
        received.push({ path: req.url ?? '', body });
        res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanups.push(() => void receiver.close());
    const events: EngineEvent[] = [];
    client.onNotification(Notifications.event, (e) => void events.push(e));
    await client.sendRequest(Methods.subscribe, { kinds: ['diagnostic'] });
    runtime.onStart('db', { status: 'running', health: 'healthy' });
    const endpoint = `http://127.0.0.1:${(receiver.address() as { port: number }).port}`;
    await client.sendRequest(Methods.up, {
      config,
      otel: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' },
    });
    await vi.waitFor(() => expect(received).toHaveLength(1), { timeout: 5000 });
    expect(received[0]!.path).toBe('/v1/traces');
    const names = JSON.parse(received[0]!.body).resourceSpans[0].scopeSpans[0].spans.map(
      (s: { name: string }) => s.name,
    );
    expect(names).toEqual(expect.arrayContaining(['up demo', 'db', 'web', 'db healthy']));
    await vi.waitFor(() =>
      expect(events).toContainEqual(expect.objectContaining({ kind: 'diagnostic', code: 'telemetry.exported' })),
    );
  });
});
