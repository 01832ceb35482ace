// The loader's only window on the disk, read-only: the language server validates as the user
// types and must never write, and tests can hand in a fake.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';

export interface ConfigFs {
  isFile(path: string): boolean;
  isDirectory(path: string): boolean;
  /** File contents, or undefined when it cannot be read. */
  readText(path: string): string | undefined;
  /** Entry names of a directory, or [] when it cannot be read. */
  list(dir: string): string[];
}

export const nodeFs: ConfigFs = {
  isFile: (path) => existsSync(path) && statSync(path).isFile(),
  isDirectory: (path) => existsSync(path) && statSync(path).isDirectory(),
  readText: (path) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  list: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
};

/**
 * An in-memory disk for tests: keys are absolute file paths (a key ending in `/` is an empty
 * directory); every ancestor of a file is a directory.
 */
export function memoryFs(entries: Readonly<Record<string, string>>): ConfigFs {
  const files = new Map<string, string>();
  const dirs = new Set<string>(['/']);
  for (const [path, content] of Object.entries(entries)) {
    const clean = path.endsWith('/') ? path.slice(0, -1) : path;
    if (path.endsWith('/')) dirs.add(clean);
    else files.set(clean, content);
    for (let p = clean; p.lastIndexOf('/') > 0; ) {
      p = p.slice(0, p.lastIndexOf('/'));
      dirs.add(p);
    }
  }
  return {
    isFile: (path) => files.has(path),
    isDirectory: (path) => dirs.has(path.replace(/\/$/, '') || '/'),
    readText: (path) => files.get(path),
    list: (dir) => {
      const prefix = dir.endsWith('/') ? dir : `${dir}/`;
      const names = new Set<string>();
      for (const p of [...files.keys(), ...dirs]) {
        if (p.startsWith(prefix) && p.length > prefix.length) names.add(p.slice(prefix.length).split('/')[0] as string);
      }
      return [...names];
    },
  };
}
