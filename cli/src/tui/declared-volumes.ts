// The reset dialog names the volumes whose data a reset deletes. The daemon protocol does not
// report volumes yet, so read the top-level `volumes:` of the project's Compose files (cheaply,
// like project-identity reads `name:`) and name them the way the Docker runtime does
// (`<project>_<key>`; external volumes are never deleted). Undefined when unreadable.

import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export function declaredVolumes(files: string[], project: string): string[] | undefined {
  const names = new Map<string, boolean>();
  try {
    for (const file of files) {
      const doc = parse(readFileSync(file, 'utf8')) as { volumes?: Record<string, { external?: unknown } | null> };
      if (!doc || typeof doc !== 'object' || !doc.volumes || typeof doc.volumes !== 'object') continue;
      for (const [key, spec] of Object.entries(doc.volumes)) {
        // A later file overrides an earlier one, as Compose merges them.
        names.set(key, Boolean(spec && typeof spec === 'object' && spec.external));
      }
    }
  } catch {
    return undefined;
  }
  return [...names]
    .filter(([, external]) => !external)
    .map(([key]) => `${project}_${key}`)
    .sort();
}
