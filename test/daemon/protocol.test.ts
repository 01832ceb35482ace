// The daemon's protocol, every method, against a real engine on the process runtime (no Docker
// needed): over in-memory streams, and over the real Unix socket. Errors arrive as typed
// JSON-RPC errors; a client of another protocol version is refused; a client that vanishes in
// the middle of a stream is let go without disturbing anyone else.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createMessageConnection,
  type MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { Daemon } from '../../engine/src/daemon/daemon.js';
import type { EngineEvent } from '../../engine/src/model/events.js';
import {
  type DaemonPaths,
  daemonPaths,
  ErrorCodes,
  type ErrorData,
  Methods,
  Notifications,
  PROTOCOL_VERSION,
  type ProjectIdentity,
  tryConnect,
} from '../../engine/src/protocol/index.js';
import { waitUntil } from '../helpers/wait.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

const webScript =
  "const http=require('http');http.createServer((q,r)=>r.end('ok')).listen(Number(process.env.PORT),'127.0.0.1');" +
  "let n=0;setInterval(()=>console.log('tick '+(++n)),20);process.on('SIGTERM',()=>process.exit(0));";

function writeProject(dir: string, port: number): void {
  writeFileSync(
    join(dir, 'compose.yaml'),
    `name: protodemo
services:
  job:
    restart: "no"
    x-devenv:
      process:
        command: ["node", "-e", "console.log('job done')"]
  web:
    restart: unless-stopped
    depends_on:
      job:
        condition: service_completed_successfully
    x-devenv:
      process:
        command: ["node", "-e", ${JSON.stringify(webScript)}]
        env:
          PORT: "${port}"
        healthcheck:
          type: http
          url: http://127.0.0.1:${port}/
`,
  );
}

interface Setup {
  dir: string;
  identity: ProjectIdentity;
  paths: DaemonPaths;
  env: Record<string, string>;
}

async function setup(): Promise<Setup> {
  const dir = mkdtempSync(join(tmpdir(), 'devenv-proto-'));
  writeProject(dir, await freePort());
  const identity = { name: 'protodemo', projectDir: dir, files: [join(dir, 'compose.yaml')] };
  const env = { DEVENV_SOCKET_DIR: join(dir, 'sock'), DEVENV_STATE_DIR: join(dir, 'state') };
  return { dir, identity, paths: daemonPaths(identity, env), env };
}

function inMemoryPair(daemon: Daemon): MessageConnection {
  const toDaemon = new PassThrough();
  const toClient = new PassThrough();
  daemon.serve(createMessageConnection(new StreamMessageReader(toDaemon), new StreamMessageWriter(toClient)));
  const client = createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toDaemon));
  client.listen();
  return client;
}

async function rejection(p: Promise<unknown>): Promise<ResponseError<ErrorData>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResponseError) return err as ResponseError<ErrorData>;
    throw err;
  }
  throw new Error('expected the request to fail');
}

const client = { name: 'protocol-test', version: '0' };

