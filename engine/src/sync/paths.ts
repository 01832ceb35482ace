// Path rules shared by the host side of sync: every path that crosses to a container is
// relative, POSIX, and free of `..`; names are shown escaped but synced byte for byte.

import path from 'node:path';

/** Why a relative path was refused, or undefined when it is acceptable. */
export function checkRelativePath(rel: string): string | undefined {
  if (rel.length === 0) return 'empty path';
  if (rel.startsWith('/')) return 'absolute path';
  if (rel.includes('\0')) return 'NUL byte in path';
  for (const part of rel.split('/')) {
    if (part === '') return 'empty path component';
    if (part === '.' || part === '..') return `'${part}' component`;
  }
  return undefined;
}

/** True when `rel` may be sent to a container. */
export function isSafeRelativePath(rel: string): boolean {
  return checkRelativePath(rel) === undefined;
}

/**
 * Whether a symlink at `linkRel` (relative to the sync root) whose target is `target`
 * resolves to a place inside the root. Absolute targets never do, and `..` may only lead the
 * target: after a name, which may itself be a link (`d/l3 -> ..`), the kernel climbs from
 * wherever that link led, so `d/l4 -> l3/../..` leaves the root though it looks as if it stays.
 * The agent applies the same rule (link_stays_inside in devenv-sync-agent.c).
 */
export function linkStaysInside(linkRel: string, target: string): boolean {
  if (target.length === 0 || target.startsWith('/') || target.includes('\0')) return false;
  let depth = linkRel.split('/').length - 1;
  let named = false;
  for (const part of target.split('/')) {
    if (part === '..') {
      if (named) return false;
      depth -= 1;
      if (depth < 0) return false;
    } else if (part !== '' && part !== '.') {
      named = true;
    }
  }
  return true;
}

/** Shows a file name with control characters, backslashes and quotes escaped (for logs only). */
export function escapeName(name: string): string {
  let out = '';
  for (const ch of name) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code < 0xa0)) {
      out += `\\x${code.toString(16).padStart(2, '0')}`;
    } else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else out += ch;
  }
  return out;
}

/** `abs` relative to `root` in POSIX form, or undefined when it is not inside (or is) the root. */
export function relativeInside(root: string, abs: string): string | undefined {
  if (abs === root) return '';
  const prefix = root.endsWith(path.sep) ? root : root + path.sep;
  if (!abs.startsWith(prefix)) return undefined;
  const rel = abs.slice(prefix.length);
  return path.sep === '/' ? rel : rel.split(path.sep).join('/');
}

/** Joins a POSIX relative path under a host root. */
export function hostPath(root: string, rel: string): string {
  return rel === '' ? root : path.join(root, ...rel.split('/'));
}

/** Parent of a POSIX relative path ('' for top-level names). */
export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

/**
 * Orders paths so that a directory always comes before anything inside it, and deeper paths
 * come after shallower ones of the same branch: component-wise lexical order.
 */
export function compareParentsFirst(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca === 47) return -1; // '/' sorts before every other character
    if (cb === 47) return 1;
    return ca - cb;
  }
  return a.length - b.length;
}
