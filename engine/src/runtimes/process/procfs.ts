// Reading Linux /proc: a process's identity (pid + kernel start time, so a reused pid is never
// mistaken for ours), its process group, the instance token in its environment, and its open
// sockets. Parsers are pure and tested with real-world lines; readers return undefined for a
// process that is gone or unreadable instead of throwing.

import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcStat {
  pid: number;
  /** The executable's name as the kernel keeps it (≤ 15 bytes, may hold spaces and parentheses). */
  comm: string;
  /** R, S, D, Z (zombie), T, X (dead) … */
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  /** Field 22: clock ticks after boot at which the process started. Kept as text, compared exactly. */
  startTime: string;
}

/**
 * Parse `/proc/<pid>/stat`. The second field is `(comm)` and comm may contain spaces and `)`,
 * so the fields after it are found from the LAST `)` in the line.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // Fields 3… follow ") "; rest[0] is field 3.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  if (!Number.isInteger(pid) || rest.length < 20) return undefined;
  const field = (n: number) => rest[n - 3]!;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: field(3),
    ppid: Number(field(4)),
    pgrp: Number(field(5)),
    session: Number(field(6)),
    startTime: field(22),
  };
}

export async function readProcStat(pid: number, procRoot = '/proc'): Promise<ProcStat | undefined> {
  try {
    return parseProcStat(await readFile(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export type Liveness = 'alive' | 'gone' | 'reused';

/** Is the process we recorded (pid + start time) still the one running under that pid? */
export function livenessOf(stat: ProcStat | undefined, startTime: string): Liveness {
  if (!stat) return 'gone';
  if (stat.startTime !== startTime) return 'reused';
  // A zombie has exited; only its parent's wait() is missing.
  return stat.state === 'Z' || stat.state === 'X' ? 'gone' : 'alive';
}

export async function checkProcess(pid: number, startTime: string): Promise<Liveness> {
  return livenessOf(await readProcStat(pid), startTime);
}

export async function listPids(procRoot = '/proc'): Promise<number[]> {
  const names = await readdir(procRoot);
  const pids: number[] = [];
  for (const n of names) if (/^\d+$/.test(n)) pids.push(Number(n));
  return pids;
}

export const TOKEN_VAR = 'DEVENV_INSTANCE_TOKEN';

/** True when the NUL-separated environment block holds `DEVENV_INSTANCE_TOKEN=<token>`. */
export function environHasToken(environ: Buffer, token: string): boolean {
  const needle = Buffer.from(`${TOKEN_VAR}=${token}\0`);
  const at = environ.indexOf(needle);
  return at === 0 || (at > 0 && environ[at - 1] === 0);
}

/**
 * Every live process whose environment carries the instance token: the wrapper, the service and
 * whatever they started, even after a `setsid`. Unreadable processes (another user's, when not
 * root) are skipped: they cannot be ours.
 */
export async function findByToken(token: string, procRoot = '/proc'): Promise<ProcStat[]> {
  const pids = await listPids(procRoot);
  const found: ProcStat[] = [];
  await Promise.all(
    pids.map(async (pid) => {
      if (pid === process.pid) return;
      let environ: Buffer;
      try {
        environ = await readFile(`${procRoot}/${pid}/environ`);
      } catch {
        return;
      }
      if (!environHasToken(environ, token)) return;
      const stat = await readProcStat(pid, procRoot);
      if (stat && stat.state !== 'Z' && stat.state !== 'X') found.push(stat);
    }),
  );
  return found.sort((a, b) => a.pid - b.pid);
}

/** Members of a process group (the group id is the leader's pid). */
export async function groupMembers(pgid: number, procRoot = '/proc'): Promise<ProcStat[]> {
  const pids = await listPids(procRoot);
  const stats = await Promise.all(pids.map((pid) => readProcStat(pid, procRoot)));
  return stats.filter((s): s is ProcStat => !!s && s.pgrp === pgid && s.state !== 'Z' && s.state !== 'X');
}

/** The command line of a process as its argv. */
export async function readCmdline(pid: number, procRoot = '/proc'): Promise<string[] | undefined> {
  try {
    const raw = await readFile(`${procRoot}/${pid}/cmdline`);
    const parts = raw.toString('utf8').split('\0');
    if (parts.at(-1) === '') parts.pop();
    return parts;
  } catch {
    return undefined;
  }
}

/** Inodes of the sockets a process holds open (`/proc/<pid>/fd/* -> socket:[inode]`). */
export async function socketInodes(pid: number, procRoot = '/proc'): Promise<Set<string>> {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = await readdir(`${procRoot}/${pid}/fd`);
  } catch {
    return out;
  }
  await Promise.all(
    fds.map(async (fd) => {
      try {
        const target = await readlink(`${procRoot}/${pid}/fd/${fd}`);
        const m = /^socket:\[(\d+)\]$/.exec(target);
        if (m) out.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }),
  );
  return out;
}