describe('daemon protocol over in-memory streams (process runtime, real processes)', () => {
  let s: Setup;
  let daemon: Daemon;
  let conn: MessageConnection;
  const events: EngineEvent[] = [];
  let exited = 0;

  beforeAll(async () => {
    s = await setup();
    daemon = new Daemon({ identity: s.identity, paths: s.paths, runtime: 'process', exit: () => exited++ });
    conn = inMemoryPair(daemon);
    conn.onNotification(Notifications.event, (e: EngineEvent) => {
      events.push(e);
    });
  });

  afterAll(async () => {
    // Normally the last test took everything down and the daemon ended itself; if a test failed
    // before that, take the services down here.
    if (exited === 0) await conn.sendRequest(Methods.down, { volumes: true, shutdown: false }).catch(() => undefined);
    await daemon.close();
  });

  it('refuses every method before the handshake', async () => {
    const err = await rejection(conn.sendRequest(Methods.status));
    expect(err.code).toBe(ErrorCodes.notInitialized);
  });

  it('refuses a client of another protocol version, naming both versions and the fix', async () => {
    const err = await rejection(
      conn.sendRequest(Methods.initialize, { protocolVersion: PROTOCOL_VERSION + 1, client }),
    );
    expect(err.code).toBe(ErrorCodes.versionMismatch);
    expect(err.message).toContain(`protocol ${PROTOCOL_VERSION + 1}`);
    expect(err.message).toContain(`speaks ${PROTOCOL_VERSION}`);
    expect(err.data?.hint).toContain('devenv shutdown');
  });

  it('initialize: says who it is', async () => {
    const info = await conn.sendRequest(Methods.initialize, { protocolVersion: PROTOCOL_VERSION, client });
    expect(info).toMatchObject({
      protocolVersion: PROTOCOL_VERSION,
      pid: process.pid,
      project: 'protodemo',
      projectDir: s.dir,
    });
  });

  it('subscribe + up: brings the services up and streams their events', async () => {
    await conn.sendRequest(Methods.subscribe, {});
    const result = await conn.sendRequest(Methods.up, { config: { env: s.env } });
    expect(result.failed).toEqual([]);
    expect(result.actions).toEqual({ job: 'created', web: 'created' });
    expect(Object.fromEntries(result.services.map((x) => [x.name, x.state]))).toEqual({
      job: 'completed',
      web: 'healthy',
    });
    await waitUntil('log events', () => events.some((e) => e.kind === 'log' && e.line.startsWith('tick')));
    expect(events.some((e) => e.kind === 'status' && e.service === 'web' && e.status.state === 'healthy')).toBe(true);
    expect(events.some((e) => e.kind === 'project' && e.phase === 'running')).toBe(true);
  });

  it('status: the same view', async () => {
    const status = await conn.sendRequest(Methods.status);
    expect(status.runtime).toBe('process');
    expect(status.services.map((x) => x.name)).toEqual(['job', 'web']);
  });

  it('logs: history per service', async () => {
    const logs = await conn.sendRequest(Methods.logs, { service: 'job' });
    expect(logs.map((l) => l.line)).toContain('job done');
    const limited = await conn.sendRequest(Methods.logs, { service: 'web', limit: 3 });
    expect(limited).toHaveLength(3);
  });

  it('restart: raises the restart count and the service is healthy again', async () => {
    const before = (await conn.sendRequest(Methods.status)).services.find((x) => x.name === 'web')!;
    await conn.sendRequest(Methods.restart, { service: 'web' });
    const after = await waitUntil('web healthy again', async () => {
      const w = (await conn.sendRequest(Methods.status)).services.find((x) => x.name === 'web')!;
      return w.state === 'healthy' ? w : undefined;
    });
    expect(after.restartCount).toBe(before.restartCount + 1);
  });

  it('errors: a user error carries its problems; an unknown service names the known ones', async () => {
    const err = await rejection(conn.sendRequest(Methods.restart, { service: 'nope' }));
    expect(err.code).toBe(ErrorCodes.userError);
    expect(err.data?.problems?.[0]).toMatchObject({ code: 'engine.unknown-service' });
    expect(err.data?.problems?.[0]?.hint).toContain('job, web');
  });

  it('rebuild: re-plans the service (nothing changed, so it is kept)', async () => {
    const result = await conn.sendRequest(Methods.rebuild, { service: 'web' });
    expect(result.failed).toEqual([]);
    expect(result.actions.web).toBe('kept');
  });

  it('resync: reconciles a service’s synced files, or says why there is nothing to do', async () => {
    const r = await conn.sendRequest(Methods.resync, { service: 'web' });
    expect(r).toEqual({ sent: 0, removed: 0, note: 'web has no develop.watch rules' });
    const err = await rejection(conn.sendRequest(Methods.resync, { service: 'nope' }));
    expect(err.code).toBe(ErrorCodes.userError);
  });

  it('up with a broken config: file:line:col problems, nothing changed', async () => {
    const broken = join(s.dir, 'broken.yaml');
    writeFileSync(
      broken,
      'services:\n  web:\n    depends_on: [nothere]\n    x-devenv:\n      process:\n        command: ["true"]\n',
    );
    const err = await rejection(conn.sendRequest(Methods.up, { config: { files: [broken], env: s.env } }));
    expect(err.code).toBe(ErrorCodes.userError);
    expect(err.data?.problems?.[0]).toMatchObject({ code: 'config.unknown-dependency', location: { line: 3 } });
    const status = await conn.sendRequest(Methods.status);
    expect(status.services.find((x) => x.name === 'web')?.state).toBe('healthy');
    expect(exited).toBe(0); // services run: the daemon stays
  });

  it('stop: every service stopped, then reset brings them back', async () => {
    await conn.sendRequest(Methods.stop);
    let status = await conn.sendRequest(Methods.status);
    expect(status.services.every((x) => x.state === 'stopped')).toBe(true);
    const result = await conn.sendRequest(Methods.reset, { mode: 'hard' });
    expect(result.failed).toEqual([]);
    status = await conn.sendRequest(Methods.status);
    expect(status.services.find((x) => x.name === 'web')?.state).toBe('healthy');
  });

  it('unsubscribe: no more events', async () => {
    await conn.sendRequest(Methods.unsubscribe);
    const count = events.length;
    await new Promise((r) => setTimeout(r, 200));
    expect(events.length).toBe(count);
    expect(daemon.subscriberCount).toBe(0);
  });

  it('down: removes everything and ends the daemon (when asked)', async () => {
    await conn.sendRequest(Methods.down, { volumes: true });
    const status = await conn.sendRequest(Methods.status).catch(() => undefined);
    expect(status?.services.every((x) => x.state === 'stopped') ?? true).toBe(true);
    await waitUntil('the daemon to end itself', () => exited === 1);
  });
});

