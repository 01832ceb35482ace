// Whether a socket directory may be trusted, checked by every client before it connects and by
// the daemon before it binds. Node's `net` cannot ask the kernel who listens on a Unix socket
// (SO_PEERCRED needs a native addon), so trust comes from the path instead: the directory is a
// real directory (lstat: never a symlink), owned by this user and closed to everyone else (0700),
// every directory above it belongs to root or this user and no other account can rename entries
// in it (not writable by others, or sticky like /tmp), and the socket itself is a socket of
// ours. Another account can then neither plant a listener where the client connects nor swap
// the path afterwards. The same rules hold on macOS, where the per-user $TMPDIR lives under
// /var/folders (/var being a symlink to /private/var that root owns).

import { lstatSync, mkdirSync, readFileSync, readlinkSync, realpathSync, type Stats } from 'node:fs';
import { dirname, sep } from 'node:path';
import { UserError } from '../errors.js';

export const UNSAFE_SOCKET_DIR = 'daemon.socket-dir-unsafe';

function myUid(): number | undefined {
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/**
 * Makes `dir` (0700) when it is missing, then verifies it and the directories above it; a
 * UserError says what is wrong and the command that fixes it. No-op where there are no uids.
 */
export function ensureTrustedSocketDir(dir: string): void {
  const uid = myUid();
  if (uid === undefined) return;
  verifyAncestors(dirname(dir), uid, dir);
  let st = lstatOrUndefined(dir);
  if (!st) {
    // Only the last level is made here: its parent was just verified (XDG_RUNTIME_DIR, $TMPDIR,
    // /tmp) and is made by the system, not by us. DEVENV_SOCKET_DIR may name a new tree.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    st = lstatSync(dir);
  }
  verifyDirItself(dir, st, uid);
}

/** The checks a client makes before it connects: throws when the directory exists and is not ours. */
export function verifySocketDirForConnect(dir: string): 'missing' | 'trusted' {
  const uid = myUid();
  if (uid === undefined) return 'trusted';
  verifyAncestors(dirname(dir), uid, dir);
  const st = lstatOrUndefined(dir);
  if (!st) return 'missing';
  verifyDirItself(dir, st, uid);
  return 'trusted';
}

/** The socket file: missing (no daemon), or a socket owned by this user; never a symlink. */
export function verifySocketFile(path: string): 'missing' | 'trusted' {
  const uid = myUid();
  const st = lstatOrUndefined(path);
  if (!st) return 'missing';
  if (uid === undefined) return 'trusted';
  if (st.isSymbolicLink() || !st.isSocket() || st.uid !== uid) {
    const what = st.isSymbolicLink()
      ? `a symbolic link (to ${readlinkQuiet(path)})`
      : !st.isSocket()
        ? 'not a socket'
        : `owned by ${userName(st.uid)}, not by you`;
    throw refusal(
      `the daemon socket ${path} is ${what}; devenv will not connect to it`,
      `remove it and run the command again: ${removeCommand(path, st, uid)}`,
    );
  }
  return 'trusted';
}

function verifyDirItself(dir: string, st: Stats, uid: number): void {
  if (st.isSymbolicLink()) {
    throw refusal(
      `the socket directory ${dir} is a symbolic link (to ${readlinkQuiet(dir)}), not a directory${st.uid === uid ? '' : ` — and it belongs to ${userName(st.uid)}, another account`}; devenv will not use it, since whoever owns the link can point it elsewhere at any moment`,
      `remove the link, and devenv makes a private directory there on the next run: ${removeCommand(dir, st, uid)}`,
    );
  }
  if (!st.isDirectory()) {
    throw refusal(`the socket directory ${dir} is not a directory`, `remove it: ${removeCommand(dir, st, uid)}`);
  }
  if (st.uid !== uid) {
    throw refusal(
      `the socket directory ${dir} belongs to ${userName(st.uid)}, not to you (${userName(uid)}): another account made it, perhaps to catch what devenv sends; devenv will not use it`,
      `remove it (it is not yours, so this needs root): ${removeCommand(dir, st, uid)}`,
    );
  }
  if ((st.mode & 0o077) !== 0) {
    throw refusal(
      `the socket directory ${dir} is open to other users (mode ${(st.mode & 0o777).toString(8)}); a socket there could be replaced by someone else's`,
      `make it private: chmod 700 ${shellWord(dir)}`,
    );
  }
}

/**
 * Every directory from `/` down to `parent` (resolved: symlinks such as macOS's /var are
 * followed, then each link itself must belong to root or us): owned by root or by us, and either
 * not writable by others or sticky, so nobody else can rename or replace the entry below it.
 */
function verifyAncestors(parent: string, uid: number, dir: string): void {
  let real: string;
  try {
    real = realpathSync.native(parent);
  } catch {
    // The parent does not exist yet (a DEVENV_SOCKET_DIR to be made): check what exists above it.
    const up = dirname(parent);
    if (up !== parent) verifyAncestors(up, uid, dir);
    return;
  }
  for (const link of symlinkComponents(parent)) {
    if (link.st.uid !== 0 && link.st.uid !== uid) {
      throw refusal(
        `${link.path}, on the way to the socket directory ${dir}, is a symbolic link owned by ${userName(link.st.uid)}, who could point it elsewhere`,
        `choose a socket directory of your own: ${PRIVATE_DIR}`,
      );
    }
  }
  const parts = real.split(sep).filter(Boolean);
  let path: string = sep;
  for (let i = 0; i <= parts.length; i++) {
    if (i > 0) path = path === sep ? `${sep}${parts[i - 1]}` : `${path}${sep}${parts[i - 1]}`;
    const st = lstatSync(path);
    if (st.uid !== 0 && st.uid !== uid) {
      throw refusal(
        `${path}, a directory above the socket directory ${dir}, belongs to ${userName(st.uid)}, who could replace what is inside it`,
        `choose a socket directory of your own: ${PRIVATE_DIR}`,
      );
    }
    const othersWrite = (st.mode & 0o022) !== 0;
    const sticky = (st.mode & 0o1000) !== 0;
    if (othersWrite && !sticky) {
      throw refusal(
        `${path}, a directory above the socket directory ${dir}, is writable by other users (mode ${(st.mode & 0o7777).toString(8)}) without the sticky bit, so they could replace the socket directory`,
        `choose a socket directory of your own: ${PRIVATE_DIR}`,
      );
    }
  }
}

/** The symlinks among the components of `path` as written (before resolution). */
function symlinkComponents(path: string): { path: string; st: Stats }[] {
  const out: { path: string; st: Stats }[] = [];
  const parts = path.split(sep).filter(Boolean);
  let prefix = '';
  for (const part of parts) {
    prefix = `${prefix}${sep}${part}`;
    const st = lstatOrUndefined(prefix);
    if (st?.isSymbolicLink()) out.push({ path: prefix, st });
  }
  return out;
}

const PRIVATE_DIR = 'export DEVENV_SOCKET_DIR="$HOME/.devenv-sockets"';

function refusal(message: string, hint: string): UserError {
  return new UserError({ code: UNSAFE_SOCKET_DIR, message, hint }, [
    `or use a private directory instead: ${PRIVATE_DIR}`,
    'devenv talks to its daemon only through a directory that you alone own (docs/troubleshooting.md, "The socket directory is refused")',
  ]);
}

/** `rm -rf DIR`, with `sudo` when the entry is another account's in a sticky directory. */
function removeCommand(path: string, st: Stats, uid: number): string {
  const rm = st.isDirectory() && !st.isSymbolicLink() ? 'rm -rf' : 'rm -f';
  return `${uid !== 0 && st.uid !== uid ? 'sudo ' : ''}${rm} ${shellWord(path)}`;
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./@%+=:,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function readlinkQuiet(path: string): string {
  try {
    return readlinkSync(path);
  } catch {
    return '?';
  }
}

/** `name (uid N)` from /etc/passwd when the account is listed there. */
function userName(uid: number): string {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[2] === String(uid) && f[0]) return `user ${f[0]} (uid ${uid})`;
    }
  } catch {
    // no passwd file (a minimal container): the number says enough
  }
  return `uid ${uid}`;
}
