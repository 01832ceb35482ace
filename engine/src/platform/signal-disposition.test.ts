import { describe, expect, it } from 'vitest';
import { hearsSignal, parseProcStatus, signalNumber } from './signal-disposition.js';

// Real /proc/<pid>/status excerpts (Linux 6.x), trimmed to the lines that matter.
const status = (lines: Record<string, string>) =>
  [
    'Name:\tpython3',
    'State:\tS (sleeping)',
    'Pid:\t41872',
    ...Object.entries(lines).map(([k, v]) => `${k}:\t${v}`),
    'Threads:\t1',
  ].join('\n');

/** A container's python3 as PID 1, no handler installed: SIGINT is Python's own (KeyboardInterrupt). */
const pythonPid1 = status({
  NSpid: '41872\t1',
  SigQ: '0/96553',
  SigPnd: '0000000000000000',
  SigBlk: '0000000000000000',
  SigIgn: '0000000001001000',
  SigCgt: '0000000100000002',
});
const SIGTERM = 15;
const SIGINT = 2;

describe('parseProcStatus', () => {
  it('reads the signal masks and whether the process is a PID namespace init', () => {
    const d = parseProcStatus(pythonPid1)!;
    expect(d.caught).toBe(0x100000002n);
    expect(d.ignored).toBe(0x1001000n);
    expect(d.blocked).toBe(0n);
    expect(d.namespaceInit).toBe(true);
    expect(parseProcStatus(status({ NSpid: '41872', SigBlk: '0', SigIgn: '0', SigCgt: '0' }))!.namespaceInit).toBe(
      false,
    );
  });

  it('leaves namespaceInit unknown without an NSpid line, and gives up without the masks', () => {
    expect(parseProcStatus(status({ SigBlk: '0', SigIgn: '0', SigCgt: '0' }))!.namespaceInit).toBeUndefined();
    expect(parseProcStatus(status({ NSpid: '1' }))).toBeUndefined();
    expect(parseProcStatus('')).toBeUndefined();
  });
});

describe('hearsSignal', () => {
  it('a PID 1 without a handler hears neither SIGTERM nor anything else but SIGKILL; its handler for SIGINT counts', () => {
    const d = parseProcStatus(pythonPid1)!;
    expect(hearsSignal(d, SIGTERM)).toBe(false);
    expect(hearsSignal(d, SIGINT)).toBe(true);
    expect(hearsSignal(d, 9)).toBe(true);
  });

  it('a process that is not an init dies of SIGTERM by default, unless it ignores it', () => {
    const plain = { caught: 0n, blocked: 0n, ignored: 0n, namespaceInit: false };
    expect(hearsSignal(plain, SIGTERM)).toBe(true);
    expect(hearsSignal({ ...plain, ignored: 1n << 14n }, SIGTERM)).toBe(false);
    // SIGWINCH's default is to do nothing (httpd's graceful stop signal, say).
    expect(hearsSignal(plain, 28)).toBe(false);
  });

  it('a signal read through signalfd or sigwait (blocked) is heard', () => {
    expect(hearsSignal({ caught: 0n, blocked: 1n << 14n, ignored: 0n, namespaceInit: true }, SIGTERM)).toBe(true);
  });
});

describe('signalNumber', () => {
  it('takes the forms Compose accepts', () => {
    expect(signalNumber('SIGTERM')).toBe(15);
    expect(signalNumber('int')).toBe(2);
    expect(signalNumber('9')).toBe(9);
    expect(signalNumber('SIGNOPE')).toBeUndefined();
    expect(signalNumber('999')).toBeUndefined();
  });
});
