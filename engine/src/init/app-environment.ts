// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR:-default}` interpolation
// The environment an app gets to reach its backing services: every variable the repository uses
// for one (`DATABASE_URL`, `REDIS_HOST`, `KAFKA_BOOTSTRAP_SERVERS`, `DB_PASSWORD`…), pointed at
// the generated service — its name in a container, 127.0.0.1 for a host process — with the
// credentials the server is given (server-credentials.ts). A URL keeps its scheme, driver and query.

import { signalsOf } from './backing-kinds.js';
import { parseUrl } from './connection-url.js';
import type { BackingService, Connection } from './findings.js';
import { dirOf, isUnder } from './repo-files.js';
import type { CredentialRefs } from './server-credentials.js';

/** The environment an app gets, for its container (service hostnames) and as a host process (127.0.0.1). */
export interface AppEnvironment {
  container: Record<string, string>;
  process: Record<string, string>;
}

/** A generated backing service as apps reach it: its Compose name and the credentials it was given. */
export interface ReachableService {
  service: BackingService;
  name: string;
  credentials: CredentialRefs;
}

export class Environments {
  constructor(private readonly services: readonly ReachableService[]) {}

  forApp(dir: string, language: 'python' | 'node'): AppEnvironment {
    const container: Record<string, string> = {};
    const process: Record<string, string> = {};
    for (const s of this.services) {
      for (const c of s.service.connections) {
        const variable = c.variable?.name;
        if (!variable || variable in container) continue;
        // The app's own folder, or a repository-wide file (the root .env).
        if (!(isUnder(c.evidence.file, dir) || dirOf(c.evidence.file) === '.')) continue;
        container[variable] = valueFor(c, s, s.name, signalsOf(s.service.kind).port);
        process[variable] = valueFor(c, s, '127.0.0.1', s.service.hostPort);
      }
    }
    if (language === 'python') process.PYTHONUNBUFFERED = '1';
    return { container, process };
  }
}

function valueFor(c: Connection, s: ReachableService, host: string, port: number): string {
  switch (c.variable?.holds) {
    case 'host':
      return host;
    case 'address':
      return `${host}:${port}`;
    case 'port':
      return String(port);
    case 'user':
      return s.credentials.user;
    case 'password':
      return s.credentials.password;
    case 'database':
      return s.credentials.database;
    default:
      return connectionUrl(c.url, s, host, port);
  }
}

/** What a kind's URL starts with when the repository reads one without ever writing it out. */
const SCHEME: Record<BackingService['kind'], string> = {
  postgres: 'postgresql',
  mysql: 'mysql',
  mariadb: 'mysql',
  redis: 'redis',
  mongodb: 'mongodb',
  rabbitmq: 'amqp',
  kafka: 'kafka',
  elasticsearch: 'http',
};

/** The URL an app uses to reach a backing service at `host`, keeping the original's scheme, driver and query. */
export function connectionUrl(original: string | undefined, s: ReachableService, host: string, port: number): string {
  const kind = s.service.kind;
  const parsed = original ? parseUrl(original) : undefined;
  let scheme = parsed?.scheme ?? SCHEME[kind];
  let query = original ? (/\?[^#\s]*/.exec(original)?.[0] ?? '') : '';
  switch (kind) {
    case 'redis': {
      const db = parsed?.path && /^\d+$/.test(parsed.path) ? `/${parsed.path}` : '/0';
      // The generated Redis has no password and no TLS.
      return `${scheme === 'rediss' ? 'redis' : scheme}://${host}:${port}${db}${query}`;
    }
    case 'elasticsearch':
      // The generated Elasticsearch runs without TLS or a password (a development node).
      return `http://${host}:${port}`;
    case 'kafka':
      return `${scheme}://${host}:${port}`;
    default:
  }
  if (scheme === 'mongodb+srv') scheme = 'mongodb';
  const { user, password, database } = s.credentials;
  const auth = user ? `${user}${password ? `:${password}` : ''}@` : '';
  const path = database ? `/${database}` : parsed?.path ? `/${parsed.path}` : kind === 'rabbitmq' ? '' : '/';
  // MongoDB's image makes its user in the admin database: the app must authenticate there.
  if (kind === 'mongodb' && user && !/[?&]authSource=/.test(query)) {
    query = query ? `${query}&authSource=admin` : '?authSource=admin';
  }
  return `${scheme}://${auth}${host}:${port}${path}${query}`;
}
