// The detectors' only window on the repository: a list of its files and their text, read-only.
// `devenv init` reads files and never runs project code; tests hand in an in-memory map.

import { type Dirent, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface RepoFiles {
  /** Every file detection may look at, as `/`-separated paths relative to the repository root, sorted. */
  readonly paths: readonly string[];
  /** The file's text, or undefined when it is missing, unreadable or too large to be source. */
  read(path: string): string | undefined;
  /** Whether a file or directory exists, skipped folders included (`.venv/bin/python`, `node_modules`). */
  exists(path: string): boolean;
  /** What the scan left out because a limit was reached (files, bytes), said as notes. */
  limitsReached(): string[];
}

/** Directories that hold installed packages, build output or tool state, never a service's own code. */
const SKIPPED_DIRS = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  'env',
  '.env',
  '__pycache__',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.tox',
  '.nox',
  'site-packages',
  'dist',
  'build',
  '.next',
  'out',
  'coverage',
  '.devenv',
  '.idea',
  '.cache',
  'target',
  'vendor',
  'bower_components',
  '.gradle',
  '.terraform',
  'Pods',
]);

/** Deep enough for `apps/web/src/app/main.py`; a repository's services sit near its root. */
const MAX_DEPTH = 6;
const MAX_FILES = 20_000;
const MAX_FILE_BYTES = 512 * 1024;
/** All detectors together read at most this much text: a repository's services show in far less. */
const MAX_TOTAL_BYTES = 48 * 1024 * 1024;

/** Walks `root` (skipping dependency and build folders); reads files lazily. */
export function scanRepo(root: string): RepoFiles {
  const paths: string[] = [];
  const walk = (dir: string, rel: string, depth: number) => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (paths.length >= MAX_FILES) return;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      // A `.env` directory is a virtualenv; a `.env` file is what we came for.
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH && !SKIPPED_DIRS.has(entry.name)) walk(join(dir, entry.name), childRel, depth + 1);
      } else if (entry.isFile()) {
        paths.push(childRel);
      }
    }
  };
  walk(root, '', 0);
  paths.sort();
  // Each file is read once: several detectors look at the same manifests and sources.
  const texts = new Map<string, string | undefined>();
  let bytesRead = 0;
  let budgetSpent = false;
  return {
    paths,
    read: (path) => {
      if (texts.has(path)) return texts.get(path);
      let text: string | undefined;
      try {
        const full = join(root, path);
        const size = statSync(full).size;
        if (size <= MAX_FILE_BYTES && bytesRead + size <= MAX_TOTAL_BYTES) {
          const bytes = readFileSync(full);
          bytesRead += bytes.length;
          // A NUL byte near the start: a binary file (an image, a compiled module), not source.
          if (!bytes.subarray(0, 8192).includes(0)) text = bytes.toString('utf8');
        } else if (size <= MAX_FILE_BYTES) {
          budgetSpent = true;
        }
      } catch {
        text = undefined;
      }
      texts.set(path, text);
      return text;
    },
    exists: (path) => existsSync(join(root, path)),
    limitsReached: () => [
      ...(paths.length >= MAX_FILES
        ? [
            `the repository has more than ${MAX_FILES.toLocaleString('en')} files: init looked at the first ${MAX_FILES.toLocaleString('en')} only`,
          ]
        : []),
      ...(budgetSpent
        ? [
            `init read ${MAX_TOTAL_BYTES / 1024 / 1024} MiB of files and skipped the rest: run it in the folder that holds the services`,
          ]
        : []),
    ],
  };
}

/** An in-memory repository for tests: keys are relative paths. */
export function memoryRepo(files: Readonly<Record<string, string>>): RepoFiles {
  return {
    paths: Object.keys(files).sort(),
    read: (path) => files[path],
    exists: (path) => path in files || Object.keys(files).some((p) => p.startsWith(`${path}/`)),
    limitsReached: () => [],
  };
}

/** `a/b/c.py` → `a/b`; a root file → `.`. */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : path.slice(0, i);
}

/** The last segment: `a/b/c.py` → `c.py`. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** `dir` joined with `name`, where `.` is the root. */
export function joinRel(dir: string, name: string): string {
  return dir === '.' ? name : `${dir}/${name}`;
}

/** Whether `path` lies in `dir` (any depth); everything lies in `.`. */
export function isUnder(path: string, dir: string): boolean {
  return dir === '.' || path.startsWith(`${dir}/`);
}

/** 1-based line of the first match of `pattern` in `text`, with the match; undefined when none. */
export function findLine(text: string, pattern: RegExp): { line: number; match: RegExpExecArray } | undefined {
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const match = pattern.exec(line);
    if (match) return { line: i + 1, match };
  }
  return undefined;
}
