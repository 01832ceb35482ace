// The backing services a repository needs, from what detection found: client libraries in its
// dependency files and connections in its code and config. One service per host name the code
// uses for a kind (`redis://cache` and `Redis(host='queue')` are two Redis servers), named after
// that host so the code's own host name resolves; the kind's usual name when every connection is
// local (`localhost`) or names no host.

import { isServiceHost, signalsOf } from './backing-kinds.js';
import { authority, isPrivateEnvFile } from './connection-hints.js';
import type { BackingKind, BackingService, ClientLibrary, Connection, Evidence } from './findings.js';
import { baseName, dirOf, type RepoFiles } from './repo-files.js';

/** Defaults when no connection says: the user and database apps of that kind usually start with. */
const DEFAULT_CREDENTIALS: Record<BackingKind, { user: string; password: string; database: string }> = {
  postgres: { user: 'postgres', password: '', database: 'postgres' },
  mysql: { user: 'app', password: 'devenv', database: 'app' },
  mariadb: { user: 'app', password: 'devenv', database: 'app' },
  redis: { user: '', password: '', database: '' },
  mongodb: { user: '', password: '', database: '' },
  rabbitmq: { user: 'guest', password: 'guest', database: '' },
  kafka: { user: '', password: '', database: '' },
  elasticsearch: { user: '', password: '', database: '' },
};

/** Kinds whose credentials init carries into the generated server (the others run without any). */
const WITH_CREDENTIALS = new Set<BackingKind>(['postgres', 'mysql', 'mariadb', 'mongodb', 'rabbitmq']);

export function backingServices(
  repo: RepoFiles,
  libraries: readonly ClientLibrary[],
  found: readonly Connection[],
  notes: string[],
): BackingService[] {
  // MariaDB is reached with MySQL's clients and URLs: a repository that names MariaDB runs MariaDB.
  const mariadb = [...libraries, ...found].some((x) => x.kind === 'mariadb');
  const kindOf = (k: BackingKind): BackingKind => (k === 'mysql' && mariadb ? 'mariadb' : k);
  const kinds = [...new Set([...found.map((c) => kindOf(c.kind)), ...libraries.map((l) => kindOf(l.kind))])];
  const order = ['postgres', 'mysql', 'mariadb', 'mongodb', 'redis', 'rabbitmq', 'kafka', 'elasticsearch'];
  kinds.sort((a, b) => order.indexOf(a) - order.indexOf(b));

  const out: BackingService[] = [];
  for (const kind of kinds) {
    const connections = found.filter((c) => kindOf(c.kind) === kind).map((c) => ({ ...c, kind }));
    const libraryEvidence = libraries.filter((l) => kindOf(l.kind) === kind).map((l) => l.evidence);
    const hosts = [...new Set(connections.map((c) => c.host).filter(isServiceHost))];
    const names = hosts.length > 0 ? hosts : [signalsOf(kind).defaultName];
    for (const [i, name] of names.entries()) {
      // Connections to this host; those naming no host of their own (localhost, a variable) reach the first.
      const mine = connections.filter((c) => c.host === name || (i === 0 && !isServiceHost(c.host)));
      out.push(backingService(repo, kind, name, mine, libraryEvidence, i === 0, notes));
    }
  }
  return out;
}

function backingService(
  repo: RepoFiles,
  kind: BackingKind,
  name: string,
  connections: Connection[],
  libraryEvidence: Evidence[],
  first: boolean,
  notes: string[],
): BackingService {
  const defaults = DEFAULT_CREDENTIALS[kind];
  const service: BackingService = {
    kind,
    name,
    ...defaults,
    hostPort: connections.find((c) => c.port !== undefined && !isServiceHost(c.host))?.port ?? signalsOf(kind).port,
    connections,
    evidence: dedupe([...connections.map((c) => c.evidence), ...libraryEvidence]),
  };
  const hardCoded = connections.find((c) => isServiceHost(c.host) && !c.variable && !isEnvOrConfig(c.evidence.file));
  if (hardCoded) service.hardCodedHost = hardCoded.evidence;
  if (WITH_CREDENTIALS.has(kind)) Object.assign(service, credentials(kind, connections, notes));
  const buildDir = first ? imageFolder(repo, kind, name) : undefined;
  if (buildDir) {
    service.buildDir = buildDir.dir;
    service.evidence.push(buildDir.evidence);
  }
  return service;
}

