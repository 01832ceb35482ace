// Connecting to a project's daemon: over its socket when one runs, starting one when asked.
// Used by the CLI, the TUI and the VS Code extension alike.

import type { ChildProcess } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { dirname } from 'node:path';
import {
  createMessageConnection,
  type MessageConnection,
  ResponseError,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import type { DaemonPaths } from './project-identity.js';
import { type ClientInfo, type DaemonInfo, ErrorCodes, Methods, PROTOCOL_VERSION } from './protocol.js';
import { verifySocketDirForConnect, verifySocketFile } from './socket-trust.js';

export interface DaemonConnection {
  connection: MessageConnection;
  info: DaemonInfo;
  close(): void;
}

export class ProtocolMismatchError extends Error {
  override readonly name = 'ProtocolMismatchError';
}

/**
 * Connect and shake hands; undefined when no daemon listens on the socket. The directory and
 * the socket are verified first (socket-trust.ts): a UserError, and not a byte sent, when
 * another account could be listening there.
 */
export async function tryConnect(paths: DaemonPaths, client: ClientInfo): Promise<DaemonConnection | undefined> {
  if (verifySocketDirForConnect(paths.socketDir) === 'missing') return undefined;
  if (verifySocketFile(paths.socket) === 'missing') return undefined;
  const socket = await openSocket(paths.socket);
  if (!socket) return undefined;
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.listen();
  try {
    const info = await connection.sendRequest(Methods.initialize, { protocolVersion: PROTOCOL_VERSION, client });
    return {
      connection,
      info,
      close: () => {
        connection.dispose();
        socket.destroy();
      },
    };
  } catch (err) {
    connection.dispose();
    socket.destroy();
    if (err instanceof ResponseError && err.code === ErrorCodes.versionMismatch) {
      throw new ProtocolMismatchError(err.message);
    }
    // A daemon on its way out (its last `down` answered) is as good as none.
    if (err instanceof ResponseError && err.code === ErrorCodes.shuttingDown) return undefined;
    throw err;
  }
}

/**
 * Connect to the daemon, starting one when none runs. Clients racing here start at most one:
 * the daemon itself takes the lock and binds the socket; a loser exits, and every client
 * simply waits for the socket to answer.
 */
export async function connectOrStart(
  paths: DaemonPaths,
  client: ClientInfo,
  start: () => ChildProcess,
  opts: { timeoutMs?: number } = {},
): Promise<{ daemon: DaemonConnection; started: boolean }> {
  const existing = await tryConnect(paths, client);
  if (existing) return { daemon: existing, started: false };
  const child = start();
  let exited: { code: number | null } | undefined;
  child.once('exit', (code) => {
    exited = { code };
  });
  child.unref();
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000);
  // A refused connect to a Unix socket costs microseconds: ask often, so the daemon is used the
  // moment it listens (a doubling backoff left up to 200 ms between its start and the first ask).
  while (Date.now() < deadline) {
    const daemon = await tryConnect(paths, client);
    if (daemon) return { daemon, started: true };
    // A daemon that exits with 0 lost the race to another one: keep waiting for the winner.
    if (exited && exited.code !== 0) {
      throw new Error(`the devenv daemon exited with code ${exited.code} while starting; see ${paths.logFile}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(
    `the devenv daemon did not answer within ${(opts.timeoutMs ?? 15_000) / 1000} s; see ${paths.logFile}`,
  );
}

function openSocket(path: string): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

/**
 * The project's state directory: private (0700) itself; its parent `.devenv` only traversable
 * (0711), so a service the process runtime runs as another user (postgres) can reach its own
 * data directory when the runtime opens the way to it.
 */
export function ensureStateDir(stateDir: string): void {
  mkdirSync(dirname(stateDir), { recursive: true, mode: 0o711 });
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  // One made by an older devenv (or under another umask) is closed now: it holds logs and records.
  const st = lstatSync(stateDir);
  if (st.isDirectory() && (st.mode & 0o077) !== 0 && st.uid === process.getuid?.()) chmodSync(stateDir, 0o700);
}

export function removeQuietly(path: string): void {
  rmSync(path, { force: true, recursive: true });
}
