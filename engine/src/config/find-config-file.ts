// Which files a project is made of when no `-f` is given: the first of compose.yaml,
// compose.yml, docker-compose.yml, docker-compose.yaml in the directory (or the nearest parent
// that has one, as Compose does), plus its override file when present.

import { dirname, join } from 'node:path';
import { type ConfigFs, nodeFs } from './config-fs.js';

export const CONFIG_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;

export const OVERRIDE_FILE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

/** The config file in `dir` itself (no parent search), in Compose's order of preference. */
export function findConfigFile(dir: string, fs: ConfigFs = nodeFs): string | undefined {
  for (const name of CONFIG_FILE_NAMES) {
    const path = join(dir, name);
    if (fs.isFile(path)) return path;
  }
  return undefined;
}

/** The override file next to a config file, if any. */
export function findOverrideFile(dir: string, fs: ConfigFs = nodeFs): string | undefined {
  for (const name of OVERRIDE_FILE_NAMES) {
    const path = join(dir, name);
    if (fs.isFile(path)) return path;
  }
  return undefined;
}

/** `dir` (or, with `climb`, its nearest ancestor) holding a config file: [config, override?]. */
export function discoverConfigFiles(dir: string, fs: ConfigFs = nodeFs, climb = true): string[] | undefined {
  for (let current = dir; ; current = dirname(current)) {
    const found = findConfigFile(current, fs);
    if (found) {
      const override = findOverrideFile(current, fs);
      return override ? [found, override] : [found];
    }
    if (!climb || dirname(current) === current) return undefined;
  }
}
