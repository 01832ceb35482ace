import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { livenessOf } from './host-processes.js';
import { environHas, parseProcStat } from './proc-stat.js';
import { ProcfsProcesses } from './procfs-processes.js';

const scratch: string[] = [];
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

const statLine = (comm: string, state = 'S', start = '191207') =>
  `20739 (${comm}) ${state} 20734 20700 23472 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 ${start} 3133440 381 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0`;

describe('parseProcStat', () => {
  it('reads pid, comm, state, ppid, pgrp and the start time (field 22)', () => {
    expect(parseProcStat(statLine('cat'))).toEqual({
      pid: 20739,
      comm: 'cat',
      state: 'S',
      ppid: 20734,
      pgrp: 20700,
      startTime: '191207',
    });
  });

  it('finds the fields after a comm holding spaces and parentheses', () => {
    for (const comm of ['my prog', 'a) b (c', ') R 1 2 3', '((x))', 'tmux: server']) {
      const s = parseProcStat(statLine(comm, 'R', '424242'));
      expect(s?.comm).toBe(comm);
      expect(s?.startTime).toBe('424242');
      expect(s?.pgrp).toBe(20700);
      expect(s?.state).toBe('R');
    }
  });

  it('rejects truncated or garbled lines', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (x) S 1 2')).toBeUndefined();
    expect(parseProcStat('no parens here')).toBeUndefined();
  });
});

describe('livenessOf (pid reuse), with exact /proc start times', () => {
  const procfs = new ProcfsProcesses();
  const stat = parseProcStat(statLine('postgres', 'S', '5000'))!;
  it('is alive only with the recorded start time', () => {
    expect(livenessOf(procfs, stat, '5000')).toBe('alive');
    expect(livenessOf(procfs, stat, '4999')).toBe('reused');
    expect(livenessOf(procfs, undefined, '5000')).toBe('gone');
  });
  it('counts a zombie as gone', () => {
    expect(livenessOf(procfs, parseProcStat(statLine('sh', 'Z', '5000')), '5000')).toBe('gone');
  });
});

describe('environ and token scans', () => {
  it('matches the whole variable only', () => {
    const env = (s: string) => Buffer.from(s.split('|').join('\0'));
    const has = (text: string) => environHas(env(text), 'DEVENV_INSTANCE_TOKEN', 'abc');
    expect(has('A=1|DEVENV_INSTANCE_TOKEN=abc|B=2|')).toBe(true);
    expect(has('DEVENV_INSTANCE_TOKEN=abc|')).toBe(true);
    expect(has('XDEVENV_INSTANCE_TOKEN=abc|DEVENV_INSTANCE_TOKEN=abc|')).toBe(true);
    expect(has('DEVENV_INSTANCE_TOKEN=abcd|')).toBe(false);
    expect(has('XDEVENV_INSTANCE_TOKEN=abc|')).toBe(false);
    expect(has('A=1|')).toBe(false);
  });

  it('scans a /proc tree for the token and for group members', async () => {
    const root = mkdtempSync(join(tmpdir(), 'devenv-unit-fake-proc-'));
    scratch.push(root);
    const proc = (pid: number, pgrp: number, environ: string, state = 'S') => {
      mkdirSync(join(root, String(pid)));
      writeFileSync(join(root, String(pid), 'environ'), environ.split('|').join('\0'));
      writeFileSync(
        join(root, String(pid), 'stat'),
        `${pid} (x y) ${state} 1 ${pgrp} 1 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 ${pid * 10} 0 0 0`,
      );
    };
    proc(100, 100, 'DEVENV_INSTANCE_TOKEN=t1|');
    proc(101, 100, 'PATH=/bin|DEVENV_INSTANCE_TOKEN=t1|');
    proc(102, 100, 'PATH=/bin|'); // in the group, token cleared (env -i)
    proc(103, 103, 'DEVENV_INSTANCE_TOKEN=t1|'); // escaped with setsid
    proc(104, 100, 'DEVENV_INSTANCE_TOKEN=t1|', 'Z');
    proc(200, 200, 'DEVENV_INSTANCE_TOKEN=t2|');
    mkdirSync(join(root, 'self'));
    const fake = new ProcfsProcesses(root);
    expect((await fake.withEnv('DEVENV_INSTANCE_TOKEN', 't1')).map((p) => p.pid)).toEqual([100, 101, 103]);
    expect((await fake.groupMembers(100)).map((p) => p.pid).sort()).toEqual([100, 101, 102]);
  });
});