describe('daemon over its real socket', () => {
  let s: Setup;
  let daemon: Daemon;

  beforeAll(async () => {
    s = await setup();
    daemon = new Daemon({ identity: s.identity, paths: s.paths, runtime: 'process', exit: () => undefined });
    expect(await daemon.start()).toBe(true);
  });

  afterAll(async () => {
    const c = await tryConnect(s.paths, client);
    await c?.connection.sendRequest(Methods.down, { volumes: true, shutdown: false }).catch(() => undefined);
    c?.close();
    await daemon.close();
  });

  it('answers a client over the socket', async () => {
    const c = await tryConnect(s.paths, client);
    expect(c?.info.pid).toBe(process.pid);
    const status = await c!.connection.sendRequest(Methods.status);
    expect(status.project).toBe('protodemo');
    c!.close();
  });

  it('lets go of a client that disconnects in the middle of a stream, and keeps serving others', async () => {
    const first = await tryConnect(s.paths, client);
    await first!.connection.sendRequest(Methods.up, { config: { env: s.env } });
    let received = 0;
    first!.connection.onNotification(Notifications.event, () => {
      received++;
    });
    await first!.connection.sendRequest(Methods.subscribe, { replayLogs: 50 });
    await waitUntil('events flowing', () => received > 10);
    expect(daemon.subscriberCount).toBe(1);
    first!.close(); // gone, mid-stream, with ticks still being logged every 20 ms
    await waitUntil(
      'the daemon to drop the subscription',
      () => daemon.subscriberCount === 0 && daemon.clientCount === 0,
    );
    const second = await tryConnect(s.paths, client);
    const status = await second!.connection.sendRequest(Methods.status);
    expect(status.services.find((x) => x.name === 'web')?.state).toBe('healthy');
    second!.close();
  });
});
