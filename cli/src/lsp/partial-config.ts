// Which Compose files are checked on their own. An override file (a later `-f`, or one named
// `*.override.yaml`) holds only the keys it changes, so checking it alone would report
// "neither image nor build" for every service it touches: those are left unchecked until
// the checker can see the files they are merged onto (see docs/vscode.md).

import { basename, resolve } from 'node:path';

export function isPartialConfig(file: string, projectFiles: readonly string[]): boolean {
  const path = resolve(file);
  const index = projectFiles.findIndex((f) => resolve(f) === path);
  if (index > 0) return true;
  if (index === 0) return false;
  return /\.override\.ya?ml$/.test(basename(path));
}
