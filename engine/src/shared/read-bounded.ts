// Reading a file the user named (a Compose file, a `.env`, an env_file) without trusting what it
// is: opened non-blocking so a FIFO cannot hang the reader, refused unless it is a regular file,
// and refused above a size limit, so `-f /dev/zero` or a 10 GB file ends in a clear error and
// not in an exhausted heap. Shared by the config loader, the language server and the clients.

import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';

/**
 * Compose files and env files larger than this are refused (real ones are a few kB; the largest
 * seen in the wild are near 200 kB). A file of this size made of the smallest possible keys
 * (40,000 of them) loads in ~1.5 s and ~200 MB on a 2-core machine: every load stays within
 * 5 s and 300 MB.
 */
export const MAX_CONFIG_FILE_BYTES = 512 * 1024;

export type BoundedRead =
  | { ok: true; bytes: Buffer }
  | { ok: false; reason: 'missing' | 'not-a-file' | 'too-large' | 'unreadable'; detail: string };

export function readRegularFile(path: string, maxBytes: number = MAX_CONFIG_FILE_BYTES): BoundedRead {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { ok: false, reason: 'missing', detail: 'does not exist' };
    if (code === 'EISDIR') return { ok: false, reason: 'not-a-file', detail: 'is a directory, not a file' };
    return { ok: false, reason: 'unreadable', detail: `cannot be read (${code ?? String(err)})` };
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return { ok: false, reason: 'not-a-file', detail: `is ${describeKind(st)}, not a regular file` };
    if (st.size > maxBytes) {
      return {
        ok: false,
        reason: 'too-large',
        detail: `is ${megabytes(st.size)}; the limit is ${megabytes(maxBytes)}`,
      };
    }
    // The size may grow while it is read (a log being written): never read past the limit.
    let buf = Buffer.alloc(Math.min(st.size, maxBytes) + 1);
    let got = 0;
    for (;;) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
      if (got < buf.length) continue;
      if (buf.length > maxBytes) {
        return { ok: false, reason: 'too-large', detail: `grew past ${megabytes(maxBytes)} while it was read` };
      }
      const bigger = Buffer.alloc(Math.min(buf.length * 2, maxBytes + 1));
      buf.copy(bigger);
      buf = bigger;
    }
    return { ok: true, bytes: buf.subarray(0, got) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, reason: 'unreadable', detail: `cannot be read (${code ?? String(err)})` };
  } finally {
    closeSync(fd);
  }
}

function describeKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function megabytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(n / 1024)} kB`;
}
