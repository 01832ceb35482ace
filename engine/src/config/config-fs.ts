// The loader's only window on the disk, read-only: the language server validates as the user
// types and must never write, and tests can hand in a fake.

import { existsSync, readdirSync, statSync } from 'node:fs';
import type { Problem } from '../errors.js';
import { readRegularFile } from '../shared/read-bounded.js';
import { ConfigCode } from './codes.js';

export interface ConfigFs {
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  /** File contents, or undefined when it cannot be read (missing, too large, not text). */
  readText(path: string): string | undefined;
  /** Why readText gave nothing for a path that exists; undefined when it is simply missing. */
  whyUnreadable?(path: string): FileProblem | undefined;
  /** Entry names of a directory, or [] when it cannot be read. */
  list(dir: string): string[];
}

export interface FileProblem {
  code: string;
  /** Reads after the path: `is a named pipe (FIFO), not a regular file`. */
  message: string;
  /** Where in the file, for bytes that are not text. */
  line?: number;
  col?: number;
}

type Decoded = { text: string } | { problem: FileProblem };

/** Bounded, regular files only, strict UTF-8 without NUL (config-text rules of read-bounded.ts). */
function readChecked(path: string): Decoded | undefined {
  const read = readRegularFile(path);
  if (!read.ok) {
    return read.reason === 'missing'
      ? undefined
      : { problem: { code: ConfigCode.fileUnreadable, message: read.detail } };
  }
  return decodeConfigText(read.bytes);
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The text, or where the first byte that is not UTF-8 (or a NUL) sits. */
export function decodeConfigText(bytes: Uint8Array): Decoded {
  let text: string | undefined;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = undefined;
  }
  const bad = text === undefined ? firstInvalidUtf8(bytes) : bytes.indexOf(0);
  if (bad < 0 && text !== undefined) return { text: text.replace(/^\uFEFF/, '') };
  const before = Buffer.from(bytes.subarray(0, bad)).toString('utf8');
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const col = [...before.slice(lineStart)].length + 1;
  const byte = bytes[bad] ?? 0;
  return {
    problem: {
      code: ConfigCode.encoding,
      message:
        byte === 0
          ? 'holds a NUL byte: it is not a text file'
          : `is not valid UTF-8 (byte 0x${byte.toString(16).padStart(2, '0')}); save it as UTF-8`,
      line,
      col,
    },
  };
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i]!;
    const need =
      b < 0x80 ? 0 : b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (need === 0) {
      i++;
      continue;
    }
    const tail = bytes.subarray(i + 1, i + 1 + need);
    if (tail.length < need || tail.some((t) => (t & 0xc0) !== 0x80)) return i;
    try {
      strictUtf8.decode(bytes.subarray(i, i + 1 + need)); // overlong forms and surrogates
    } catch {
      return i;
    }
    i += 1 + need;
  }
  return -1;
}

/** The file's text; or a problem (what is wrong, where) for one that exists but cannot serve. */
export function readForLoader(fs: ConfigFs, path: string): { text: string } | { missing: true } | { problem: Problem } {
  const text = fs.readText(path);
  if (text !== undefined) return { text };
  const why = fs.whyUnreadable?.(path);
  if (!why) return { missing: true };
  return {
    problem: {
      code: why.code,
      message: `${path} ${why.message}`,
      ...(why.line !== undefined ? { location: { file: path, line: why.line, col: why.col ?? 1 } } : {}),
      hint:
        why.code === ConfigCode.encoding
          ? 'save the file as UTF-8 text, without NUL bytes'
          : 'point at a regular text file (a Compose or .env file is a few kB)',
    },
  };
}

export const nodeFs: ConfigFs = {
  isFile: (path) => existsSync(path) && statSync(path).isFile(),
  isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
  readText: (path) => {
    const read = readChecked(path);
    return read && 'text' in read ? read.text : undefined;
  },
  whyUnreadable: (path) => {
    const read = readChecked(path);
    return read && 'problem' in read ? read.problem : undefined;
  },
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/**
 * An in-memory disk for tests: keys are absolute file paths (a key ending in `/` is an empty
 * directory); every ancestor of a file is a directory.
 */
export function memoryFs(entries: Readonly<Record<string, string>>): ConfigFs {
  const files = new Map<string, string>();
  const dirs = new Set<string>(['/']);
  for (const [path, content] of Object.entries(entries)) {
    const clean = path.endsWith('/') ? path.slice(0, -1) : path;
    if (path.endsWith('/')) dirs.add(clean);
    else files.set(clean, content);
    for (let p = clean; p.lastIndexOf('/') > 0; ) {
      p = p.slice(0, p.lastIndexOf('/'));
      dirs.add(p);
    }
  }
  return {
    isFile: (path) => files.has(path),
    isDirectory: (path) => dirs.has(path.replace(/\/$/, '') || '/'),
    readText: (path) => files.get(path),
    list: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const p of [...files.keys(), ...dirs]) {
        if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split('/')[0] as string);
      }
      return [...names];
    },
  };
}
