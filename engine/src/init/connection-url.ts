// Connection URLs of backing services as a repository writes them: found on a line
// (`redis://cache:6379/0`, `jdbc:postgresql://db/app`, `http://localhost:9200` for Elasticsearch),
// and split into scheme, credentials, host, port and path.

import { kindOfScheme } from './backing-kinds.js';
import type { BackingKind } from './findings.js';

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
  const m =
    /^(?:jdbc:)?([\w+]+):\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^:/?#,]*)(?::(\d+))?(?:[^/?#]*)(?:\/([^?#]*))?/.exec(url);
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

const SCHEMES =
  /\b(?:jdbc:)?((?:postgres(?:ql)?|pgsql|mysql|mariadb|rediss?|mongodb(?:\+srv)?|amqps?|kafka)(?:\+\w+)?):\/\/[^\s'"`),;<>\]}]*/gi;
const HTTP = /\bhttps?:\/\/(?:[^\s'"`@/]*@)?([\w.-]+)(?::(\d+))?[^\s'"`),;<>\]}]*/gi;
/** Host names Elasticsearch usually runs under; any host on port 9200 counts too. */
const SEARCH_HOST = /^(elasticsearch|elastic|es\d*|search)$/i;

/** The backing-service URLs on a line, with their kind. */
export function urlsOnLine(line: string): { kind: BackingKind; url: string }[] {
  const found: { kind: BackingKind; url: string }[] = [];
  for (const m of line.matchAll(SCHEMES)) {
    const kind = kindOfScheme(m[1] as string);
    if (kind) found.push({ kind, url: m[0].replace(/^jdbc:/i, '') });
  }
  // Elasticsearch speaks HTTP: its port (9200) or its usual host name gives it away.
  for (const m of line.matchAll(HTTP)) {
    if (m[2] === '9200' || SEARCH_HOST.test(m[1] as string)) found.push({ kind: 'elasticsearch', url: m[0] });
  }
  return found;
}
