// Reading host paths beneath a sync root without following a symlink anywhere on the way, the
// host-side twin of the agent's openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS). Node has no
// openat, so: the last component is opened with O_NOFOLLOW, and the opened descriptor's real
// path (/proc/self/fd on Linux) must be exactly root/rel, which it is not when any parent was
// a symlink at the moment of opening. Without /proc (macOS) every parent is lstat'ed before the
// open and again after it, and the descriptor must be the inode lstat saw. A file swapped for a
// link to ~/.ssh/id_rsa is then refused instead of copied into a container.

import * as fs from 'node:fs';

const procFd = process.platform === 'linux' && fs.existsSync('/proc/self/fd');
const NOFOLLOW = fs.constants.O_NOFOLLOW ?? 0;
const NONBLOCK = fs.constants.O_NONBLOCK ?? 0;
const DIRECTORY = fs.constants.O_DIRECTORY ?? 0;

/** An error like the ones fs throws, so callers keep their `code` checks. */
function errno(code: string, path: string, what: string): NodeJS.ErrnoException {
  const err = new Error(`${code}: ${what}, ${path}`) as NodeJS.ErrnoException;
  err.code = code;
  err.path = path;
  return err;
}

function joinBeneath(realRoot: string, rel: string): string {
  return rel === '' ? realRoot : `${realRoot}/${rel}`;
}

/**
 * Opens `realRoot/rel` (realRoot: the root's realpath) refusing any symlink on the way: ELOOP
 * when one is there. The caller closes the descriptor.
 */
export function openBeneath(realRoot: string, rel: string, directory: boolean): number {
  const abs = joinBeneath(realRoot, rel);
  const before = procFd ? undefined : lstatParents(realRoot, rel, abs);
  let fd: number;
  try {
    fd = fs.openSync(abs, fs.constants.O_RDONLY | NOFOLLOW | NONBLOCK | (directory ? DIRECTORY : 0));
  } catch (err) {
    // O_DIRECTORY on a symlink says ENOTDIR: call it what it is.
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR' && isSymlink(abs)) throw errno('ELOOP', abs, 'is a symlink');
    throw err;
  }
  try {
    if (procFd) {
      if (fs.readlinkSync(`/proc/self/fd/${fd}`) !== abs) throw errno('ELOOP', abs, 'a parent is a symlink');
    } else {
      const after = lstatParents(realRoot, rel, abs);
      const st = fs.fstatSync(fd);
      const same = before!.every((b, i) => b.ino === after[i]!.ino && b.dev === after[i]!.dev);
      const last = after[after.length - 1];
      if (!same || !last || last.ino !== st.ino || last.dev !== st.dev) {
        throw errno('ELOOP', abs, 'a parent changed while it was opened');
      }
    }
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

function isSymlink(path: string): boolean {
  try {
    return fs.lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** lstat of every component from the root down to `abs`; ELOOP at a symlink among the parents. */
function lstatParents(realRoot: string, rel: string, abs: string): fs.Stats[] {
  const out: fs.Stats[] = [];
  let at = realRoot;
  const parts = rel === '' ? [] : rel.split('/');
  for (let i = 0; i < parts.length; i++) {
    at = `${at}/${parts[i]}`;
    const st = fs.lstatSync(at);
    if (i < parts.length - 1 && st.isSymbolicLink()) throw errno('ELOOP', abs, 'a parent is a symlink');
    out.push(st);
  }
  return out;
}

/** The content of a regular file beneath the root (EISDIR / EINVAL for anything else). */
export function readFileBeneath(realRoot: string, rel: string): Buffer {
  const fd = openBeneath(realRoot, rel, false);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw errno('EISDIR', joinBeneath(realRoot, rel), 'is a directory');
    if (!st.isFile()) throw errno('EINVAL', joinBeneath(realRoot, rel), 'not a regular file');
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Entry names of a directory beneath the root. */
export function readdirBeneath(realRoot: string, rel: string): string[] {
  const fd = openBeneath(realRoot, rel, true);
  try {
    // The descriptor's own directory: /proc/self/fd/N, or (without /proc) the path just verified.
    return fs.readdirSync(procFd ? `/proc/self/fd/${fd}` : joinBeneath(realRoot, rel));
  } finally {
    fs.closeSync(fd);
  }
}
