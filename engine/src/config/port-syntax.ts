// Compose port syntax → PortSpec. Short form `[IP:][HOST:]CONTAINER[/PROTO]` with ranges, number
// form, and the long mapping form. When the file names no host address devenv publishes on
// 127.0.0.1, not Docker's 0.0.0.0: a dev database should not be reachable from the café Wi-Fi.

import type { PortSpec } from '../model/spec.js';
import { ConfigCode } from './codes.js';

export const DEFAULT_HOST_IP = '127.0.0.1';

export interface PortProblem {
  code: typeof ConfigCode.invalidPort | typeof ConfigCode.portOutOfRange;
  message: string;
  hint: string;
  /** For the long form: the key whose value is wrong. */
  field?: 'target' | 'published' | 'host_ip' | 'protocol';
}

export type PortParse = { ok: true; ports: PortSpec[] } | { ok: false; problem: PortProblem };

const EXAMPLE = 'write it like "8000:8000", "127.0.0.1:8000:8000" or "5432"';

function invalid(message: string, hint = EXAMPLE, field?: PortProblem['field']): PortParse {
  const problem: PortProblem = { code: ConfigCode.invalidPort, message, hint };
  if (field) problem.field = field;
  return { ok: false, problem };
}

type Range = { ok: true; from: number; to: number } | { ok: false; result: PortParse };

function parseRange(text: string, what: string, field?: PortProblem['field']): Range {
  const m = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!m) return { ok: false, result: invalid(`${what} \`${text}\` is not a port number`, EXAMPLE, field) };
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  for (const port of [from, to]) {
    if (port < 1 || port > 65535) {
      const problem: PortProblem = {
        code: ConfigCode.portOutOfRange,
        message: `${what} ${port} is out of range`,
        hint: 'use a port between 1 and 65535',
      };
      if (field) problem.field = field;
      return { ok: false, result: { ok: false, problem } };
    }
  }
  if (to < from)
    return {
      ok: false,
      result: invalid(
        `${what} range \`${text}\` ends before it starts`,
        'write the lower port first, e.g. "8000-8010"',
        field,
      ),
    };
  return { ok: true, from, to };
}

function validIp(ip: string): boolean {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return ip.split('.').every((o) => Number(o) <= 255);
  return ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip);
}

function parseProtocol(text: string | undefined, field?: PortProblem['field']): 'tcp' | 'udp' | PortParse {
  if (text === undefined || text === '') return 'tcp';
  const lower = text.toLowerCase();
  if (lower === 'tcp' || lower === 'udp') return lower;
  return invalid(`protocol \`${text}\` is not supported`, 'use `tcp` or `udp`', field);
}

function expand(
  hostIp: string | undefined,
  host: Range | undefined,
  container: { from: number; to: number },
  protocol: 'tcp' | 'udp',
  original: string,
): PortParse {
  const count = container.to - container.from + 1;
  if (host?.ok && count === 1 && host.to > host.from) {
    // One container port, a host range: each instance takes a free port of the range (as Compose
    // does for a scaled service); Docker picks it.
    return {
      ok: true,
      ports: [
        {
          hostIp: hostIp ?? DEFAULT_HOST_IP,
          published: host.from,
          publishedEnd: host.to,
          target: container.from,
          protocol,
          hostIpExplicit: hostIp !== undefined,
        },
      ],
    };
  }
  if (host?.ok) {
    const hostCount = host.to - host.from + 1;
    if (hostCount !== count) {
      return invalid(
        `\`${original}\` maps ${hostCount} host port(s) to ${count} container port(s)`,
        'give both ranges the same length, e.g. "9000-9001:8000-8001", or one container port for a host range ("8000-8002:80")',
      );
    }
  }
  const ports: PortSpec[] = [];
  for (let i = 0; i < count; i++) {
    const port: PortSpec = {
      hostIp: hostIp ?? DEFAULT_HOST_IP,
      target: container.from + i,
      protocol,
      hostIpExplicit: hostIp !== undefined,
    };
    if (host?.ok) port.published = host.from + i;
    ports.push(port);
  }
  return { ok: true, ports };
}

/** Short syntax (a string or a bare number). */
export function parsePortString(input: string | number): PortParse {
  const original = String(input).trim();
  if (original === '') return invalid('empty port entry');
  const slash = original.lastIndexOf('/');
  const proto = parseProtocol(slash >= 0 ? original.slice(slash + 1) : undefined);
  if (typeof proto !== 'string') return proto;
  let rest = slash >= 0 ? original.slice(0, slash) : original;

  let hostIp: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0 || rest[close + 1] !== ':')
      return invalid(
        `\`${original}\` has an unclosed IPv6 address`,
        'write IPv6 addresses in brackets: "[::1]:8000:8000"',
      );
    hostIp = rest.slice(1, close);
    rest = rest.slice(close + 2);
  }
  const parts = rest.split(':');
  let hostText: string | undefined;
  let containerText: string;
  if (hostIp !== undefined) {
    if (parts.length !== 2) return invalid(`\`${original}\` is not a valid port mapping`);
    [hostText, containerText] = parts as [string, string];
  } else if (parts.length === 1) {
    containerText = parts[0] as string;
  } else if (parts.length === 2) {
    [hostText, containerText] = parts as [string, string];
  } else {
    containerText = parts.pop() as string;
    hostText = parts.pop() as string;
    hostIp = parts.join(':');
  }
  if (hostIp !== undefined && !validIp(hostIp)) {
    return invalid(
      `\`${hostIp}\` in \`${original}\` is not an IP address`,
      hostIp === 'localhost'
        ? 'use `127.0.0.1` instead of `localhost`'
        : 'use an IP address such as 127.0.0.1 or 0.0.0.0',
    );
  }
  const container = parseRange(containerText, 'container port');
  if (!container.ok) return container.result;
  const host = hostText === undefined || hostText === '' ? undefined : parseRange(hostText, 'host port');
  if (host && !host.ok) return host.result;
  return expand(hostIp, host, container, proto, original);
}

export interface LongPort {
  target?: unknown;
  published?: unknown;
  host_ip?: unknown;
  protocol?: unknown;
}

/** Long syntax: `{ target, published, host_ip, protocol }`. */
export function parsePortMapping(input: LongPort): PortParse {
  if (input.target === undefined || input.target === null) {
    return invalid('port mapping has no `target`', 'add `target:` with the container port, e.g. `target: 80`');
  }
  const container = parseRange(String(input.target), 'container port', 'target');
  if (!container.ok) return container.result;
  const hasPublished = input.published !== undefined && input.published !== null && input.published !== '';
  const host = hasPublished ? parseRange(String(input.published), 'host port', 'published') : undefined;
  if (host && !host.ok) return host.result;
  const proto = parseProtocol(input.protocol === undefined ? undefined : String(input.protocol), 'protocol');
  if (typeof proto !== 'string') return proto;
  let hostIp: string | undefined;
  if (input.host_ip !== undefined && input.host_ip !== null && input.host_ip !== '') {
    hostIp = String(input.host_ip).replace(/^\[(.*)\]$/, '$1');
    if (!validIp(hostIp)) {
      return invalid(
        `\`${hostIp}\` is not an IP address`,
        hostIp === 'localhost'
          ? 'use `127.0.0.1` instead of `localhost`'
          : 'use an IP address such as 127.0.0.1 or 0.0.0.0',
        'host_ip',
      );
    }
  }
  return expand(hostIp, host, container, proto, `${input.published ?? ''}:${input.target}`);
}
