// A private copy of the reference stack (compose/reference + example/) in a temp directory, so a
// test can edit the app's files (live sync, breakpoints after reload) without touching the repo.

import { chmodSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export interface ReferenceCopy {
  root: string;
  compose: string;
  hostCa: string;
  backend: string;
  frontend: string;
  edit(relToRoot: string, change: (text: string) => string): void;
}

export function copyReferenceStack(label: string): ReferenceCopy {
  const root = mkdtempSync(join(tmpdir(), `devenv-${label}-`));
  chmodSync(root, 0o711); // postgres (another user on the process runtime) must reach its data directory
  cpSync(join(repoRoot, 'compose', 'reference'), join(root, 'compose', 'reference'), {
    recursive: true,
    filter: (src) => !src.includes(`${join('compose', 'reference', '.devenv')}`),
  });
  cpSync(join(repoRoot, 'example'), join(root, 'example'), {
    recursive: true,
    filter: (src) => !/\/(node_modules|__pycache__|\.devenv|dist)(\/|$)/.test(src),
  });
  return {
    root,
    compose: join(root, 'compose', 'reference', 'compose.yaml'),
    hostCa: join(root, 'compose', 'reference', 'compose.host-ca.yaml'),
    backend: join(root, 'example', 'backend'),
    frontend: join(root, 'example', 'frontend'),
    edit(rel, change) {
      const file = join(root, rel);
      writeFileSync(file, change(readFileSync(file, 'utf8')));
    },
  };
}
