// Where a repository's code and config reach backing services: connection URLs
// (`mongodb://mongo:27017/app`), hosts given to a client (`Redis(host='redis')`, Django's
// `'HOST': 'db'`, a YAML `redis:` block's `host: cache`), `host:port` broker lists
// (`bootstrap_servers='kafka:9092'`) and the variables that carry any of them (`REDIS_HOST=cache`,
// `os.environ.get("MONGO_URL")`). Lines are read as text; nothing is imported or run.

import { BACKING_KINDS, signalsOf } from './backing-kinds.js';
import { parseUrl, urlsOnLine } from './connection-url.js';
import type { BackingKind, ClientLibrary, Connection, Evidence, VariableRole } from './findings.js';
import { baseName, type RepoFiles } from './repo-files.js';

/** Longer lines are minified or generated code: skipped, which also bounds the work per line. */
const MAX_LINE = 2000;

/** Files worth reading: env files, settings, code, Docker files, config files. */
export function isConnectionSource(path: string): boolean {
  const name = baseName(path);
  if (/^\.env(\..+)?$/.test(name) || name.endsWith('.env')) return true;
  if (/^(Dockerfile|Containerfile)(\..+)?$/.test(name) || name.endsWith('.Dockerfile')) return true;
  if (/(^|\/)(tests?|__tests__|spec|migrations)\//.test(path)) return false;
  if (/^(package|composer)(-lock)?\.json$|^(yarn\.lock|pnpm-lock\.yaml|Pipfile\.lock|poetry\.lock|go\.sum)$/.test(name))
    return false;
  if (/\.min\.js$|\.map$/.test(name)) return false;
  return /\.(py|[cm]?[jt]sx?|json|ini|toml|cfg|conf|ya?ml|properties|rb|go|java|kt|php)$/.test(name);
}

/** How much a connection's file says about the intended setup: an example env file beats a code default. */
export function authority(file: string): number {
  const name = baseName(file);
  if (/^\.env\.(example|sample|template|dist|defaults)$/.test(name)) return 0;
  if (name === '.env' || /^\.env\./.test(name)) return 1;
  if (/settings|config/i.test(file)) return 2;
  return 3;
}

/** A private env file (`.env`, `.env.local`): its secrets are the developer's own, never copied into compose.yaml. */
export function isPrivateEnvFile(file: string): boolean {
  return authority(file) === 1;
}

export function findConnections(repo: RepoFiles, libraries: readonly ClientLibrary[]): Connection[] {
  const sqlKinds = new Set(
    libraries.map((l) => l.kind).filter((k) => k === 'postgres' || k === 'mysql' || k === 'mariadb'),
  );
  const found: Connection[] = [];
  for (const file of repo.paths.filter(isConnectionSource)) {
    const text = repo.read(file);
    if (!text || !mentionsBackingService(text)) continue;
    found.push(...new SourceFile(file, text, sqlKinds.size === 1 ? [...sqlKinds][0] : undefined).connections());
  }
  return found.sort((a, b) => authority(a.evidence.file) - authority(b.evidence.file));
}

const ANY_KEYWORD = new RegExp(
  `${BACKING_KINDS.map((k) => k.keyword.source).join('|')}|:9092|:9200|django\\.db\\.backends|DB_|DATABASE_`,
  'i',
);

function mentionsBackingService(text: string): boolean {
  return ANY_KEYWORD.test(text);
}

/** `NAME_HOST`, `PGHOST`, `APP_REDIS_URL`: a prefix that names a kind (or a database), and what it holds. */
const VARIABLE_ROLES: [RegExp, VariableRole][] = [
  [/^(URL|URI|DSN|CONNECTION_STRING|CONN)$/, 'url'],
  [/^(HOST|HOSTNAME|SERVER|SERVICE_HOST)$/, 'host'],
  [/^(ADDR|ADDRESS|BROKERS?|BOOTSTRAP_SERVERS|SERVERS|NODES?|HOSTS)$/, 'address'],
  [/^PORT$/, 'port'],
  [/^(USER|USERNAME|LOGIN)$/, 'user'],
  [/^(PASSWORD|PASS|PASSWD|PWD)$/, 'password'],
  [/^(NAME|DB|DATABASE|DBNAME|VHOST|VIRTUAL_HOST)$/, 'database'],
];

/** Where code reads a variable, with the default it gives (`os.environ.get("REDIS_HOST", "redis")`). */
const READ_SITES: RegExp[] = [
  /environ(?:\.get)?[([]\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*(?:[,)\]]\s*["']([^"']*)["'])?/,
  /getenv\(\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*(?:,\s*["']([^"']*)["'])?/,
  /process\.env\.([A-Za-z_][A-Za-z0-9_]*)\s*(?:(?:\|\||\?\?)\s*["'`]([^"'`]*)["'`])?/,
  /process\.env\[\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*\]\s*(?:(?:\|\||\?\?)\s*["'`]([^"'`]*)["'`])?/,
  /ENV(?:\.fetch\(|\[)\s*["']([A-Za-z_][A-Za-z0-9_]*)["']\s*(?:[,\]]\s*["']([^"']*)["'])?/,
];
/**
 * Where a line sets a name to a literal: `NAME=value` in an env file, `ENV NAME value` in a
 * Dockerfile, `REDIS_HOST = "cache"` in code (a constant there: the host is hard-coded).
 */
const SET_SITES: RegExp[] = [
  /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*[=:]\s*(?:["']([^"']*)["']\s*[,;]?|([^\s"'#()[\]{};]*))\s*(?:#.*)?$/,
  /^\s*ENV\s+([A-Za-z_][A-Za-z0-9_]*)[=\s]\s*["']?([^"'\s]*)/,
];

/** A `host` key or argument with a literal value: `host='redis'`, `"HOST": "db"`, `redis_host: "cache"`. */
const HOST_KEY = /(?:^|[\s,({'"])["']?[\w.-]*?(?:host|hostname|server)["']?\s*[=:]\s*["'`]([\w.-]+)["'`]/i;
/** In config files a value needs no quotes: `host: cache`, `spring.data.redis.host=cache`. */
const HOST_KEY_BARE =
  /(?:^|[\s,({'"])["']?[\w.-]*?(?:host|hostname|server)["']?\s*[=:]\s*(?:["'`]([\w.-]+)["'`]|([\w.-]+)\s*$)/i;
/** The host as a client constructor's first argument: `Redis('cache')`, `MongoClient('mongo', 27017)`. */
const POSITIONAL_HOST: [RegExp, BackingKind][] = [
  [/\b(?:Strict)?Redis\(\s*["']([\w.-]+)["']/, 'redis'],
  [/\bMongoClient\(\s*["']([\w.-]+)["']/, 'mongodb'],
  [/\bConnectionParameters\(\s*["']([\w.-]+)["']/, 'rabbitmq'],
];
const ADDRESS = /["'`]([a-z][\w.-]*):(\d{2,5})["'`]|(?:^|=)\s*([a-z][\w.-]*):(\d{2,5})\s*$/i;

/** One source file's lines, with what tells which backing service a `host` there belongs to. */
class SourceFile {
  private readonly lines: string[];
  /** The kinds whose client the file imports: `import redis`, `require('mongoose')`. */
  private readonly imported: BackingKind[];
  /** An env file or Dockerfile: `NAME=value` there sets a variable (in code it is a constant). */
  private readonly envFile: boolean;
  /** A YAML, properties, INI or TOML file, where values need no quotes (`host: cache`). */
  private readonly configFile: boolean;

  constructor(
    private readonly file: string,
    text: string,
    /** The one SQL database the dependency files name, for `DB_HOST` and `database:` blocks. */
    private readonly sqlKind: BackingKind | undefined,
  ) {
    this.lines = text.split('\n');
    this.envFile = isEnvFile(file);
    this.configFile = /\.(ya?ml|properties|ini|toml|cfg|conf)$/.test(file);
    this.imported = BACKING_KINDS.filter((k) =>
      [...k.imports.python, ...k.imports.js].some((name) =>
        new RegExp(
          `^\\s*(?:from|import)\\s+${escapeRegExp(name)}\\b|require\\(\\s*["']${escapeRegExp(name)}["']\\s*\\)|from\\s+["']${escapeRegExp(name)}["']`,
          'm',
        ).test(text),
      ),
    ).map((k) => k.kind);
  }

  connections(): Connection[] {
    const out: Connection[] = [];
    for (const [i, line] of this.lines.entries()) {
      if (line.length > MAX_LINE || /^\s*(#|\/\/|\*|<!--)/.test(line)) continue;
      out.push(...this.onLine(i, line));
    }
    return out;
  }

  private onLine(i: number, line: string): Connection[] {
    const evidence: Evidence = { file: this.file, line: i + 1, note: shorten(line.trim()) };
    const urls = urlsOnLine(line);
    const out: Connection[] = [];
    for (const u of urls) {
      const c: Connection = { kind: u.kind, url: u.url, evidence };
      const parsed = parseUrl(u.url);
      if (parsed) Object.assign(c, credentialsOf(parsed));
      const name = urlVariable(line, this.envFile);
      if (name) c.variable = { name, holds: 'url' };
      out.push(c);
    }
    if (urls.length > 0) return out;

    const variable = this.variableOn(i, line);
    if (variable?.kind) {
      out.push(this.variableConnection(variable.kind, variable.name, variable.role, variable.value, evidence));
      return out;
    }
    const django = /django\.db\.backends\.(postgresql|mysql)/.exec(line);
    if (django) {
      out.push({ kind: django[1] === 'mysql' ? 'mysql' : 'postgres', ...this.blockFields(i), evidence });
      return out;
    }
    for (const [pattern, kind] of POSITIONAL_HOST) {
      const host = pattern.exec(line)?.[1];
      if (host && !host.includes('://')) return [{ kind, host, ...this.blockFields(i, false), evidence }];
    }
    const hostKey = (this.configFile || this.envFile ? HOST_KEY_BARE : HOST_KEY).exec(line);
    const host = hostKey?.[1] ?? hostKey?.[2];
    if (host && /[a-z]/i.test(host)) {
      const kind = this.kindAround(i);
      if (kind) {
        const fields = this.blockFields(i);
        const c: Connection = { kind, ...fields, host, evidence };
        if (kind === 'kafka' && !fields.port) c.port = signalsOf('kafka').port;
        out.push(c);
      }
      return out;
    }
    const address = ADDRESS.exec(line);
    if (address && !line.includes('://')) {
      const addressHost = (address[1] ?? address[3]) as string;
      const port = Number(address[2] ?? address[4]);
      const kind = port === 9092 ? 'kafka' : this.kindAround(i);
      if (kind === 'kafka') out.push({ kind, host: addressHost, port, evidence });
    }
    return out;
  }

  /**
   * A variable read or set on the line whose name says which backing service it reaches and what
   * it holds. Names set in code are constants, not variables: they tell the kind, not what to set.
   */
  private variableOn(
    i: number,
    line: string,
  ): { name?: string; role: VariableRole; kind?: BackingKind; value?: string } | undefined {
    const sites: [RegExp, boolean][] = [
      ...READ_SITES.map((r): [RegExp, boolean] => [r, true]),
      ...SET_SITES.map((r): [RegExp, boolean] => [r, this.envFile]),
    ];
    for (const [site, isVariable] of sites) {
      const m = site.exec(line);
      if (!m) continue;
      const name = m[1] as string;
      const parsed = parseVariableName(name);
      if (!parsed) continue;
      // `redis_url: str` or `redis_url=redis_url` in code: a name, not a URL; a URL on the line was taken already.
      if (!isVariable && parsed.role === 'url') continue;
      const value = m[2] || m[3] || undefined;
      // DB_HOST and its like name no kind: the block around says which, else the one SQL database in use.
      const kind = parsed.kind ?? (parsed.role === 'url' ? undefined : (this.kindAround(i) ?? this.sqlKind));
      return {
        role: parsed.role,
        ...(isVariable ? { name } : {}),
        ...(kind ? { kind } : {}),
        ...(value ? { value } : {}),
      };
    }
    return undefined;
  }

  private variableConnection(
    kind: BackingKind,
    name: string | undefined,
    role: VariableRole,
    value: string | undefined,
    evidence: Evidence,
  ): Connection {
    const c: Connection = { kind, evidence };
    if (name) c.variable = { name, holds: role };
    if (value === undefined || /[$<>{}()]/.test(value)) return c;
    switch (role) {
      case 'host':
      case 'address': {
        const first = value.split(',')[0] as string;
        const [host, port] = first.split(':');
        if (host && /^[\w.-]+$/.test(host)) c.host = host;
        if (port && /^\d+$/.test(port)) c.port = Number(port);
        break;
      }
      case 'port':
        if (/^\d+$/.test(value)) c.port = Number(value);
        break;
      case 'user':
        c.user = value;
        break;
      case 'password':
        c.password = value;
        break;
      case 'database':
        c.database = value;
        break;
      case 'url':
        break;
    }
    return c;
  }

  /**
   * The kind a `host` on line `i` belongs to: named on the line itself, on the block's opening
   * line (`r = redis.Redis(`, `redis:`), on a sibling line (Django's `'ENGINE': '…postgresql'`),
   * one block further out; else the one client the file imports, when the block is a call.
   */
  private kindAround(i: number): BackingKind | undefined {
    const line = this.lines[i] as string;
    const own = this.kindOnLine(line);
    if (own) return own;
    // Top-level lines share no block: a `host` there names its kind on its own line or not at all.
    if (indentOf(line) === 0) return undefined;
    const block = this.block(i);
    for (const text of [block.parent, block.siblings.join('\n'), block.grandparent]) {
      if (text === undefined) continue;
      const kind = this.kindOnLine(text);
      if (kind) return kind;
    }
    const call = block.parent !== undefined && /\(\s*\{?\s*$|\(\s*$/.test(block.parent);
    return call && this.imported.length === 1 ? this.imported[0] : undefined;
  }

  /** The one kind a text names, or undefined when it names none or several. */
  private kindOnLine(text: string): BackingKind | undefined {
    const kinds = BACKING_KINDS.filter((k) => k.keyword.test(text)).map((k) => k.kind);
    // MariaDB is also reached with MySQL clients: both named means MariaDB.
    if (kinds.length === 2 && kinds.includes('mysql') && kinds.includes('mariadb')) return 'mariadb';
    if (kinds.length === 1) return kinds[0];
    if (kinds.length === 0 && /\b(database|db)\b["']?\s*[:=(]/i.test(text)) return this.sqlKind;
    return undefined;
  }

  /** Port, user, password and database written beside line `i`: on it, or on its sibling lines. */
  private blockFields(i: number, siblings = true): Omit<Connection, 'kind' | 'evidence'> {
    const texts = [this.lines[i] as string, ...(siblings ? this.block(i).siblings : [])];
    const out: Omit<Connection, 'kind' | 'evidence'> = {};
    for (const text of texts) {
      const port = /["']?\bport["']?\s*[=:]\s*["']?(\d{2,5})\b/i.exec(text)?.[1];
      if (port && out.port === undefined) out.port = Number(port);
      const user = /["']?\b(?:user|username)["']?\s*[=:]\s*["']([^"']+)["']/i.exec(text)?.[1];
      if (user && out.user === undefined) out.user = user;
      const password = /["']?\b(?:password|passwd)["']?\s*[=:]\s*["']([^"']*)["']/i.exec(text)?.[1];
      if (password && out.password === undefined) out.password = password;
      const database = /["']?\b(?:database|dbname|db|name)["']?\s*[=:]\s*["']([^"']+)["']/i.exec(text)?.[1];
      if (database && out.database === undefined && !database.includes('/')) out.database = database;
    }
    return out;
  }

  /** The lines around `i` that share its block, by indentation: the opening line, siblings, the next one out. */
  private block(i: number): { parent?: string; grandparent?: string; siblings: string[] } {
    const indent = indentOf(this.lines[i] as string);
    const parentAt = this.outward(i, indent);
    const siblings: string[] = [];
    const inBlock = (j: number) => {
      const l = this.lines[j] as string;
      if (l.trim() === '') return true;
      if (indentOf(l) < indent) return false;
      if (indentOf(l) === indent) siblings.push(l);
      return true;
    };
    for (let j = i - 1; j > (parentAt ?? i - 15) && j >= 0; j--) if (!inBlock(j)) break;
    for (let j = i + 1; j < Math.min(this.lines.length, i + 15); j++) if (!inBlock(j)) break;
    const out: { parent?: string; grandparent?: string; siblings: string[] } = { siblings };
    if (parentAt !== undefined) {
      out.parent = this.lines[parentAt] as string;
      const grandAt = this.outward(parentAt, indentOf(out.parent));
      if (grandAt !== undefined) out.grandparent = this.lines[grandAt] as string;
    }
    return out;
  }

  /** The nearest line above `i` (at most 15 up) indented less than `indent`. */
  private outward(i: number, indent: number): number | undefined {
    for (let j = i - 1; j >= Math.max(0, i - 15); j--) {
      const l = this.lines[j] as string;
      if (l.trim() !== '' && indentOf(l) < indent) return j;
    }
    return undefined;
  }
}

/** The kind and role a variable name gives away: `REDIS_HOST` → redis host, `DB_PASSWORD` → (some SQL) password. */
export function parseVariableName(name: string): { kind?: BackingKind; role: VariableRole } | undefined {
  const upper = name.toUpperCase();
  for (const [pattern, role] of VARIABLE_ROLES) {
    for (const k of BACKING_KINDS) {
      for (const prefix of k.variablePrefixes) {
        // APP_REDIS_HOST, REDIS_HOST, PGHOST (libpq's own names have no underscore).
        const m = new RegExp(`(?:^|_)${prefix}_?([A-Z_]+)$`).exec(upper);
        if (m && pattern.test(m[1] as string)) return { kind: k.kind, role };
      }
    }
    const generic = /(?:^|_)(?:DB|DATABASE|SQL)_([A-Z_]+)$/.exec(upper);
    if (generic && pattern.test(generic[1] as string)) return { role };
  }
  return undefined;
}

/** The variable that carries a URL on this line: the one code reads, or the one an env file sets. */
function urlVariable(line: string, envFile: boolean): string | undefined {
  if (/dj_database_url|\benv\.db\(/.test(line)) return 'DATABASE_URL';
  const set = /^\s*(?:export\s+|ENV\s+)?([A-Z][A-Z0-9_]*)\s*[=:\s]\s*["']?(?:jdbc:)?[a-z][\w+]*:\/\//.exec(line)?.[1];
  if (set && envFile) return set;
  for (const site of READ_SITES) {
    const name = site.exec(line)?.[1];
    if (name && /^[A-Z][A-Z0-9_]*$/.test(name)) return name;
  }
  // A pydantic settings field (`redis_url: str = "redis://…"`) is read from the upper-cased variable.
  const field = /^\s*([a-z][a-z0-9_]*)\s*:\s*\w+\s*=\s*["']/.exec(line)?.[1];
  if (field) return field.toUpperCase();
  return set;
}

function credentialsOf(u: ReturnType<typeof parseUrl> & object): Omit<Connection, 'kind' | 'evidence'> {
  const out: Omit<Connection, 'kind' | 'evidence'> = {};
  // A templated URL (`{host}`, `${DB_HOST}`, `<password>`) shows the service, not its values.
  const clean = (v: string) => v !== '' && !/[$<>{}%]/.test(v);
  if (clean(u.host)) out.host = u.host;
  if (u.port !== undefined) out.port = u.port;
  if (clean(u.user)) out.user = u.user;
  if (clean(u.password)) out.password = u.password;
  const path = u.path.split('/')[0] ?? '';
  if (clean(path)) out.database = decodeURIComponent(path);
  return out;
}

/** Env files and Dockerfiles: where `NAME=value` is an environment variable. */
function isEnvFile(file: string): boolean {
  const name = baseName(file);
  return (
    /^\.env(\..+)?$/.test(name) ||
    name.endsWith('.env') ||
    /^(Dockerfile|Containerfile)(\..+)?$|\.Dockerfile$/.test(name)
  );
}

function indentOf(line: string): number {
  return /^\s*/.exec(line)?.[0].length ?? 0;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function shorten(line: string): string {
  return line.length > 80 ? `${line.slice(0, 77)}...` : line;
}
