// Every detector over one repository: what `devenv init` found, before any naming or wiring.

import { backingServices } from './backing-services.js';
import { findConnections } from './connection-hints.js';
import { findClientLibraries } from './dependency-files.js';
import type { Findings } from './findings.js';
import { detectNode } from './nodejs-apps.js';
import { detectPython } from './python-apps.js';
import type { RepoFiles } from './repo-files.js';

export function detect(repo: RepoFiles): Findings {
  const notes: string[] = [];
  const python = detectPython(repo, notes);
  const nodeApps = detectNode(repo, notes);
  const libraries = findClientLibraries(repo);
  const connections = findConnections(repo, libraries);
  const backing = backingServices(repo, libraries, connections, notes);
  const redisLogin = connections.find((c) => c.kind === 'redis' && c.url?.includes('@'));
  if (redisLogin) {
    notes.push(
      `${redisLogin.evidence.file}:${redisLogin.evidence.line}: the Redis URL carries credentials; the generated Redis has no password, so they are left out`,
    );
  }
  notes.push(...repo.limitsReached());
  return { ...python, nodeApps, backing, notes };
}

export function foundNothing(f: Findings): boolean {
  return f.pythonApps.length + f.celeryApps.length + f.migrations.length + f.nodeApps.length + f.backing.length === 0;
}
