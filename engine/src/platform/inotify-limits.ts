// The Linux inotify limits (/proc/sys/fs/inotify/*) the watcher and `devenv doctor` heed.
// Elsewhere (macOS: FSEvents, no such limits) they are undefined.

import { readFileSync } from 'node:fs';

export type InotifyLimit = 'max_user_watches' | 'max_user_instances' | 'max_queued_events';

export function inotifyLimit(name: InotifyLimit): number | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const n = Number(readFileSync(`/proc/sys/fs/inotify/${name}`, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}
