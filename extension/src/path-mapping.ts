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
 * js-debug's attach takes one localRoot/remoteRoot pair. Choose the widest mapping that agrees
 * with all the others (e.g. `frontend → /app` covers `frontend/src → /app/src`); when the
 * mappings disagree, the first (most specific) one.
 */
export function singleRoot(mappings: readonly PathMapping[]): PathMapping | undefined {
  const widestFirst = [...mappings].sort((a, b) => a.localRoot.length - b.localRoot.length);
  for (const candidate of widestFirst) {
    if (mappings.every((m) => toRemote(m.localRoot, [candidate]) === m.remoteRoot)) return candidate;
  }
  return mappings[0];
}

function under(path: string, root: string): string | undefined {
  if (path === root) return '';
  const prefix = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(prefix) ? path.slice(prefix.length) : undefined;
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
