// Protocol tests: the language server and a client joined by in-memory streams, a fake daemon
// behind the relay. Nothing spawns, nothing listens on a socket.

import { PassThrough } from 'node:stream';
import type { EngineEvent, ProjectStatus, ServiceStatus } from '@devenv/engine';
import { validateDocument } from '@devenv/engine/engine';
import { type DaemonConnection, ErrorCodes, Methods, Notifications, PROTOCOL_VERSION } from '@devenv/engine/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createMessageConnection,
  type MessageConnection,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { createConnection, type PublishDiagnosticsParams } from 'vscode-languageserver/node';
import { type DaemonAccess, DaemonRelay } from './daemon-relay.js';
import { serveLanguage } from './server.js';

function pipes(): { server: [PassThrough, PassThrough]; client: [PassThrough, PassThrough] } {
  const up = new PassThrough();
  const down = new PassThrough();
  return { server: [up, down], client: [down, up] };
}

function rpcPair(): [MessageConnection, MessageConnection, () => void] {
  const p = pipes();
  return [
    createMessageConnection(new StreamMessageReader(p.server[0]), new StreamMessageWriter(p.server[1])),
    createMessageConnection(new StreamMessageReader(p.client[0]), new StreamMessageWriter(p.client[1])),
    () => {
      for (const s of [...p.server, ...p.client]) s.destroy();
    },
  ];
}

const backend: ServiceStatus = { name: 'backend', state: 'healthy', health: 'healthy', ports: [], restartCount: 0 };
const projectStatus: ProjectStatus = {
  project: 'demo',
  projectDir: '/w',
  runtime: 'docker',
  phase: 'running',
  services: [backend],
};

/** A daemon that answers from memory and records what it was asked. */
function fakeDaemon() {
  const [daemonSide, clientSide, hangUp] = rpcPair();
  const calls: string[] = [];
  daemonSide.onRequest(Methods.subscribe, () => {
    calls.push('subscribe');
    return { subscribed: true as const };
  });
  daemonSide.onRequest(Methods.status, () => projectStatus);
  daemonSide.onRequest(Methods.up, async (p) => {
    calls.push(`up ${p.config.projectName}`);
    await daemonSide.sendNotification(Notifications.event, {
      kind: 'status',
      ts: 't',
      service: 'backend',
      status: { ...backend, state: 'starting' },
    });
    return { services: [backend], failed: [], actions: { backend: 'start' }, warnings: [] };
  });
  daemonSide.onRequest(Methods.restart, (p) => {
    calls.push(`restart ${p.service}`);
  });
  daemonSide.listen();
  clientSide.listen();
  const connection: DaemonConnection = {
    connection: clientSide,
    info: {
      protocolVersion: PROTOCOL_VERSION,
      version: '0',
      pid: 42,
      startedAt: 't',
      projectDir: '/w',
      project: 'demo',
      runtime: 'docker',
      logFile: '/w/log',
    },
    close: () => {
      clientSide.dispose();
      daemonSide.dispose();
    },
  };
  return { connection, calls, hangUp };
}

const disposers: (() => void)[] = [];
afterEach(() => {
  for (const d of disposers.splice(0)) d();
});

function startServer(access: DaemonAccess | undefined) {
  const p = pipes();
  const serverConnection = createConnection(new StreamMessageReader(p.server[0]), new StreamMessageWriter(p.server[1]));
  serveLanguage(serverConnection, {
    relay: (_init, _root, emit) => (access ? new DaemonRelay(access, emit, { pollMs: 20 }) : undefined),
    validates: (file) => !file.endsWith('.override.yaml'),
    validate: (text, file) => validateDocument(text, file, {}),
    debounceMs: 5,
  });
  const client = createMessageConnection(new StreamMessageReader(p.client[0]), new StreamMessageWriter(p.client[1]));
  const events: EngineEvent[] = [];
  const diagnostics: PublishDiagnosticsParams[] = [];
  client.onNotification(Notifications.event.method, (e: EngineEvent) => {
    events.push(e);
  });
  client.onNotification('textDocument/publishDiagnostics', (d: PublishDiagnosticsParams) => {
    diagnostics.push(d);
  });
  client.onNotification('window/logMessage', () => undefined);
  client.listen();
  disposers.push(() => {
    client.dispose();
    serverConnection.dispose();
  });
  const init = async () => {
    await client.sendRequest('initialize', { processId: null, rootUri: 'file:///w', capabilities: {} });
    await client.sendNotification('initialized', {});
  };
  return { client, events, diagnostics, init };
}

