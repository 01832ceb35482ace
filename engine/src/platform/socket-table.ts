// Parsing /proc/net/{tcp,tcp6,udp,udp6}: the sockets in LISTEN state (TCP) or bound without a
// peer (UDP), with their inodes, which /proc/<pid>/fd links name. Pure, tested with real lines.

import { endianness } from 'node:os';
import type { ListeningSocket } from './host-processes.js';

export interface SocketEntry {
  protocol: 'tcp' | 'udp';
  address: string;
  port: number;
  inode: string;
}

const TCP_LISTEN = '0A';
const UDP_UNCONNECTED = '07';

/**
 * One line of /proc/net/{tcp,tcp6,udp,udp6}, or undefined for the header and for sockets that
 * are not listening. Addresses are hex in the kernel's byte order (32-bit words, host-endian).
 */
export function parseSocketLine(
  line: string,
  protocol: 'tcp' | 'udp',
  littleEndian = endianness() === 'LE',
): SocketEntry | undefined {
  const cols = line.trim().split(/\s+/);
  if (cols.length < 10 || !/^\d+:$/.test(cols[0]!)) return undefined;
  const [localHex, remoteHex, state, inode] = [cols[1]!, cols[2]!, cols[3]!, cols[9]!];
  if (protocol === 'tcp' && state !== TCP_LISTEN) return undefined;
  if (protocol === 'udp' && (state !== UDP_UNCONNECTED || !/^0+:0+$/.test(remoteHex))) return undefined;
  const [addrHex, portHex] = localHex.split(':');
  if (!addrHex || !portHex) return undefined;
  return { protocol, address: decodeAddress(addrHex, littleEndian), port: Number.parseInt(portHex, 16), inode };
}

export function decodeAddress(hex: string, littleEndian: boolean): string {
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = hex.slice(w, w + 8);
    const wb = [0, 2, 4, 6].map((i) => Number.parseInt(word.slice(i, i + 2), 16));
    bytes.push(...(littleEndian ? wb.reverse() : wb));
  }
  if (bytes.length === 4) return bytes.join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return normaliseIpv6(groups);
}

/**
 * IPv6 groups as text: an IPv4-mapped address (::ffff:a.b.c.d) as the IPv4 address, else the
 * longest run of zero groups (length ≥ 2) as `::`. Shared with the lsof parser.
 */
export function normaliseIpv6(groups: string[]): string {
  const n = groups.map((g) => Number.parseInt(g || '0', 16));
  if (n.length === 8 && n.slice(0, 5).every((g) => g === 0) && n[5] === 0xffff) {
    return [n[6]! >> 8, n[6]! & 0xff, n[7]! >> 8, n[7]! & 0xff].join('.');
  }
  const hex = n.map((g) => g.toString(16));
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < hex.length; ) {
    if (hex[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < hex.length && hex[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

export function parseSocketTable(text: string, protocol: 'tcp' | 'udp'): SocketEntry[] {
  const out: SocketEntry[] = [];
  for (const line of text.split('\n')) {
    const e = parseSocketLine(line, protocol);
    if (e) out.push(e);
  }
  return out;
}

/** One entry per protocol/address/port, by port. */
export function uniqueSockets(entries: ListeningSocket[]): ListeningSocket[] {
  const seen = new Map<string, ListeningSocket>();
  for (const e of entries) {
    const key = `${e.protocol}/${e.address}/${e.port}`;
    if (!seen.has(key)) seen.set(key, { protocol: e.protocol, address: e.address, port: e.port });
  }
  return [...seen.values()].sort(
    (a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol) || a.address.localeCompare(b.address),
  );
}
