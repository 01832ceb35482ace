// Which Compose files make the workspace's project: the `devenv.configFiles` setting, else a
// compose file at the folder's root (the CLI then finds it itself), else the shallowest one
// in the workspace (e.g. compose/reference/compose.yaml in this repository).

import { isAbsolute, join, relative, sep } from 'node:path';

export function chooseConfigFiles(
  setting: readonly string[] | undefined,
  folder: string,
  found: readonly string[],
): string[] {
  if (setting && setting.length > 0) return setting.map((f) => (isAbsolute(f) ? f : join(folder, f)));
  const depth = (f: string) => relative(folder, f).split(sep).length;
  const candidates = found.filter((f) => !relative(folder, f).split(sep).includes('node_modules'));
  if (candidates.length === 0) return [];
  const best = [...candidates].sort((a, b) => depth(a) - depth(b) || rank(a) - rank(b) || a.localeCompare(b))[0]!;
  return [best];
}

const NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

function rank(f: string): number {
  const i = NAMES.findIndex((n) => f.endsWith(`${sep}${n}`));
  return i < 0 ? NAMES.length : i;
}
