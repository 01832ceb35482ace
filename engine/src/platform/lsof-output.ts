// Parsing `lsof -F` field output (the same on Linux and macOS): lines of one letter and a value,
// `p` opening a process, `f` a file within it; `c` command, `t` type (IPv4/IPv6), `P` protocol,
// `n` name (`127.0.0.1:8000`, `[::1]:8000`, `*:8000`, `a:1->b:2` once connected), `T` TCP
// details (`TST=LISTEN`). Pure, tested with real output.

import type { ListeningSocket } from './host-processes.js';
import { normaliseIpv6 } from './socket-table.js';

export interface LsofSocket extends ListeningSocket {
  pid: number;
  command: string;
}

/** The listening sockets in `lsof -F pcfPntT` output: TCP in LISTEN, UDP without a peer. */
export function parseLsofListening(text: string): LsofSocket[] {
  const out: LsofSocket[] = [];
  let pid = 0;
  let command = '';
  let file: { type?: string; protocol?: string; name?: string; listen?: boolean } | undefined;
  const flush = () => {
    if (!file?.name || !file.protocol) return;
    const protocol = file.protocol.toLowerCase();
    if (protocol !== 'tcp' && protocol !== 'udp') return;
    if (file.name.includes('->')) return; // connected
    if (protocol === 'tcp' && !file.listen) return;
    const at = hostPort(file.name, file.type === 'IPv6');
    if (at) out.push({ pid, command, protocol, ...at });
  };
  for (const line of text.split('\n')) {
    const tag = line.charAt(0);
    const value = line.slice(1);
    if (tag === 'p') {
      flush();
      file = undefined;
      pid = Number(value);
      command = '';
    } else if (tag === 'c') command = value;
    else if (tag === 'f') {
      flush();
      file = {};
    } else if (file || tag === 't' || tag === 'P' || tag === 'n' || tag === 'T') {
      file ??= {};
      if (tag === 't') file.type = value;
      else if (tag === 'P') file.protocol = value;
      else if (tag === 'n') file.name = value;
      else if (tag === 'T' && value === 'ST=LISTEN') file.listen = true;
    }
  }
  flush();
  return out;
}

/** `127.0.0.1:8000`, `[::1]:8000`, `*:8000` → address and port; `*` is the wildcard of its family. */
function hostPort(name: string, ipv6: boolean): { address: string; port: number } | undefined {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(name);
  if (!m) return undefined;
  const port = Number(m[3]);
  const host = m[1] ?? m[2]!;
  if (host === '*') return { address: ipv6 ? '::' : '0.0.0.0', port };
  return { address: host.includes(':') ? expandIpv6(host) : host, port };
}

/** lsof prints IPv6 compressed already; normalise it the way the /proc reader does. */
function expandIpv6(address: string): string {
  // An embedded IPv4 tail (::ffff:127.0.0.1) as its two groups.
  const text = address.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_m, a, b, c, d) =>
    [(Number(a) << 8) | Number(b), (Number(c) << 8) | Number(d)].map((g) => g.toString(16)).join(':'),
  );
  const [head, tail] = text.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  if (tail === undefined) return normaliseIpv6(left);
  return normaliseIpv6([...left, ...Array(8 - left.length - right.length).fill('0'), ...right]);
}
