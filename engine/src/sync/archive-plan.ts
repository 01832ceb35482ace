// How the archive fallback (docker-transport.ts) carries out one batch, decided without Docker
// so it can be tested alone. The fallback has two instruments, an `rm -rf --` exec and one tar
// extracted by putArchive, and Docker's archive API resolves symlinks inside the container. So
// before anything is sent, every directory on an op's way must be known not to be a symlink
// *when that op is applied*, not merely before the batch: the batch itself changes the answer.
// A symlink `b` replaced on the host by a directory arrives as `delete b`, `mkdir b`, `write
// b/x`: checked against the container as it was, `b/x` would be refused (the bug this file
// fixes: the whole new directory went missing); checked as the batch leaves it, `b` is gone
// (removed by the rm) and then a real directory (made by the tar).
//
// The model, per segment of the batch:
//   1. one rm of, in op order: the deletes, and any non-directory a `mkdir` replaces when later
//      ops go through that path (the agent replaces it too: a directory op rebuilds, it does not
//      merge into a link). An rm path is checked against the container as it is now; one
//      inside a path already removed is dropped (the rm of its ancestor takes it).
//   2. one tar of the writes, mkdirs and symlinks, in op order. Each entry's way is checked
//      against what the rm leaves and what earlier entries of the same tar create: a directory
//      the rm removed is missing (extraction creates it as a real directory), one a `mkdir`
//      entry made is real, one a `symlink` entry made is refused; anything else is stat'ed.
// Deletes run before the extraction. That equals applying the ops in order unless a delete (or
// a replacing mkdir) comes after an entry at or under its path: such a batch is cut into
// segments applied one after the other. SyncSession never sends one (parents first, a delete
// before the mkdir of the same path), so its batches cost one rm and one putArchive.

import { escapeName, parentOf } from './paths.js';
import type { OpError, SyncOp } from './transport.js';

/** What is at a path in the container (lstat, never followed); undefined when nothing is. */
export type ContainerKind = 'dir' | 'symlink' | 'other' | undefined;

export interface ArchivePlan {
  /** Paths for one `rm -rf --`, in this order (deletes and replaced non-directories). */
  remove: string[];
  /** The delete ops of the segment (the rm's outcome is theirs), redundant ones included. */
  deletes: SyncOp[];
  /** Writes, mkdirs and symlinks for one tar, in this order. */
  extract: SyncOp[];
  /**
   * Entries of `extract` whose way is safe only because the rm removed something on it: if the
   * rm fails they must not be extracted (a symlink there may still be in place).
   */
  needsRemoval: Set<SyncOp>;
  /** Ops refused (a symlink on the way, or deletions impossible without `rm`). */
  errors: OpError[];
}

/** Proper ancestors of a relative path, outermost first: `a/b/c` → `a`, `a/b`. */
function ancestors(rel: string): string[] {
  const out: string[] = [];
  for (let d = parentOf(rel); d !== ''; d = parentOf(d)) out.push(d);
  return out.reverse();
}

/**
 * Cuts a batch where applying deletes before extraction would reorder it: before a delete or
 * mkdir whose path has an earlier write/mkdir/symlink of the current segment at or under it.
 */
export function archiveSegments(ops: readonly SyncOp[]): SyncOp[][] {
  const segments: SyncOp[][] = [];
  let current: SyncOp[] = [];
  // Paths of this segment's extracted entries and all their ancestors.
  let touched = new Set<string>();
  for (const op of ops) {
    if ((op.op === 'delete' || op.op === 'mkdir') && touched.has(op.path)) {
      segments.push(current);
      current = [];
      touched = new Set();
    }
    current.push(op);
    if (op.op !== 'delete') {
      touched.add(op.path);
      for (const d of ancestors(op.path)) touched.add(d);
    }
  }
  if (current.length > 0) segments.push(current);
  return segments;
}

/**
 * Plans one segment (see archiveSegments). `stat` tells what is in the container now, before
 * this segment; it is asked at most once per path and only about paths that matter.
 * `canRemove` is false when the container has no `rm`: deletes are refused, and a non-directory
 * in the way is never assumed replaced.
 */
