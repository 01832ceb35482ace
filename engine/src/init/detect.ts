// Every detector over one repository: what `devenv init` found, before any naming or wiring.

import { backingServices, findConnectionUrls } from './backing-services.js';
import type { Findings } from './findings.js';
import { detectNode } from './nodejs-apps.js';
import { detectPython } from './python-apps.js';
import type { RepoFiles } from './repo-files.js';

export function detect(repo: RepoFiles): Findings {
  const notes: string[] = [];
  const python = detectPython(repo, notes);
  const nodeApps = detectNode(repo, notes);
  const urls = findConnectionUrls(repo);
  const backing = backingServices(repo, urls, notes);
  for (const u of urls) {
    if (u.kind === 'redis' && u.url.includes('@')) {
      notes.push(
        `${u.evidence.file}:${u.evidence.line}: the Redis URL carries credentials; the generated Redis has no password, so they are left out`,
      );
      break;
    }
  }
  return { ...python, nodeApps, backing, urls, notes };
}

export function foundNothing(f: Findings): boolean {
  return f.pythonApps.length + f.celeryApps.length + f.migrations.length + f.nodeApps.length + f.backing.length === 0;
}
