// `devenv lsp`: the language server the VS Code extension spawns. Two jobs on one connection:
//  - config diagnostics as you type: `validateDocument` on every change of a Compose file, the
//    same `file:line:col` problems `devenv up` prints;
//  - the engine protocol, relayed: the extension sends the `Methods` of @devenv/engine/protocol
//    (declared once there) and receives its `Notifications.event`; see daemon-relay.ts.

import { fileURLToPath } from 'node:url';
import { type EngineEvent, RuntimeFailure, UserError } from '@devenv/engine';
import type { ConfigDiagnostic } from '@devenv/engine/engine';
import { ErrorCodes, type ErrorData, Methods, Notifications } from '@devenv/engine/protocol';
import { ResponseError } from 'vscode-jsonrpc';
import { type Connection, TextDocumentSyncKind, TextDocuments } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { errorWithCommands } from '../output/hints.js';
import type { DaemonRelay } from './daemon-relay.js';
import { toLspDiagnostics } from './document-diagnostics.js';

export interface ServerOptions {
  /** Made once the client said which folder and files it means (initializationOptions). */
  relay(
    init: LspInitOptions,
    rootPath: string | undefined,
    emit: (event: EngineEvent) => void,
  ): DaemonRelay | undefined;
  /** Whether a file is checked on its own; overrides of another file are not (they are partial). */
  validates?(file: string): boolean;
  /** The config checker (`validateDocument` of @devenv/engine/engine, loaded by the command). */
  validate(text: string, file: string): ConfigDiagnostic[];
  /** Quiet time after a keystroke before checking again. */
  debounceMs?: number;
}

/** What the extension passes in `initializationOptions`. */
export interface LspInitOptions {
  configFiles?: string[];
  projectDir?: string;
  projectName?: string;
  runtime?: string;
}

export function serveLanguage(connection: Connection, opts: ServerOptions): { closed: Promise<void> } {
  const documents = new TextDocuments(TextDocument);
  const pending = new Map<string, NodeJS.Timeout>();
  let relay: DaemonRelay | undefined;

  connection.onInitialize((params) => {
    const init = (params.initializationOptions ?? {}) as LspInitOptions;
    const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    const emit = (event: EngineEvent) => {
      try {
        void connection.sendNotification(Notifications.event, event).catch(() => undefined);
      } catch {
        // The client has gone.
      }
    };
    relay = opts.relay(init, root?.startsWith('file:') ? fileURLToPath(root) : undefined, emit);
    return {
      capabilities: { textDocumentSync: TextDocumentSyncKind.Incremental },
      serverInfo: { name: 'devenv', version: '0.1.0' },
    };
  });
  connection.onInitialized(() => relay?.start());

  const publish = (params: Parameters<Connection['sendDiagnostics']>[0]) => {
    try {
      void connection.sendDiagnostics(params).catch(() => undefined);
    } catch {
      // The client has gone: nothing to tell.
    }
  };
  const check = (doc: TextDocument) => {
    if (!doc.uri.startsWith('file:')) return;
    const file = fileURLToPath(doc.uri);
    if (opts.validates && !opts.validates(file)) {
      publish({ uri: doc.uri, diagnostics: [] });
      return;
    }
    let items: ConfigDiagnostic[];
    try {
      items = opts.validate(doc.getText(), file);
    } catch (err) {
      connection.console.error(`checking ${file} failed: ${err instanceof Error ? (err.stack ?? err.message) : err}`);
      return;
    }
    publish({ uri: doc.uri, version: doc.version, diagnostics: toLspDiagnostics(items, file, doc.getText()) });
  };
  const schedule = (doc: TextDocument) => {
    clearTimeout(pending.get(doc.uri));
    pending.set(
      doc.uri,
      setTimeout(() => {
        pending.delete(doc.uri);
        const current = documents.get(doc.uri);
        if (current) check(current);
      }, opts.debounceMs ?? 150),
    );
  };
  documents.onDidOpen((e) => check(e.document));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    clearTimeout(pending.get(e.document.uri));
    publish({ uri: e.document.uri, diagnostics: [] });
  });
  documents.listen(connection);

  const relayed =
    <P, R>(fn: (relay: DaemonRelay, params: P) => Promise<R>) =>
    async (params: P): Promise<R> => {
      if (!relay) throw noProject();
      try {
        return await fn(relay, params);
      } catch (err) {
        // Hints the editor shows name commands its terminal can run (output/hints.ts).
        throw errorWithCommands(toResponseError(err));
      }
    };
  connection.onRequest(
    Methods.up,
    relayed((r, p) => r.up(p)),
  );
  connection.onRequest(
    Methods.down,
    relayed((r, p) => r.down(p)),
  );
  connection.onRequest(
    Methods.stop,
    relayed((r) => r.stop()),
  );
  connection.onRequest(
    Methods.status,
    relayed((r) => r.status()),
  );
  connection.onRequest(
    Methods.logs,
    relayed((r, p) => r.logs(p)),
  );
  connection.onRequest(
    Methods.restart,
    relayed((r, p) => r.restart(p)),
  );
  connection.onRequest(
    Methods.rebuild,
    relayed((r, p) => r.rebuild(p)),
  );
  connection.onRequest(
    Methods.debug,
    relayed((r, p) => r.debug(p)),
  );
  connection.onRequest(
    Methods.reset,
    relayed((r, p) => r.reset(p)),
  );
  connection.onRequest(
    Methods.resync,
    relayed((r, p) => r.resync(p)),
  );
  connection.onRequest(
    Methods.shutdown,
    relayed((r) => r.shutdown()),
  );
  connection.onRequest(
    Methods.timeline,
    relayed((r) => r.timeline()),
  );

  const closed = new Promise<void>((resolve) => {
    connection.onShutdown(() => relay?.dispose());
    connection.onExit(() => {
      relay?.dispose();
      resolve();
    });
  });
  connection.listen();
  return { closed };
}

function noProject(): ResponseError<ErrorData> {
  return new ResponseError<ErrorData>(ErrorCodes.userError, 'no Compose file for this workspace', {
    problems: [{ code: 'cli.no-config', message: 'no compose.yaml (or docker-compose.yml) found for this workspace' }],
    nextSteps: ['open the folder that holds your compose.yaml, or set `devenv.configFiles`'],
  });
}

/** The daemon's error mapping, for errors raised in the relay itself (no daemon, bad config). */
export function toResponseError(err: unknown): ResponseError<ErrorData> {
  if (err instanceof ResponseError) return err;
  if (err instanceof UserError) {
    return new ResponseError<ErrorData>(ErrorCodes.userError, err.message, {
      problems: err.problems.map((p) => ({
        code: p.code,
        message: p.message,
        ...(p.location ? { location: { file: p.location.file, line: p.location.line, col: p.location.col } } : {}),
        ...(p.hint ? { hint: p.hint } : {}),
      })),
      nextSteps: err.nextSteps,
    });
  }
  if (err instanceof RuntimeFailure) {
    return new ResponseError<ErrorData>(ErrorCodes.runtimeFailure, err.message, {
      code: err.code,
      ...(err.hint ? { hint: err.hint } : {}),
      ...(err.service ? { service: err.service } : {}),
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ResponseError<ErrorData>(-32603, `devenv language server: ${message}`, {
    hint: 'this is a bug; the "devenv" output channel has the details',
  });
}
