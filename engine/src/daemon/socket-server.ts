// Binding the daemon's socket safely: one daemon per project even when several clients start
// one at once, a stale socket from a dead daemon replaced, and no moment where the socket is
// open to other users (it is created under a 0177 umask inside a 0700 directory).

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { DaemonPaths } from '../protocol/project-identity.js';
import { ensureTrustedSocketDir } from '../protocol/socket-trust.js';

export type BindResult = { kind: 'bound'; server: Server } | { kind: 'taken' };

export async function bindDaemonSocket(
  paths: DaemonPaths,
  onConnection: (socket: Socket) => void,
): Promise<BindResult> {
  ensureTrustedSocketDir(paths.socketDir);
  if (!(await acquireLock(paths.lock))) return { kind: 'taken' };
  try {
    if (existsSync(paths.socket)) {
      if (await answers(paths.socket)) return { kind: 'taken' };
      rmSync(paths.socket, { force: true }); // stale: its daemon died without cleaning up
    }
    const server = createServer(onConnection);
    const previous = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(paths.socket, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(previous);
    }
    return { kind: 'bound', server };
  } finally {
    rmSync(paths.lock, { recursive: true, force: true });
  }
}

/** A directory as a lock (mkdir is atomic); a lock left by a dead process is taken over. */
async function acquireLock(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    try {
      mkdirSync(lock, { mode: 0o700 });
      writeFileSync(join(lock, 'pid'), String(process.pid), { mode: 0o600 });
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = readPid(join(lock, 'pid'));
    if (holder !== undefined && !isAlive(holder)) {
      rmSync(lock, { recursive: true, force: true });
      continue;
    }
    // Another daemon is binding right now; if it succeeds we are not needed.
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, 'utf8'));
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function answers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socketPath);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}
