// Debugger listen addresses (`--listen [host:]port`, `--inspect[=[host:]port]`): parsing, and
// which host is right where. Inside a container the debugger must listen on every interface of
// the container (0.0.0.0), or the published port forwards into nothing; on the host it must
// listen on 127.0.0.1, or anyone on the network can run code in the program.

import type { RuntimeKind } from '../model/spec.js';

export interface ListenAddress {
  /** Undefined when the flag named only a port (both debugpy and node then use 127.0.0.1). */
  host?: string;
  port?: number;
}

/** `5678`, `0.0.0.0:5678`, `[::1]:9229`, `localhost` → host and port, as debugpy and node read them. */
export function parseListenAddress(value: string | undefined): ListenAddress {
  if (value === undefined || value === '') return {};
  const bracketed = /^\[([^\]]*)\](?::(\d+))?$/.exec(value);
  if (bracketed) return bracketed[2] ? { host: bracketed[1]!, port: Number(bracketed[2]) } : { host: bracketed[1]! };
  const colon = value.lastIndexOf(':');
  if (colon < 0) return /^\d+$/.test(value) ? { port: Number(value) } : { host: value };
  const port = value.slice(colon + 1);
  return /^\d+$/.test(port) ? { host: value.slice(0, colon), port: Number(port) } : { host: value };
}

export function formatListenAddress(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export function isLoopback(host: string | undefined): boolean {
  if (host === undefined || host === '') return true; // the default of both debugpy and node
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h.startsWith('127.');
}

/** Where a debugger must listen on this runtime. */
export function listenHostFor(runtime: RuntimeKind): string {
  return runtime === 'process' ? '127.0.0.1' : '0.0.0.0';
}

/**
 * The host to use instead of the one a user's command gave, or undefined when it is right:
 * loopback inside a container is unreachable; anything but loopback on the host is exposed.
 */
export function correctedHost(runtime: RuntimeKind, host: string | undefined): string | undefined {
  if (runtime === 'process') return isLoopback(host) ? undefined : '127.0.0.1';
  return isLoopback(host) ? '0.0.0.0' : undefined;
}

export function hostProblem(runtime: RuntimeKind, host: string | undefined): string {
  return runtime === 'process'
    ? `listens on ${host} (every network interface of this machine: anyone who can reach it can run code in the program)`
    : `listens on ${host ?? '127.0.0.1 (the default)'} inside the container, which the published port cannot reach`;
}
