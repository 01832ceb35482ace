import { describe, expect, it } from 'vitest';
import { parseLsofListening } from './lsof-output.js';

// `lsof -nP -w … -F pcfPntT`, as lsof 4.95 prints it on Debian 12 (macOS' lsof prints the same fields).
const output = [
  'p893',
  'cpython3',
  'f3',
  'tIPv4',
  'PTCP',
  'n127.0.0.1:18191',
  'TST=LISTEN',
  'TQR=0',
  'TQS=0',
  'f4',
  'tIPv4',
  'PTCP',
  'n127.0.0.1:18191->127.0.0.1:50000',
  'TST=ESTABLISHED',
  'p895',
  'cnode',
  'f20',
  'tIPv6',
  'PTCP',
  'n[::1]:18192',
  'TST=LISTEN',
  'f21',
  'tIPv6',
  'PTCP',
  'n*:18193',
  'TST=LISTEN',
  'f22',
  'tIPv4',
  'PTCP',
  'n*:18194',
  'TST=LISTEN',
  'f23',
  'tIPv4',
  'PUDP',
  'n127.0.0.1:5353',
  'f24',
  'tIPv4',
  'PUDP',
  'n10.0.0.2:40000->8.8.8.8:53',
  'f25',
  'tIPv6',
  'PTCP',
  'n[::ffff:127.0.0.1]:18195',
  'TST=LISTEN',
  'f26',
  'tsock',
  'nprotocol: TCP',
].join('\n');

describe('lsof -F output', () => {
  it('keeps listening TCP and unconnected UDP, with the wildcard of each family and IPv4-mapped addresses as IPv4', () => {
    expect(parseLsofListening(output)).toEqual([
      { pid: 893, command: 'python3', protocol: 'tcp', address: '127.0.0.1', port: 18191 },
      { pid: 895, command: 'node', protocol: 'tcp', address: '::1', port: 18192 },
      { pid: 895, command: 'node', protocol: 'tcp', address: '::', port: 18193 },
      { pid: 895, command: 'node', protocol: 'tcp', address: '0.0.0.0', port: 18194 },
      { pid: 895, command: 'node', protocol: 'udp', address: '127.0.0.1', port: 5353 },
      { pid: 895, command: 'node', protocol: 'tcp', address: '127.0.0.1', port: 18195 },
    ]);
  });

  it('reads nothing from nothing (lsof found no match)', () => {
    expect(parseLsofListening('')).toEqual([]);
  });
});
