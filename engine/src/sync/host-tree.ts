// The host side of a reconcile: the tree under a sync root as TreeEntry records, skipping
// ignored paths without descending into them, and hashing file contents on demand.

import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { readdirBeneath, readFileBeneath } from './host-beneath.js';
import { escapeName, hostPath, linkStaysInside } from './paths.js';
import type { TreeEntry } from './transport.js';
import type { PathFilter } from './watcher.js';

export interface HostWalkResult {
  entries: TreeEntry[];
  /** Human-readable notes (e.g. a symlink leading outside the root, skipped). */
  warnings: string[];
}

/**
 * Walks `root` (not following symlinks, not even one a directory was swapped for during the
 * walk: host-beneath.ts), leaving out what `filter` ignores.
 */
export function walkHostTree(root: string, filter?: PathFilter): HostWalkResult {
  const entries: TreeEntry[] = [];
  const warnings: string[] = [];
  const stack: string[] = [''];
  const realRoot = realRootOf(root);
  while (stack.length > 0) {
    const rel = stack.pop()!;
    const dirAbs = hostPath(root, rel);
    let names: string[];
    try {
      names = readdirBeneath(realRoot, rel);
    } catch {
      continue;
    }
    for (const name of names) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      const abs = `${dirAbs}/${name}`;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch {
        continue;
      }
      const isDir = st.isDirectory();
      if (filter?.ignoresDirect(abs, isDir)) continue;
      const entry = describeHostEntry(childRel, abs, st, warnings);
      if (!entry) continue;
      entries.push(entry);
      if (isDir) stack.push(childRel);
    }
  }
  return { entries, warnings };
}

/** One host path as a TreeEntry; undefined (with a warning) for what sync does not copy. */
export function describeHostEntry(rel: string, abs: string, st: fs.Stats, warnings: string[]): TreeEntry | undefined {
  // Permission bits only: setuid, setgid and sticky never cross into a container.
  const base = { path: rel, mode: st.mode & 0o777, size: st.size, mtimeMs: st.mtimeMs };
  if (st.isDirectory()) return { ...base, kind: 'dir', size: 0 };
  if (st.isFile()) return { ...base, kind: 'file' };
  if (st.isSymbolicLink()) {
    let target: string;
    try {
      target = fs.readlinkSync(abs);
    } catch {
      return undefined;
    }
    if (!linkStaysInside(rel, target)) {
      warnings.push(
        `sync: skipped symlink ${escapeName(rel)} -> ${escapeName(target)}: it leads outside the synced directory`,
      );
      return undefined;
    }
    return { ...base, kind: 'symlink', linkTarget: target };
  }
  warnings.push(`sync: skipped ${escapeName(rel)}: not a regular file, directory or symlink`);
  return undefined;
}

/** SHA-1 of host files (undefined for one that is no longer a readable file); yields every 200 files. */
export async function hashHostFiles(root: string, rels: readonly string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  const realRoot = realRootOf(root);
  for (let i = 0; i < rels.length; i++) {
    if (i > 0 && i % 200 === 0) await new Promise((r) => setImmediate(r));
    const rel = rels[i]!;
    try {
      out.set(rel, createHash('sha1').update(readFileBeneath(realRoot, rel)).digest('hex'));
    } catch {
      out.set(rel, undefined);
    }
  }
  return out;
}

/** The root's own path may pass through symlinks (the user chose it); nothing below it may. */
export function realRootOf(root: string): string {
  try {
    return fs.realpathSync.native(root);
  } catch {
    return root;
  }
}

/** Runs `fn` over items with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
