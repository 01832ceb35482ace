// Postgres and Redis, from the connection URLs a repository carries: `.env` files, settings
// modules, code defaults (`os.environ.get("REDIS_URL", "redis://…")`) and Dockerfiles.

import type { BackingKind, BackingService, ConnectionUrl, Evidence } from './findings.js';
import { baseName, dirOf, type RepoFiles } from './repo-files.js';

const URL_PATTERN = /\b(postgres(?:ql)?(?:\+\w+)?|rediss?):\/\/[^\s'"`),;]*/;

/** Where a variable name sits on a line that holds a URL, most specific first. */
const VARIABLE_PATTERNS: RegExp[] = [
  /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*["']?(?:postgres|redis)/,
  /environ(?:\.get)?[([]\s*["'](\w+)["']/,
  /getenv\(\s*["'](\w+)["']/,
  /process\.env\.(\w+)/,
  /process\.env\[\s*["'](\w+)["']\s*\]/,
  /^\s*ENV\s+(\w+)[=\s]/,
  /^\s*(\w+)\s*:\s*\w+\s*=\s*["'](?:postgres|redis)/,
];

/** Files worth reading for URLs: env files, settings and app code, Docker files, config files. */
function isCandidate(path: string): boolean {
  const name = baseName(path);
  if (/^\.env(\..+)?$/.test(name) || name.endsWith('.env')) return true;
  if (/^(Dockerfile|Containerfile)(\..+)?$/.test(name) || name.endsWith('.Dockerfile')) return true;
  if (/(^|\/)(tests?|__tests__|migrations)\//.test(path)) return false;
  return /\.(py|[cm]?[jt]s|ini|toml|cfg|conf|ya?ml|properties)$/.test(name) && !name.endsWith('.min.js');
}

/** How much a URL's source says about the intended setup: an example env file beats a code default. */
function authority(file: string): number {
  const name = baseName(file);
  if (/^\.env\.(example|sample|template|dist|defaults)$/.test(name)) return 0;
  if (name === '.env' || /^\.env\./.test(name)) return 1;
  if (/settings|config/i.test(file)) return 2;
  return 3;
}

export function findConnectionUrls(repo: RepoFiles): ConnectionUrl[] {
  const found: ConnectionUrl[] = [];
  for (const file of repo.paths.filter(isCandidate)) {
    const text = repo.read(file);
    if (!text || !/postgres|redis/.test(text)) continue;
    for (const [i, line] of text.split('\n').entries()) {
      const m = URL_PATTERN.exec(line);
      if (!m) continue;
      const url = m[0];
      const kind: BackingKind = (m[1] as string).startsWith('redis') ? 'redis' : 'postgres';
      const entry: ConnectionUrl = { kind, url, evidence: { file, line: i + 1, note: shorten(line.trim()) } };
      const variable = variableOn(line);
      if (variable) entry.variable = variable;
      found.push(entry);
    }
  }
  // Django's settings name the engine without a URL.
  for (const file of repo.paths.filter((p) => p.endsWith('.py'))) {
    const text = repo.read(file);
    if (!text?.includes('django.db.backends.postgresql')) continue;
    const line = text.split('\n').findIndex((l) => l.includes('django.db.backends.postgresql')) + 1;
    if (!found.some((u) => u.kind === 'postgres')) {
      found.push({
        kind: 'postgres',
        url: 'postgresql://',
        evidence: { file, line, note: 'Django postgresql engine' },
      });
    }
  }
  return found.sort((a, b) => authority(a.evidence.file) - authority(b.evidence.file));
}

function variableOn(line: string): string | undefined {
  if (/dj_database_url|\benv\.db\(/.test(line)) return 'DATABASE_URL';
  for (const pattern of VARIABLE_PATTERNS) {
    const m = pattern.exec(line);
    if (!m) continue;
    const name = m[1] as string;
    // A pydantic field (`redis_url: str = "redis://…"`) is read from the upper-cased variable.
    if (/^[a-z]/.test(name) && pattern === VARIABLE_PATTERNS[6]) return name.toUpperCase();
    if (/^[A-Z][A-Z0-9_]*$/.test(name)) return name;
  }
  return undefined;
}

function shorten(line: string): string {
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}

/** One Postgres and one Redis at most, with credentials from the most authoritative URL. */
export function backingServices(repo: RepoFiles, urls: ConnectionUrl[], notes: string[]): BackingService[] {
  const out: BackingService[] = [];
  for (const kind of ['postgres', 'redis'] as const) {
    const mine = urls.filter((u) => u.kind === kind);
    if (mine.length === 0) continue;
    const service: BackingService = {
      kind,
      user: kind === 'postgres' ? 'postgres' : '',
      password: '',
      database: kind === 'postgres' ? 'postgres' : '',
      hostPort: kind === 'postgres' ? 5432 : 6379,
      evidence: dedupe(mine.map((u) => u.evidence)),
    };
    // A templated URL (`${DB_USER}`, `<password>`) shows the service, not its credentials.
    const source = mine.find((u) => !/[$<>{}]/.test(u.url) && parseUrl(u.url) !== undefined);
    const parsed = source && parseUrl(source.url);
    if (parsed?.port) service.hostPort = parsed.port;
    if (source && parsed && kind === 'postgres') {
      if (parsed.user) service.user = parsed.user;
      service.password = parsed.password;
      // A password from a private env file may be a real one: compose.yaml is committed, so it gets a stand-in.
      if (parsed.password && parsed.password !== 'devenv' && authority(source.evidence.file) === 1) {
        service.password = 'devenv';
        notes.push(
          `${source.evidence.file}:${source.evidence.line} holds a database password; compose.yaml does not copy it: the generated Postgres uses \${POSTGRES_PASSWORD:-devenv} (set POSTGRES_PASSWORD in .env to choose)`,
        );
      }
      if (parsed.path) service.database = parsed.path;
      else if (parsed.user) service.database = parsed.user;
    }
    const buildDir = imageFolder(repo, kind);
    if (buildDir) {
      service.buildDir = buildDir.dir;
      service.evidence.push(buildDir.evidence);
    }
    out.push(service);
  }
  return out;
}

/** A `postgres/Dockerfile` (or `docker/redis/Dockerfile`) that builds the server: used instead of the registry's image. */
function imageFolder(repo: RepoFiles, kind: BackingKind): { dir: string; evidence: Evidence } | undefined {
  const names = kind === 'postgres' ? ['postgres', 'postgresql', 'db', 'database'] : ['redis'];
  for (const path of repo.paths) {
    if (baseName(path) !== 'Dockerfile' || path.split('/').length > 3) continue;
    if (!names.includes(baseName(dirOf(path)))) continue;
    const text = repo.read(path) ?? '';
    // The image or package it installs, possibly on a continuation line of a RUN.
    const line = text.split('\n').findIndex((l) => !/^\s*#/.test(l) && l.toLowerCase().includes(kind));
    if (line >= 0) return { dir: dirOf(path), evidence: { file: path, line: line + 1, note: `builds ${kind}` } };
  }
  return undefined;
}

function dedupe(evidence: Evidence[]): Evidence[] {
  const seen = new Set<string>();
  return evidence.filter((e) => {
    const key = `${e.file}:${e.line}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export interface ParsedUrl {
  scheme: string;
  user: string;
  password: string;
  host: string;
  port?: number;
  /** Without the leading `/`. */
  path: string;
}

export function parseUrl(url: string): ParsedUrl | undefined {
  const m = /^([\w+]+):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?#]*)(?::(\d+))?(?:\/([^?#]*))?/.exec(url);
  if (!m?.[4]) return undefined;
  const out: ParsedUrl = {
    scheme: m[1] as string,
    user: decode(m[2] ?? ''),
    password: decode(m[3] ?? ''),
    host: m[4],
    path: m[6] ?? '',
  };
  if (m[5]) out.port = Number(m[5]);
  return out;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
