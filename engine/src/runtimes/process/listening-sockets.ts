// Which addresses a process group listens on, from /proc/<pid>/net/{tcp,tcp6,udp,udp6}: the
// sockets in LISTEN state (TCP) or bound without a peer (UDP) whose inode one of the group's
// processes holds. Host processes bind their own ports, so this is the truth `devenv doctor` and
// the security checks want: a service on 0.0.0.0 is reachable from other machines.

import { readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import type { PublishedPort } from '../../model/status.js';
import { socketInodes } from './procfs.js';

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
  // IPv4-mapped IPv6 (::ffff:a.b.c.d) reads better as the IPv4 address.
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return bytes.slice(12).join('.');
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return compressIpv6(groups);
}

function compressIpv6(groups: string[]): string {
  // Longest run of zero groups (length ≥ 2) becomes `::`.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < groups.length; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < groups.length && groups[j] === '0') j++;
    if (j - i > bestLen && j - i >= 2) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

export function parseSocketTable(text: string, protocol: 'tcp' | 'udp'): SocketEntry[] {
  const out: SocketEntry[] = [];
  for (const line of text.split('\n')) {
    const e = parseSocketLine(line, protocol);
    if (e) out.push(e);
  }
  return out;
}

/** Listening sockets held by any of `pids`, as ports (a host process's port is its own: host = container port). */
export async function listeningPorts(pids: number[], procRoot = '/proc'): Promise<PublishedPort[]> {
  if (pids.length === 0) return [];
  const inodes = new Set<string>();
  for (const set of await Promise.all(pids.map((p) => socketInodes(p, procRoot)))) for (const i of set) inodes.add(i);
  if (inodes.size === 0) return [];
  // The tables of the first process's network namespace (all of a group's processes share it here).
  const base = `${procRoot}/${pids[0]}/net`;
  const tables = await Promise.all(
    (
      [
        ['tcp', 'tcp'],
        ['tcp6', 'tcp'],
        ['udp', 'udp'],
        ['udp6', 'udp'],
      ] as const
    ).map(async ([file, proto]) => parseSocketTable(await readFile(`${base}/${file}`, 'utf8').catch(() => ''), proto)),
  );
  const seen = new Set<string>();
  const ports: PublishedPort[] = [];
  for (const e of tables.flat()) {
    if (!inodes.has(e.inode)) continue;
    const key = `${e.protocol}/${e.address}/${e.port}`;
    if (seen.has(key)) continue;
    seen.add(key);
    ports.push({ hostIp: e.address, hostPort: e.port, containerPort: e.port, protocol: e.protocol });
  }
  return ports.sort(
    (a, b) => a.hostPort - b.hostPort || a.protocol.localeCompare(b.protocol) || a.hostIp.localeCompare(b.hostIp),
  );
}

/** Addresses only this machine can reach. */
export function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}
