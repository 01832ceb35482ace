// Client libraries of backing services, read from dependency files: requirements*.txt,
// pyproject.toml, Pipfile, setup.cfg and setup.py (install_requires), package.json, go.mod,
// Gemfile, pom.xml and build.gradle. Each file is read line by line, so every library found
// has the line that declares it.

import { type Ecosystem, kindOfLibrary } from './backing-kinds.js';
import type { ClientLibrary } from './findings.js';
import { baseName, type RepoFiles } from './repo-files.js';

/** A dependency file's ecosystem, by its name; undefined for any other file. */
export function dependencyFileEcosystem(path: string): Ecosystem | undefined {
  const name = baseName(path);
  if (/^requirements.*\.(txt|in)$/.test(name) || /(^|\/)requirements\/[^/]+\.(txt|in)$/.test(path)) return 'python';
  if (['pyproject.toml', 'Pipfile', 'setup.cfg', 'setup.py'].includes(name)) return 'python';
  if (name === 'package.json') return 'npm';
  if (name === 'go.mod') return 'go';
  if (name === 'Gemfile') return 'ruby';
  if (['pom.xml', 'build.gradle', 'build.gradle.kts'].includes(name)) return 'maven';
  return undefined;
}

/** Every client library of a backing service that the repository's dependency files declare. */
export function findClientLibraries(repo: RepoFiles): ClientLibrary[] {
  const found: ClientLibrary[] = [];
  for (const file of repo.paths) {
    const ecosystem = dependencyFileEcosystem(file);
    if (!ecosystem) continue;
    const text = repo.read(file);
    if (text === undefined) continue;
    const names = ecosystem === 'npm' ? npmDependencies(text) : undefined;
    for (const [i, line] of text.split('\n').entries()) {
      for (const name of packagesOnLine(ecosystem, line, names)) {
        const kind = kindOfLibrary(ecosystem, name);
        if (!kind) continue;
        // One entry per kind and line: `celery[redis]` and `redis` on one line are one piece of evidence.
        if (found.some((f) => f.kind === kind && f.evidence.file === file && f.evidence.line === i + 1)) continue;
        found.push({ kind, name, evidence: { file, line: i + 1, note: `depends on ${name}` } });
      }
    }
  }
  return found;
}

/** The package names a line of a dependency file declares (candidates; the catalog decides which matter). */
export function packagesOnLine(ecosystem: Ecosystem, rawLine: string, npmNames?: Set<string>): string[] {
  // Long lines are minified or generated: nothing a person declared.
  const line = rawLine.length > 2000 ? '' : rawLine;
  switch (ecosystem) {
    case 'python':
      return pythonRequirements(line);
    case 'npm':
      // Keys of the dependency maps only (a script or the package's own name is not one).
      return [...line.matchAll(/"((?:@[\w.-]+\/)?[\w.-]+)"\s*:\s*"/g)]
        .map((m) => m[1] as string)
        .filter((key) => npmNames?.has(key));
    case 'go': {
      const m = /^\s*(?:require\s+)?([a-z0-9.-]+\.[a-z]+\/[\w./-]+)\s+v\d/.exec(line);
      return m ? [m[1] as string] : [];
    }
    case 'ruby': {
      const m = /^\s*gem\s+["']([\w.-]+)["']/.exec(line);
      return m ? [m[1] as string] : [];
    }
    case 'maven': {
      const artifact = /<artifactId>\s*([\w.-]+)\s*<\/artifactId>/.exec(line)?.[1];
      if (artifact) return [artifact];
      // Gradle: implementation 'group:artifact:version' (or "group:artifact" with a platform).
      const gradle = /["']([\w.-]+):([\w.-]+)(?::[^"']*)?["']/.exec(line);
      return gradle && /\b(implementation|api|compile|runtimeOnly|compileOnly)\b/.test(line)
        ? [gradle[2] as string]
        : [];
    }
  }
}

/** The keys of dependencies, devDependencies, optionalDependencies and peerDependencies. */
function npmDependencies(text: string): Set<string> {
  try {
    const pkg = JSON.parse(text) as Record<string, unknown>;
    const names = new Set<string>();
    for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) {
      const deps = pkg[field];
      if (deps && typeof deps === 'object' && !Array.isArray(deps)) for (const k of Object.keys(deps)) names.add(k);
    }
    return names;
  } catch {
    return new Set();
  }
}

/** A requirement (`redis>=5`, `celery[redis]`, `psycopg[binary]; python_version>"3.8"`) as a name and its extras. */
const REQUIREMENT = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?\s*(?:[<>=!~^][^;]*|@.*)?(?:;.*)?$/;

/**
 * Python requirements on a line: a requirements-file line or setup.cfg continuation (`redis>=5`),
 * a quoted requirement (pyproject.toml and setup.py lists: `"redis>=5",`), or a Pipfile/Poetry
 * key (`redis = "^5"`). Extras count as names too: `celery[redis]` needs a Redis.
 */
function pythonRequirements(line: string): string[] {
  const trimmed = line.replace(/\s#.*$/, '').trim();
  if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('-') || trimmed.startsWith('[')) return [];
  const candidates: string[] = [];
  for (const m of trimmed.matchAll(/["']([^"']+)["']/g)) candidates.push((m[1] as string).trim());
  const key = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*["'{]/.exec(trimmed);
  if (key) candidates.push(key[1] as string);
  else if (!/^["']/.test(trimmed) && !/[=(]\s*["']?$/.test(trimmed)) candidates.push(trimmed.replace(/,$/, ''));
  const names: string[] = [];
  for (const c of candidates) {
    const m = REQUIREMENT.exec(c);
    if (!m) continue;
    names.push(m[1] as string);
    for (const extra of (m[2] ?? '').split(',')) if (extra.trim()) names.push(extra.trim());
  }
  return names;
}
