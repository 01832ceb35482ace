// Parsing `ps` output (procps on Linux, BSD ps on macOS; both run with LC_ALL=C):
//   ps -o pid= -o ppid= -o pgid= -o stat= -o lstart= -o comm=
// lstart is always five words in the C locale ("Mon Dec  7 06:31:32 2026"); comm comes last,
// since it may hold spaces. Pure, tested with real lines of both.

import type { ProcessInfo } from './host-processes.js';

export const PS_COLUMNS = ['-o', 'pid=', '-o', 'ppid=', '-o', 'pgid=', '-o', 'stat=', '-o', 'lstart=', '-o', 'comm='];

/** One process line; its start time as `ps:<unix seconds>` (lstart is local time, to the second). */
export function parsePsLine(line: string): ProcessInfo | undefined {
  const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+)\s+(\w{3}\s+\w{3}\s+\d{1,2}\s+\d{1,2}:\d{2}:\d{2}\s+\d{4})\s?(.*)$/.exec(
    line,
  );
  if (!m) return undefined;
  const started = Date.parse(m[5]!.replace(/\s+/g, ' '));
  if (Number.isNaN(started)) return undefined;
  return {
    pid: Number(m[1]),
    ppid: Number(m[2]),
    pgrp: Number(m[3]),
    state: m[4]!.charAt(0),
    startTime: `ps:${Math.floor(started / 1000)}`,
    comm: m[6]!.trim(),
  };
}

export function parsePsTable(text: string): ProcessInfo[] {
  const out: ProcessInfo[] = [];
  for (const line of text.split('\n')) {
    const p = parsePsLine(line);
    if (p) out.push(p);
  }
  return out;
}

/**
 * `ps:<seconds>` start times. Linux's ps derives lstart from the boot time, which moves with
 * the wall clock, so a second either way is the same start; a pid is not reused that fast.
 */
export function samePsStart(recorded: string, current: string): boolean {
  const a = /^ps:(\d+)$/.exec(recorded);
  const b = /^ps:(\d+)$/.exec(current);
  return !!a && !!b && Math.abs(Number(a[1]) - Number(b[1])) <= 1;
}

/**
 * Lines of `ps -A -ww -o pid= -o command=` with the environment shown after the command (Linux
 * `e`, macOS `-E`): the pids whose line holds `name=value` as a whole word.
 */
export function pidsWithEnv(text: string, name: string, value: string): number[] {
  const needle = `${name}=${value}`;
  const out: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2]!;
    for (let at = rest.indexOf(needle); at >= 0; at = rest.indexOf(needle, at + 1)) {
      const before = at === 0 ? ' ' : rest[at - 1]!;
      const after = rest[at + needle.length] ?? ' ';
      if (/\s/.test(before) && /\s/.test(after)) {
        out.push(Number(m[1]));
        break;
      }
    }
  }
  return out;
}

/** The pid and every process below it, from a process table. */
export function descendants(table: ProcessInfo[], pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const p of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid]);
  const out: number[] = [];
  const todo = [pid];
  while (todo.length > 0) {
    const next = todo.pop()!;
    if (out.includes(next)) continue;
    out.push(next);
    todo.push(...(children.get(next) ?? []));
  }
  return out;
}
