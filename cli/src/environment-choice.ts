// Which existing environment a command that acts on one (down, status, logs, restart, …) means,
// from the user's registry of environments (engine/src/protocol/environment-registry.ts) and the
// Compose file found from the working directory. Pure, so every rule has a unit test.
//
//  - `-f` given: the files say it (the registry only adds how it was run).
//  - `-p NAME`: the recorded environment of that name; the one in this directory when several
//    share the name; several elsewhere is ambiguous (say which, with `--project-dir`); none
//    recorded: the Compose file found here under that name, as before.
//  - `--project-dir DIR`: the environment recorded for that directory (and name, if given).
//  - neither: the Compose file found here, with the files it was brought up from when it was
//    recorded (`up -f a.yaml -f b.yaml` then `down` in the same directory).

import { resolve } from 'node:path';
import type { EnvironmentEntry, ProjectIdentity } from '@devenv/engine/protocol';
import { normaliseProjectName } from '@devenv/engine/protocol';

export interface Selection {
  file?: string[];
  projectDir?: string;
  projectName?: string;
}

export type EnvironmentChoice =
  | { kind: 'recorded'; entry: EnvironmentEntry }
  /** What the working directory (or `-f`) resolves to, `local` (undefined: nothing found). */
  | { kind: 'local' }
  | { kind: 'ambiguous'; name: string; entries: EnvironmentEntry[] }
  | { kind: 'unknown'; name: string };

export function chooseEnvironment(
  sel: Selection,
  local: ProjectIdentity | undefined,
  entries: readonly EnvironmentEntry[],
  cwd: string = process.cwd(),
): EnvironmentChoice {
  const same = (e: EnvironmentEntry, id: ProjectIdentity) => e.projectDir === id.projectDir && e.project === id.name;
  const matchingLocal = local ? entries.find((e) => same(e, local)) : undefined;
  if (sel.file?.length)
    return matchingLocal ? { kind: 'recorded', entry: { ...matchingLocal, files: local!.files } } : { kind: 'local' };

  const name = sel.projectName === undefined ? undefined : normaliseProjectName(sel.projectName);
  const dir = sel.projectDir === undefined ? undefined : resolve(cwd, sel.projectDir);
  if (name === undefined && dir === undefined) {
    return matchingLocal ? { kind: 'recorded', entry: matchingLocal } : { kind: 'local' };
  }
  if (matchingLocal) return { kind: 'recorded', entry: matchingLocal };
  const candidates = entries.filter(
    (e) => (name === undefined || e.project === name) && (dir === undefined || e.projectDir === dir),
  );
  // A Compose file found here decides between several; `--project-dir` alone names a directory
  // whose own file (if any) is `local`.
  if (local && (name === undefined || candidates.length === 0)) return { kind: 'local' };
  if (candidates.length === 1) return { kind: 'recorded', entry: candidates[0]! };
  if (candidates.length > 1) return { kind: 'ambiguous', name: name ?? dir!, entries: candidates };
  return local ? { kind: 'local' } : { kind: 'unknown', name: name ?? dir! };
}
