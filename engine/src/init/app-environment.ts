// The environment an app gets to reach its backing services: each connection variable found in
// the repository, pointed at the generated service (its name in a container, 127.0.0.1 for a
// host process), keeping the URL's scheme, driver and query.

import { parseUrl } from './backing-services.js';
import type { BackingService, ConnectionUrl } from './findings.js';
import { dirOf, isUnder } from './repo-files.js';

/** The environment an app gets, for its container (service hostnames) and as a host process (127.0.0.1). */
export interface AppEnvironment {
  container: Record<string, string>;
  process: Record<string, string>;
}

export class Environments {
  constructor(
    private readonly urls: ConnectionUrl[],
    private readonly backing: Map<string, BackingService>,
  ) {}

  forApp(dir: string, language: 'python' | 'node'): AppEnvironment {
    const container: Record<string, string> = {};
    const process: Record<string, string> = {};
    for (const u of this.urls) {
      if (!u.variable || u.variable in container) continue;
      if (!(isUnder(u.evidence.file, dir) || dirOf(u.evidence.file) === '.')) continue;
      const b = this.backing.get(u.kind);
      if (!b) continue;
      container[u.variable] = connectionUrl(u.url, b, u.kind, b.kind === 'postgres' ? 5432 : 6379);
      process[u.variable] = connectionUrl(u.url, b, '127.0.0.1', b.hostPort);
    }
    if (language === 'python') process.PYTHONUNBUFFERED = '1';
    return { container, process };
  }
}

/** The URL an app uses to reach a backing service at `host`, keeping its scheme, driver and query. */
export function connectionUrl(original: string, b: BackingService, host: string, port: number): string {
  const parsed = parseUrl(original);
  const scheme = parsed?.scheme ?? (b.kind === 'postgres' ? 'postgresql' : 'redis');
  const query = /\?[^#]*/.exec(original)?.[0] ?? '';
  if (b.kind === 'redis') {
    const db = parsed?.path && /^\d+$/.test(parsed.path) ? `/${parsed.path}` : '/0';
    return `${scheme}://${host}:${port}${db}${query}`;
  }
  const auth = b.password
    ? `\${POSTGRES_USER:-${b.user}}:\${POSTGRES_PASSWORD:-${b.password}}`
    : `\${POSTGRES_USER:-${b.user}}`;
  return `${scheme}://${auth}@${host}:${port}/\${POSTGRES_DB:-${b.database}}${query}`;
}