/**
 * User, password and database for the generated server, so that it accepts what the app sends.
 * Values the code writes out without a variable win: init cannot change them, only match them.
 * Then the most authoritative file (`.env.example` before `.env` before settings before code).
 * A password from a private `.env` is never copied into compose.yaml (it is committed).
 */
function credentials(
  kind: BackingKind,
  connections: Connection[],
  notes: string[],
): Partial<Pick<BackingService, 'user' | 'password' | 'database'>> {
  const fixed = (c: Connection) => (c.variable === undefined && !isEnvOrConfig(c.evidence.file) ? 0 : 1);
  const ranked = [...connections].sort(
    (a, b) => fixed(a) - fixed(b) || authority(a.evidence.file) - authority(b.evidence.file),
  );
  // The user, password and database of one URL or one client call belong together: take them from one source.
  const source =
    ranked.find((c) => c.user !== undefined || c.password !== undefined) ??
    ranked.find((c) => c.database !== undefined);
  const out: Partial<Pick<BackingService, 'user' | 'password' | 'database'>> = {};
  const user = source?.user ?? ranked.find((c) => c.variable?.holds === 'user' && c.user)?.user;
  const password = source?.password ?? ranked.find((c) => c.variable?.holds === 'password' && c.password)?.password;
  const database = source?.database ?? ranked.find((c) => c.variable?.holds === 'database' && c.database)?.database;
  if (user) out.user = user;
  if (database && !(kind === 'rabbitmq' && database === '%2F')) out.database = database;
  else if (user && kind === 'postgres') out.database = user;
  if (password !== undefined) {
    const from = source?.password !== undefined ? source : ranked.find((c) => c.password === password);
    out.password = password;
    if (password && password !== 'devenv' && from && isPrivateEnvFile(from.evidence.file)) {
      out.password = 'devenv';
      notes.push(
        `${from.evidence.file}:${from.evidence.line} holds a ${signalsOf(kind).label} password; compose.yaml does not copy it: the generated server uses "devenv" unless you set the variable compose.yaml names for it in .env`,
      );
    }
  }
  return out;
}

/** Env files, Dockerfiles and config files: values there are settings the generated file can replace. */
function isEnvOrConfig(file: string): boolean {
  const name = baseName(file);
  return (
    /^\.env(\..+)?$/.test(name) ||
    name.endsWith('.env') ||
    /^(Dockerfile|Containerfile)/.test(name) ||
    /\.(ya?ml|properties|ini|toml|cfg|conf|json)$/.test(name)
  );
}

/** A `postgres/Dockerfile` (or `docker/redis/Dockerfile`) that builds the server: used instead of the registry's image. */
function imageFolder(
  repo: RepoFiles,
  kind: BackingKind,
  name: string,
): { dir: string; evidence: Evidence } | undefined {
  const sql = kind === 'postgres' || kind === 'mysql' || kind === 'mariadb';
  const names = new Set([kind, name, signalsOf(kind).defaultName, ...(sql ? ['db', 'database'] : [])]);
  if (kind === 'postgres') names.add('postgresql');
  const word = signalsOf(kind).keyword;
  for (const path of repo.paths) {
    if (baseName(path) !== 'Dockerfile' || path.split('/').length > 3) continue;
    if (!names.has(baseName(dirOf(path)))) continue;
    const text = repo.read(path) ?? '';
    // The image or package it installs, possibly on a continuation line of a RUN.
    const line = text.split('\n').findIndex((l) => !/^\s*#/.test(l) && word.test(l));
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
