// Compares a host tree with a container tree: what to send, what to delete, and which files
// are equal in kind, size and mode so that only their content hashes can tell.

import { compareParentsFirst, parentOf } from './paths.js';
import type { TreeEntry } from './transport.js';

export interface TreeDiff {
  /** Host paths the container lacks or has differently: send them. */
  send: string[];
  /** Container paths the host does not have (top-most only: a removed directory takes its contents). */
  remove: string[];
  /** Files alike in kind, size and mode whose content must be compared by hash. */
  compare: string[];
}

export interface DiffOptions {
  /** Treat equal size + mode + mtime (to the millisecond) as equal content, like rsync's quick check. */
  trustMtime?: boolean;
}

export function diffTrees(host: readonly TreeEntry[], remote: readonly TreeEntry[], opts: DiffOptions = {}): TreeDiff {
  const remoteByPath = new Map(remote.map((e) => [e.path, e]));
  const hostByPath = new Map(host.map((e) => [e.path, e]));
  const send: string[] = [];
  const compare: string[] = [];
  for (const h of host) {
    if (h.kind === 'other') continue;
    const r = remoteByPath.get(h.path);
    if (!r || r.kind !== h.kind) {
      send.push(h.path);
      continue;
    }
    if (h.kind === 'dir') {
      if ((h.mode & 0o7777) !== (r.mode & 0o7777)) send.push(h.path);
    } else if (h.kind === 'symlink') {
      if (h.linkTarget !== r.linkTarget) send.push(h.path);
    } else if (h.size !== r.size || (h.mode & 0o7777) !== (r.mode & 0o7777)) {
      send.push(h.path);
    } else if (h.hash !== undefined && r.hash !== undefined) {
      if (h.hash !== r.hash) send.push(h.path);
    } else if (!(opts.trustMtime && Math.floor(h.mtimeMs) === Math.floor(r.mtimeMs))) {
      compare.push(h.path);
    }
  }
  const remove: string[] = [];
  const gone = new Set<string>();
  for (const r of [...remote].sort((a, b) => compareParentsFirst(a.path, b.path))) {
    if (hostByPath.has(r.path) && hostByPath.get(r.path)!.kind !== 'other') continue;
    if (coveredByAncestor(r.path, gone, hostByPath)) continue;
    gone.add(r.path);
    remove.push(r.path);
  }
  send.sort(compareParentsFirst);
  compare.sort(compareParentsFirst);
  return { send, remove, compare };
}

/** An ancestor already removed, or replaced by a host non-directory, takes this path with it. */
function coveredByAncestor(p: string, gone: ReadonlySet<string>, host: ReadonlyMap<string, TreeEntry>): boolean {
  for (let dir = parentOf(p); dir !== ''; dir = parentOf(dir)) {
    if (gone.has(dir)) return true;
    const h = host.get(dir);
    if (h && h.kind !== 'dir') return true;
  }
  return false;
}
