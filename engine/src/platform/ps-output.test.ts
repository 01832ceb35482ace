import { describe, expect, it } from 'vitest';
import { livenessOf } from './host-processes.js';
import { PortableProcesses } from './portable-processes.js';
import { descendants, parsePsLine, parsePsTable, pidsWithEnv, samePsStart } from './ps-output.js';

// Real lines: procps-ng 4.0 (Debian 12) and macOS 14's BSD ps, both with LC_ALL=C.
const linux = `    1     0     0 S<Ll Mon Dec  7 06:19:21 2026 process_api
 3535  3534  3535 Ss   Mon Dec  7 06:26:39 2026 bash
 4100  3535  4100 Z    Mon Dec  7 16:02:11 2026 sh
 4101  4100  4100 R+   Tue Dec  8 09:01:02 2026 tmux: server`;
const mac = `  412     1   412 Ss   Mon Dec  7 06:26:39 2026     /usr/sbin/cfprefsd
 9001   412  9001 S+   Mon Dec  7 06:26:40 2026     /bin/sh`;

describe('ps lines', () => {
  it('reads pid, ppid, group, state, start (to the second) and a comm with spaces', () => {
    const [init, bash, zombie, tmux] = parsePsTable(linux);
    expect(bash).toEqual({
      pid: 3535,
      ppid: 3534,
      pgrp: 3535,
      state: 'S',
      startTime: `ps:${Date.parse('Mon Dec 7 06:26:39 2026') / 1000}`,
      comm: 'bash',
    });
    expect(init?.state).toBe('S');
    expect(zombie?.state).toBe('Z');
    expect(tmux).toMatchObject({ pid: 4101, pgrp: 4100, state: 'R', comm: 'tmux: server' });
  });

  it('reads macOS output (comm is the executable path)', () => {
    expect(parsePsTable(mac).map((p) => [p.pid, p.pgrp, p.comm])).toEqual([
      [412, 412, '/usr/sbin/cfprefsd'],
      [9001, 9001, '/bin/sh'],
    ]);
  });

  it('rejects what is not a process line', () => {
    expect(parsePsLine('')).toBeUndefined();
    expect(parsePsLine('  PID  PPID')).toBeUndefined();
  });
});

describe('start times to the second', () => {
  it('allow a second either way (Linux derives lstart from a boot time that follows the clock)', () => {
    expect(samePsStart('ps:1000', 'ps:1000')).toBe(true);
    expect(samePsStart('ps:1000', 'ps:1001')).toBe(true);
    expect(samePsStart('ps:1000', 'ps:1002')).toBe(false);
    // A /proc start time (clock ticks) is never taken for a ps one: never signal what cannot be verified.
    expect(samePsStart('191207', 'ps:191207')).toBe(false);
  });

  it('make a pid with another start time "reused"', () => {
    const p = parsePsLine(' 3535  3534  3535 Ss   Mon Dec  7 06:26:39 2026 bash')!;
    const portable = new PortableProcesses();
    expect(livenessOf(portable, p, p.startTime)).toBe('alive');
    expect(livenessOf(portable, p, 'ps:1')).toBe('reused');
  });
});

describe('environment in ps output', () => {
  it('finds the whole NAME=value word only', () => {
    const text = [
      '  616 sleep 5 DEVENV_INSTANCE_TOKEN=abc SHELL=/bin/bash',
      '  617 sleep 5 DEVENV_INSTANCE_TOKEN=abcd',
      '  618 sleep 5 XDEVENV_INSTANCE_TOKEN=abc',
      '  619 sh -c echo DEVENV_INSTANCE_TOKEN=abc',
      '  620 env-i-child',
    ].join('\n');
    expect(pidsWithEnv(text, 'DEVENV_INSTANCE_TOKEN', 'abc')).toEqual([616, 619]);
  });
});

describe('descendants', () => {
  it('walks the tree below a pid', () => {
    const table = parsePsTable(linux);
    expect(descendants(table, 3535).sort()).toEqual([3535, 4100, 4101]);
    expect(descendants(table, 4100).sort()).toEqual([4100, 4101]);
    expect(descendants(table, 4101)).toEqual([4101]);
  });
});
