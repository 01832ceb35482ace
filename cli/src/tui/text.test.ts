import { describe, expect, it } from 'vitest';
import { sampleStatus } from './fake-client.js';
import {
  bar,
  fit,
  formatDebug,
  formatPort,
  formatSync,
  formatUptime,
  isGood,
  stateLabel,
  stringWidth,
  truncate,
  uptimeOf,
} from './text.js';

describe('truncate and fit', () => {
  it('cut to the width with an ellipsis, and pad', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('abc', 4)).toBe('abc');
    expect(truncate('abc', 0)).toBe('');
    expect(fit('ab', 4)).toBe('ab  ');
    expect(fit('abcdef', 4)).toBe('abc…');
  });

  it('keep colour sequences whole and closed, measuring only what shows', () => {
    const red = '\x1b[31mredredred\x1b[0m';
    const cut = truncate(red, 5);
    expect(stringWidth(cut)).toBe(5);
    expect(cut.startsWith('\x1b[31mredr')).toBe(true);
    expect(cut).toMatch(/\x1b\[39m/);
    expect(fit(red, 12)).toBe(`${red}   `);
  });

  it('count wide characters as two columns', () => {
    expect(stringWidth(fit('日本語', 4))).toBe(4);
  });
});

describe('short forms', () => {
  it('uptime', () => {
    expect(formatUptime(5_000)).toBe('5s');
    expect(formatUptime(125_000)).toBe('2m05s');
    expect(formatUptime(3 * 3600_000 + 4 * 60_000)).toBe('3h04m');
    expect(formatUptime(50 * 3600_000)).toBe('2d02h');
    expect(formatUptime(-1)).toBe('-');
  });

  it('uptime only while running', () => {
    const [pg, , worker] = sampleStatus().services;
    expect(uptimeOf(pg!, Date.parse('2026-01-01T10:01:30.000Z'))).toBe('1m30s');
    expect(uptimeOf(worker!, Date.now())).toBe('-');
  });

  it('ports, debug, sync, state', () => {
    expect(formatPort({ hostIp: '127.0.0.1', hostPort: 5173, containerPort: 5173, protocol: 'tcp' })).toBe(
      '127.0.0.1:5173→5173',
    );
    expect(formatPort({ hostIp: '127.0.0.1', hostPort: 53, containerPort: 53, protocol: 'udp' })).toBe(
      '127.0.0.1:53→53/udp',
    );
    const [, backend, worker] = sampleStatus().services;
    expect(formatDebug(backend!.debug)).toBe('dap 127.0.0.1:5678');
    expect(formatDebug(undefined)).toBe('-');
    const absent = { type: 'python', reason: 'r', fix: 'f' } as const;
    expect(formatDebug(undefined, { ...absent, kind: 'unavailable' })).toBe('unavailable');
    expect(formatDebug(undefined, { ...absent, kind: 'on-request' })).toBe('on request');
    expect(formatSync(backend!)).toBe('3 files 41ms');
    expect(formatSync({ sync: { files: 1, lastMs: 2.9403419999998732, p50Ms: 3, at: '' } })).toBe('1 file 2.9ms');
    expect(stateLabel(worker!)).toBe('exited (3)');
    expect(isGood(backend!)).toBe(true);
    expect(isGood(worker!)).toBe(false);
  });

  it('bar', () => {
    expect(bar(3, 5, 10)).toBe('[██████░░░░]');
    expect(bar(0, 0, 4)).toBe('[░░░░]');
    expect(bar(9, 5, 4)).toBe('[████]');
  });
});
