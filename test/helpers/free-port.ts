// Free ports for tests, so they run beside anything else on the machine (the reference stack from
// `npm run up` holds 8000, 5173 and its debug ports; colleagues' stacks hold others). Chosen below
// the kernel's ephemeral range: a port from that range can be taken, between the probe and the
// bind, as the local end of some outgoing connection.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const handedOut = new Set<number>();

function ephemeralStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port nothing listens on now, between 20000 and the ephemeral range; never the same twice in a process. */
export async function freePort(): Promise<number> {
  return freePorts(1);
}

/** The first of `count` consecutive ports nothing listens on now (127.0.0.1), between 20000 and the
 * ephemeral range; none handed out before in this process. */
export async function freePorts(count: number): Promise<number> {
  const low = 20_000;
  const high = Math.max(low + 1000, Math.min(ephemeralStart(), 32_768)) - count;
  for (let attempt = 0; attempt < 200; attempt++) {
    const start = low + Math.floor(Math.random() * (high - low));
    let free = true;
    for (let p = start; p < start + count && free; p++) free = !handedOut.has(p) && (await listenable(p));
    if (!free) continue;
    for (let p = start; p < start + count; p++) handedOut.add(p);
    return start;
  }
  throw new Error(`no ${count} free consecutive ports found between ${low} and ${high} after 200 tries`);
}