async function until<T>(fn: () => T | undefined, ms = 3000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const noDaemonAccess = (over: Partial<DaemonAccess> = {}): DaemonAccess => ({
  find: async () => undefined,
  start: async () => {
    throw new Error('not in this test');
  },
  statusWithoutDaemon: async () => ({ ...projectStatus, phase: 'stopped', services: [] }),
  downWithoutDaemon: async () => undefined,
  config: () => ({ projectName: 'demo', files: ['/w/compose.yaml'] }),
  ...over,
});

describe('devenv lsp: diagnostics as you type', () => {
  it('publishes the config problems of an opened and then edited Compose file', async () => {
    const { client, diagnostics, init } = startServer(undefined);
    await init();
    const uri = 'file:///tmp/devenv-lsp-test/compose.yaml';
    await client.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'dockercompose', version: 1, text: 'services:\n  web:\n    image: nginx\n' },
    });
    const clean = await until(() => diagnostics.find((d) => d.uri === uri));
    expect(clean.diagnostics).toEqual([]);
    await client.sendNotification('textDocument/didChange', {
      textDocument: { uri, version: 2 },
      contentChanges: [{ range: { start: { line: 2, character: 4 }, end: { line: 2, character: 9 } }, text: 'imagez' }],
    });
    const broken = await until(() => diagnostics.find((d) => d.uri === uri && d.diagnostics.length > 0));
    expect(broken.version).toBe(2);
    expect(broken.diagnostics[0]).toMatchObject({
      code: 'config.unknown-key',
      range: { start: { line: 2, character: 4 } },
      source: 'devenv',
    });
  });

  it('leaves override files unchecked', async () => {
    const { client, diagnostics, init } = startServer(undefined);
    await init();
    const uri = 'file:///tmp/devenv-lsp-test/compose.override.yaml';
    await client.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'dockercompose', version: 1, text: 'services:\n  web:\n    ports: [80]\n' },
    });
    expect((await until(() => diagnostics.find((d) => d.uri === uri))).diagnostics).toEqual([]);
  });
});

describe('devenv lsp: the engine protocol, relayed', () => {
  it('attaches to a running daemon: snapshot first, then its events; requests are forwarded', async () => {
    const daemon = fakeDaemon();
    disposers.push(() => daemon.connection.close());
    const { client, events, init } = startServer(noDaemonAccess({ find: async () => daemon.connection }));
    await init();
    await until(() => events.some((e) => e.kind === 'project'));
    expect(events.map((e) => e.kind)).toEqual(['status', 'project']);
    expect(daemon.calls).toContain('subscribe');

    await client.sendRequest(Methods.restart, { service: 'backend' });
    expect(daemon.calls).toContain('restart backend');

    const result = await client.sendRequest(Methods.up, { config: {} });
    expect(result.actions).toEqual({ backend: 'start' });
    expect(daemon.calls).toContain('up demo');
    await until(() => events.some((e) => e.kind === 'status' && e.status.state === 'starting'));
  });

  it('starts a daemon for up when none runs', async () => {
    const daemon = fakeDaemon();
    disposers.push(() => daemon.connection.close());
    let started = 0;
    const { client, init } = startServer(
      noDaemonAccess({
        start: async () => {
          started++;
          return daemon.connection;
        },
      }),
    );
    await init();
    await client.sendRequest(Methods.up, { config: {} });
    await client.sendRequest(Methods.up, { config: {} });
    expect(started).toBe(1);
  });

  it('answers status without a daemon, and refuses restart with the daemon’s user-error shape', async () => {
    const { client, init } = startServer(noDaemonAccess());
    await init();
    expect((await client.sendRequest(Methods.status)).phase).toBe('stopped');
    const err = await client.sendRequest(Methods.restart, { service: 'backend' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseError);
    expect((err as ResponseError<unknown>).code).toBe(ErrorCodes.userError);
  });

  it('relays every request of the engine protocol (all but the handshake and subscriptions)', async () => {
    const { client, init } = startServer(noDaemonAccess());
    await init();
    const own = new Set(['initialize', 'subscribe', 'unsubscribe']);
    for (const [name, type] of Object.entries(Methods)) {
      if (own.has(name)) continue;
      const err = await client.sendRequest(type.method, {}).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect((err as ResponseError<unknown> | undefined)?.code, name).not.toBe(-32601);
    }
  });

  it('tells the client when the daemon goes away', async () => {
    const daemon = fakeDaemon();
    let found = false;
    const { events, init } = startServer(
      noDaemonAccess({
        find: async () => {
          if (found) return undefined;
          found = true;
          return daemon.connection;
        },
      }),
    );
    await init();
    await until(() => events.some((e) => e.kind === 'project'));
    daemon.hangUp();
    await until(() => events.some((e) => e.kind === 'project' && e.phase === 'stopped'));
  });
});