export async function planArchiveSegment(
  ops: readonly SyncOp[],
  stat: (rel: string) => Promise<ContainerKind>,
  canRemove: boolean,
): Promise<ArchivePlan> {
  const plan: ArchivePlan = { remove: [], deletes: [], extract: [], needsRemoval: new Set(), errors: [] };
  const cache = new Map<string, Promise<ContainerKind>>();
  const kindNow = (rel: string): Promise<ContainerKind> => {
    let k = cache.get(rel);
    if (!k) {
      k = stat(rel);
      cache.set(rel, k);
    }
    return k;
  };
  // Removed by the rm (with everything under them).
  const removed = new Set<string>();
  const isRemoved = (rel: string): boolean => {
    if (removed.size === 0) return false;
    for (let d = rel; d !== ''; d = parentOf(d)) if (removed.has(d)) return true;
    return false;
  };
  // What earlier tar entries make at a path (extraction replaces whatever was there).
  const made = new Map<string, 'dir' | 'file' | 'symlink'>();
  // Directories that later ops go through: a mkdir of one of these must not merge into a link.
  const onTheWay = new Set<string>();
  for (const op of ops) for (const d of ancestors(op.path)) onTheWay.add(d);

  const refuse = (op: SyncOp, at: string) =>
    plan.errors.push({
      path: op.path,
      op: op.op,
      code: 'ESYMLINK',
      message: `'${escapeName(at)}' is a symlink in the container; refusing to follow it`,
    });

  /** A symlink on the way of an rm operand, as the container is before the rm. */
  const linkBeforeRemoval = async (rel: string): Promise<string | undefined> => {
    for (const d of ancestors(rel)) if ((await kindNow(d)) === 'symlink') return d;
    return undefined;
  };

  /** A symlink on the way of a tar entry, as the rm and the earlier entries leave it. */
  const linkAtExtraction = async (rel: string): Promise<{ link?: string; relied: boolean; blocked: boolean }> => {
    let relied = false;
    for (const d of ancestors(rel)) {
      const m = made.get(d);
      if (m === 'symlink') return { link: d, relied, blocked: true };
      // A file an earlier entry made: this entry fails there (ENOTDIR), following nothing; and
      // what the container had below it is no longer what Docker would resolve: ask no more.
      if (m === 'file') return { relied, blocked: true };
      // Removed by the rm: missing at extraction, so created as a real directory (by an entry
      // or by the extraction itself), but only if the rm worked.
      const gone = isRemoved(d);
      if (gone) relied = true;
      if (m === 'dir' || gone) continue;
      const k = await kindNow(d);
      if (k === 'symlink') return { link: d, relied, blocked: true };
    }
    return { relied, blocked: false };
  };

  for (const op of ops) {
    if (op.op === 'delete') {
      plan.deletes.push(op);
      if (!canRemove) {
        plan.errors.push({
          path: op.path,
          op: 'delete',
          code: 'ENODELETE',
          message: 'no way to delete in this container',
        });
        continue;
      }
      if (isRemoved(op.path)) continue; // already taken by the rm of an ancestor (or itself)
      const link = await linkBeforeRemoval(op.path);
      if (link !== undefined) {
        refuse(op, link);
        continue;
      }
      plan.remove.push(op.path);
      removed.add(op.path);
      continue;
    }
    const { link, relied, blocked } = await linkAtExtraction(op.path);
    if (link !== undefined) {
      refuse(op, link);
      continue;
    }
    if (relied) plan.needsRemoval.add(op);
    if (op.op === 'mkdir') {
      let real = true;
      if (!blocked && onTheWay.has(op.path) && !made.has(op.path) && !isRemoved(op.path)) {
        const k = await kindNow(op.path);
        if (k !== undefined && k !== 'dir') {
          // A link or file stands where this directory goes and later ops go through it:
          // replace it first (as the agent does) instead of trusting the way to be real.
          if (canRemove && (await linkBeforeRemoval(op.path)) === undefined) {
            plan.remove.push(op.path);
            removed.add(op.path);
          } else {
            real = false; // leave `made` unset: what comes under it is stat'ed and refused
          }
        }
      }
      if (real) made.set(op.path, 'dir');
    } else {
      made.set(op.path, op.op === 'write' ? 'file' : 'symlink');
    }
    plan.extract.push(op);
  }
  return plan;
}
