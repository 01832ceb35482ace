// Can a stop signal end a process? Read from /proc/<pid>/status, so that a stop does not wait a
// whole grace period for a process that will never hear the signal: PID 1 of a PID namespace (a
// container's main process) without a handler for it (the kernel drops such signals), or a
// process that ignores it. Shared by the runtimes that stop processes (Docker, local processes):
// a pure parser of the status text and one read, nothing else.

import { readFile } from 'node:fs/promises';
import { constants } from 'node:os';

export interface SignalDisposition {
  /** Signals with a handler (SigCgt), blocked (SigBlk: read with sigwait/signalfd), ignored (SigIgn). */
  caught: bigint;
  blocked: bigint;
  ignored: bigint;
  /**
   * The process is PID 1 of its PID namespace (the last NSpid value is 1): a signal it has no
   * handler for is dropped by the kernel, whatever the default action. Undefined when the kernel
   * does not say (no NSpid line, before Linux 4.1).
   */
  namespaceInit?: boolean;
}

/** Parse `/proc/<pid>/status`; undefined when the signal masks are missing. */
export function parseProcStatus(text: string): SignalDisposition | undefined {
  const field = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const mask = (name: string) => {
    const v = field(name);
    return v !== undefined && /^[0-9a-fA-F]+$/.test(v) ? BigInt(`0x${v}`) : undefined;
  };
  const caught = mask('SigCgt');
  const blocked = mask('SigBlk');
  const ignored = mask('SigIgn');
  if (caught === undefined || blocked === undefined || ignored === undefined) return undefined;
  const out: SignalDisposition = { caught, blocked, ignored };
  const nsPid = field('NSpid')?.split(/\s+/).map(Number);
  if (nsPid && nsPid.length > 0 && nsPid.every(Number.isInteger)) out.namespaceInit = nsPid.at(-1) === 1;
  return out;
}

/** `SIGTERM`, `TERM`, `sigterm` or `15` → 15; undefined for anything else. */
export function signalNumber(value: string): number | undefined {
  const v = value.trim().toUpperCase();
  if (/^\d+$/.test(v)) {
    const n = Number(v);
    return Object.values(constants.signals).includes(n) ? n : undefined;
  }
  const name = (v.startsWith('SIG') ? v : `SIG${v}`) as keyof typeof constants.signals;
  return constants.signals[name];
}

/** Signals whose default action is to do nothing (or only stop the process). */
const DEFAULT_HARMLESS = new Set(
  ['SIGCHLD', 'SIGCONT', 'SIGURG', 'SIGWINCH', 'SIGSTOP', 'SIGTSTP', 'SIGTTIN', 'SIGTTOU'].map(
    (s) => constants.signals[s as keyof typeof constants.signals],
  ),
);

/**
 * Whether sending `signal` can make the process act: it has a handler, or reads it while blocked,
 * or the default action ends it. False when it ignores the signal, or it is a PID namespace's
 * init with no handler (SIGKILL is the one signal always delivered from outside).
 */
export function hearsSignal(d: SignalDisposition, signal: number): boolean {
  if (signal === constants.signals.SIGKILL) return true;
  const bit = 1n << BigInt(signal - 1);
  if (d.caught & bit || d.blocked & bit) return true;
  if (d.ignored & bit) return false;
  if (d.namespaceInit) return false;
  return !DEFAULT_HARMLESS.has(signal);
}

/** The disposition of a live process, or undefined when it is gone or unreadable. */
export async function readSignalDisposition(pid: number, procRoot = '/proc'): Promise<SignalDisposition | undefined> {
  try {
    return parseProcStatus(await readFile(`${procRoot}/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}
