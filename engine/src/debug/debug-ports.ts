// Host ports for debuggers. Stable: the injected spec (and so the spec hash) contains the host
// port, so the same service must get the same port on every `up`, or it would be recreated each
// time. Order of preference per service: `host_port` from the file; the port its own instance
// already publishes; then the first free port counting up from 5678 (python) or 9229 (node), the
// services taken in name order so the numbering does not depend on which finished building first.

import { createServer } from 'node:net';
import { RuntimeFailure } from '../errors.js';
import type { DebugKind } from '../model/spec.js';
import { DEFAULT_DEBUG_PORT } from './resolve.js';

export interface DebugPortRequest {
  service: string;
  type: DebugKind;
  /** `host_port` from the file: used as written. */
  hostPort?: number;
  /** The port this service's instance publishes now; `held` when that instance runs (so the port looks busy). */
  previous?: { port: number; held: boolean };
}

export interface AllocateOptions {
  /** Is the port free on 127.0.0.1? Defaults to trying to listen on it. */
  isFree?: (port: number) => Promise<boolean>;
  /** How far to count up from the base before giving up (default 200). */
  range?: number;
}

/** service → host port. Throws when no port in range is free (a machine with hundreds of debuggers). */
export async function allocateDebugPorts(
  requests: readonly DebugPortRequest[],
  taken: Iterable<number>,
  opts: AllocateOptions = {},
): Promise<Record<string, number>> {
  const isFree = opts.isFree ?? isPortFree;
  const range = opts.range ?? 200;
  const sorted = [...requests].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const used = new Set(taken);
  const out: Record<string, number> = {};
  // Fixed ports and ports already held by our own instances are claimed before anyone counts up.
  for (const r of sorted) {
    if (r.hostPort !== undefined) {
      out[r.service] = r.hostPort;
      used.add(r.hostPort);
    }
  }
  for (const r of sorted) {
    if (out[r.service] !== undefined || !r.previous || used.has(r.previous.port)) continue;
    if (r.previous.held || (await isFree(r.previous.port))) {
      out[r.service] = r.previous.port;
      used.add(r.previous.port);
    }
  }
  for (const r of sorted) {
    if (out[r.service] !== undefined) continue;
    const base = DEFAULT_DEBUG_PORT[r.type];
    let chosen: number | undefined;
    for (let port = base; port < base + range && chosen === undefined; port++) {
      if (!used.has(port) && (await isFree(port))) chosen = port;
    }
    if (chosen === undefined) {
      throw new RuntimeFailure(
        'debug.no-free-port',
        `no free debug port for ${r.service} between ${base} and ${base + range - 1} on 127.0.0.1`,
        {
          service: r.service,
          hint: 'set `x-devenv.debug.host_port`, or `x-devenv.debug: false` for services you do not debug',
        },
      );
    }
    out[r.service] = chosen;
    used.add(chosen);
  }
  return out;
}

/** True when nothing listens on 127.0.0.1:port (Linux also refuses this bind when 0.0.0.0:port is taken). */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
