import { describe, expect, it } from 'vitest';
import { isLoopback } from './host-processes.js';
import { decodeAddress, parseSocketLine, parseSocketTable, uniqueSockets } from './socket-table.js';

// Lines as Linux prints them (x86-64, little-endian words).
const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1076 1 00000000ed22d0a7 100 0 0 10 0
   1: 0100007F:1435 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 258067 1 00000000f70dd9ed 100 0 0 10 0
   2: 0100007F:9C40 0100007F:1F40 01 00000000:00000000 00:00000000 00000000     0        0 300001 1 0000000000000000 20 4 30 10 -1
`;
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000001000000:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1538 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40003 1 0000000000000000 100 0 0 10 0
   3: B80D0120000000000000000001000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 40004 1 0000000000000000 100 0 0 10 0
`;
const udp = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
  100: 0100007F:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 50001 2 0000000000000000 0
  101: 0A00020F:A1B2 08080808:0035 01 00000000:00000000 00:00000000 00000000     0        0 50002 2 0000000000000000 0
`;

describe('listening sockets from /proc/net', () => {
  it('keeps LISTEN tcp sockets with address, port and inode', () => {
    expect(parseSocketTable(tcp, 'tcp')).toEqual([
      { protocol: 'tcp', address: '0.0.0.0', port: 2024, inode: '1076' },
      { protocol: 'tcp', address: '127.0.0.1', port: 5173, inode: '258067' },
    ]);
  });

  it('decodes IPv6: wildcard, loopback, v4-mapped, and a global address', () => {
    expect(parseSocketTable(tcp6, 'tcp').map((e) => `${e.address} ${e.port}`)).toEqual([
      ':: 8080',
      '::1 9090',
      '127.0.0.1 5432',
      '2001:db8::1 80',
    ]);
  });

  it('keeps unconnected udp sockets only', () => {
    expect(parseSocketTable(udp, 'udp')).toEqual([
      { protocol: 'udp', address: '127.0.0.1', port: 5353, inode: '50001' },
    ]);
  });

  it('reads big-endian word order too', () => {
    expect(decodeAddress('7F000001', false)).toBe('127.0.0.1');
    expect(parseSocketLine('   0: 7F000001:0050 00000000:0000 0A 0:0 0:0 0 0 0 77 1', 'tcp', false)?.address).toBe(
      '127.0.0.1',
    );
  });

  it('knows loopback from the rest', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('::')).toBe(false);
  });
});

describe('uniqueSockets', () => {
  it('keeps one entry per protocol, address and port, ordered by port', () => {
    expect(
      uniqueSockets([
        { protocol: 'tcp', address: '127.0.0.1', port: 9000 },
        { protocol: 'udp', address: '127.0.0.1', port: 53 },
        { protocol: 'tcp', address: '127.0.0.1', port: 9000 },
        { protocol: 'tcp', address: '::1', port: 9000 },
      ]),
    ).toEqual([
      { protocol: 'udp', address: '127.0.0.1', port: 53 },
      { protocol: 'tcp', address: '::1', port: 9000 },
      { protocol: 'tcp', address: '127.0.0.1', port: 9000 },
    ]);
  });
});
