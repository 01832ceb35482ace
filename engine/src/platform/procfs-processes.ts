// HostProcesses on Linux, read from /proc: exact start times (clock ticks after boot), the
// environment of every process this user may read, sockets matched to processes by inode.
// Readers return undefined (or nothing) for a process that is gone or unreadable, never throw.

import { existsSync, readFileSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import type { HostProcesses, ListeningSocket, PortHolder, ProcessInfo } from './host-processes.js';
import { environHas, parseProcStat } from './proc-stat.js';
import { readSignalDisposition, type SignalDisposition } from './signal-disposition.js';
import { parseSocketTable, type SocketEntry, uniqueSockets } from './socket-table.js';

const TABLES = [
  ['tcp', 'tcp'],
  ['tcp6', 'tcp'],
  ['udp', 'udp'],
  ['udp6', 'udp'],
] as const;

export class ProcfsProcesses implements HostProcesses {
  readonly kind = 'procfs' as const;
  private bootTimeMs: number | undefined;

  /** `procRoot`: another tree laid out like /proc (unit tests). */
  constructor(private readonly procRoot = '/proc') {}

  async unavailable() {
    if (existsSync(`${this.procRoot}/self/stat`)) return undefined;
    return {
      reason: `there is no Linux /proc here (${process.platform})`,
      hint: 'unset DEVENV_PLATFORM (devenv then reads processes with ps and lsof), or run with `--runtime docker`',
    };
  }

  async info(pid: number): Promise<ProcessInfo | undefined> {
    try {
      return parseProcStat(await readFile(`${this.procRoot}/${pid}/stat`, 'utf8'));
    } catch {
      return undefined;
    }
  }

  infoSync(pid: number): ProcessInfo | undefined {
    try {
      return parseProcStat(readFileSync(`${this.procRoot}/${pid}/stat`, 'utf8'));
    } catch {
      return undefined;
    }
  }

  sameStart(recorded: string, current: string): boolean {
    return recorded === current;
  }

  /** Boot time + start ticks (USER_HZ is 100 on Linux). */
  async startedAt(p: ProcessInfo): Promise<Date | undefined> {
    if (this.bootTimeMs === undefined) {
      const text = await readFile(`${this.procRoot}/stat`, 'utf8').catch(() => '');
      const m = /^btime (\d+)$/m.exec(text);
      this.bootTimeMs = m ? Number(m[1]) * 1000 : 0;
    }
    return this.bootTimeMs ? new Date(this.bootTimeMs + Number(p.startTime) * 10) : undefined;
  }

  async withEnv(name: string, value: string): Promise<ProcessInfo[]> {
    const found: ProcessInfo[] = [];
    await Promise.all(
      (await this.pids()).map(async (pid) => {
        if (pid === process.pid) return;
        let environ: Buffer;
        try {
          environ = await readFile(`${this.procRoot}/${pid}/environ`);
        } catch {
          return; // another user's, when not root: it cannot be ours
        }
        if (!environHas(environ, name, value)) return;
        const p = await this.info(pid);
        if (p && p.state !== 'Z' && p.state !== 'X') found.push(p);
      }),
    );
    return found.sort((a, b) => a.pid - b.pid);
  }

  async groupMembers(pgid: number): Promise<ProcessInfo[]> {
    const all = await Promise.all((await this.pids()).map((pid) => this.info(pid)));
    return all.filter((p): p is ProcessInfo => !!p && p.pgrp === pgid && p.state !== 'Z' && p.state !== 'X');
  }

  signalDisposition(pid: number): Promise<SignalDisposition | undefined> {
    return readSignalDisposition(pid, this.procRoot);
  }

  async commandLine(pid: number): Promise<string | undefined> {
    try {
      const parts = (await readFile(`${this.procRoot}/${pid}/cmdline`)).toString('utf8').split('\0');
      if (parts.at(-1) === '') parts.pop();
      return parts.join(' ');
    } catch {
      return undefined;
    }
  }

  async listeningSockets(pids: number[]): Promise<ListeningSocket[]> {
    if (pids.length === 0) return [];
    const inodes = new Set<string>();
    for (const set of await Promise.all(pids.map((p) => this.socketInodes(p)))) for (const i of set) inodes.add(i);
    if (inodes.size === 0) return [];
    // The tables of the first process's network namespace (a group shares one on the host).
    const tables = await this.tables(`${this.procRoot}/${pids[0]}/net`);
    return uniqueSockets(tables.filter((e) => inodes.has(e.inode)));
  }

  async tcpPortsAround(pid: number): Promise<Set<number> | undefined> {
    let ports: Set<number> | undefined;
    for (const file of ['tcp', 'tcp6']) {
      const text = await readFile(`${this.procRoot}/${pid}/net/${file}`, 'utf8').catch(() => undefined);
      if (text === undefined) continue;
      ports ??= new Set();
      for (const socket of parseSocketTable(text, 'tcp')) ports.add(socket.port);
    }
    return ports;
  }

  async portHolders(port: number): Promise<PortHolder[]> {
    const listening = (await this.tables(`${this.procRoot}/net`)).filter(
      (e) => e.protocol === 'tcp' && e.port === port,
    );
    if (listening.length === 0) return [];
    const byInode = new Map(listening.map((e) => [e.inode, e.address]));
    const holders: PortHolder[] = [];
    for (const pid of await this.pids()) {
      for (const inode of await this.socketInodes(pid)) {
        const address = byInode.get(inode);
        if (address === undefined) continue;
        const command = await readlink(`${this.procRoot}/${pid}/exe`)
          .then((p) => p.split('/').pop() ?? p)
          .catch(async () => (await readFile(`${this.procRoot}/${pid}/comm`, 'utf8').catch(() => '?')).trim());
        holders.push({ pid, command, address });
      }
    }
    return holders;
  }

  private async pids(): Promise<number[]> {
    const names = await readdir(this.procRoot).catch(() => [] as string[]);
    return names.filter((n) => /^\d+$/.test(n)).map(Number);
  }

  private async tables(netDir: string): Promise<SocketEntry[]> {
    const tables = await Promise.all(
      TABLES.map(async ([file, proto]) =>
        parseSocketTable(await readFile(`${netDir}/${file}`, 'utf8').catch(() => ''), proto),
      ),
    );
    return tables.flat();
  }

  /** Inodes of the sockets a process holds open (`/proc/<pid>/fd/* -> socket:[inode]`). */
  private async socketInodes(pid: number): Promise<Set<string>> {
    const out = new Set<string>();
    let fds: string[];
    try {
      fds = await readdir(`${this.procRoot}/${pid}/fd`);
    } catch {
      return out;
    }
    await Promise.all(
      fds.map(async (fd) => {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(await readlink(`${this.procRoot}/${pid}/fd/${fd}`));
          if (m) out.add(m[1]!);
        } catch {
          // closed meanwhile
        }
      }),
    );
    return out;
  }
}
