// Where a daemon keeps the last `up`'s timeline: in the project's state directory (0600), so
// `devenv timeline` answers after the daemon ended (a `devenv ci` that took the environment down).

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Timeline } from '../model/timeline.js';

export function timelineFile(stateDir: string): string {
  return join(stateDir, 'timeline.json');
}

/** The timeline a daemon kept, or undefined (none yet, or unreadable). */
export function readTimelineFile(stateDir: string): Timeline | undefined {
  try {
    const parsed = JSON.parse(readFileSync(timelineFile(stateDir), 'utf8')) as Timeline;
    return typeof parsed.id === 'string' && Array.isArray(parsed.spans) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
