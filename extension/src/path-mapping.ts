// Local ↔ container paths for debuggers, from DebugEndpoint.pathMappings (the sync mapping):
// a breakpoint set in the local file binds in the container because the debugger is told
// where that file lives remotely. Paths are POSIX inside containers; local roots may be
// relative to the workspace folder.

import { isAbsolute, join, posix } from 'node:path';
import type { DebugEndpoint } from '@devenv/engine';

export type PathMapping = DebugEndpoint['pathMappings'][number];

/** Absolute local roots, longest first (the most specific mapping wins, as debugpy applies them). */
export function resolveMappings(mappings: readonly PathMapping[], folder: string): PathMapping[] {
  return mappings
    .map((m) => ({
      localRoot: trimSlash(isAbsolute(m.localRoot) ? m.localRoot : join(folder, m.localRoot)),
      remoteRoot: trimSlash(m.remoteRoot),
    }))
    .sort((a, b) => b.localRoot.length - a.localRoot.length);
}

/** Where a local file is in the container, or undefined when no mapping covers it. */
export function toRemote(localPath: string, mappings: readonly PathMapping[]): string | undefined {
  for (const m of mappings) {
    const rel = under(localPath, m.localRoot);
    if (rel !== undefined) return rel === '' ? m.remoteRoot : posix.join(m.remoteRoot, rel);
  }
  return undefined;
}

/** Where a container file is locally, or undefined when no mapping covers it. */
export function toLocal(remotePath: string, mappings: readonly PathMapping[]): string | undefined {
  const byRemote = [...mappings].sort((a, b) => b.remoteRoot.length - a.remoteRoot.length);
  for (const m of byRemote) {
    const rel = under(remotePath, m.remoteRoot);
    if (rel !== undefined) return rel === '' ? m.localRoot : join(m.localRoot, rel);
  }
  return undefined;
}

/**
 * js-debug's attach takes one localRoot/remoteRoot pair. Find the most specific pair that all
 * mappings agree with: `frontend/src → /app/src` and `frontend/vite.config.js → /app/vite.config.js`
 * (a single-file sync rule) both say `frontend → /app`. When they disagree, the pair most of them
 * imply; when no two agree, the first (most specific) mapping.
 */
export function singleRoot(mappings: readonly PathMapping[]): PathMapping | undefined {
  if (mappings.length === 0) return undefined;
  // Every pair each mapping implies, counted once per mapping; the pair the most mappings agree
  // on wins, the more specific on a tie (a stray mapping, say a mounted file, cannot veto the rest).
  const votes = new Map<string, { pair: PathMapping; count: number }>();
  for (const m of mappings) {
    for (const pair of roots(m)) {
      const key = `${pair.localRoot}\0${pair.remoteRoot}`;
      const v = votes.get(key) ?? { pair, count: 0 };
      v.count += 1;
      votes.set(key, v);
    }
  }
  const segments = (p: PathMapping) => p.localRoot.split('/').length;
  const best = [...votes.values()].sort((a, b) => b.count - a.count || segments(b.pair) - segments(a.pair))[0];
  return best && best.count > 1 ? best.pair : mappings[0];
}

/** A mapping and the wider pairs it implies, dropping common trailing segments: most specific first. */
function roots(m: PathMapping): PathMapping[] {
  const local = m.localRoot.split('/');
  const remote = m.remoteRoot.split('/');
  const out: PathMapping[] = [m];
  while (local.length > 1 && remote.length > 1 && local.at(-1) === remote.at(-1) && local.at(-1) !== '') {
    local.pop();
    remote.pop();
    out.push({ localRoot: local.join('/') || '/', remoteRoot: remote.join('/') || '/' });
  }
  return out;
}

function under(path: string, root: string): string | undefined {
  if (path === root) return '';
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
