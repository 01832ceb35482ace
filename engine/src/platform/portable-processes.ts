// HostProcesses built on `ps` and `lsof`, for macOS (no /proc) and forced anywhere with
// DEVENV_PLATFORM=portable. Start times come from ps's `lstart` (to the second: a pid reused
// within the same second of the first one's start is the one case it cannot tell apart); the
// environment from `ps -E` (macOS) or `ps e` (procps); sockets from `lsof -F`. On macOS lsof
// is /usr/sbin/lsof, off the PATH of some shells: it is looked for there too.

import { execFile, execFileSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { HostProcesses, ListeningSocket, PortHolder, ProcessInfo } from './host-processes.js';
import { parseLsofListening } from './lsof-output.js';
import { descendants, PS_COLUMNS, parsePsLine, parsePsTable, pidsWithEnv, samePsStart } from './ps-output.js';
import type { SignalDisposition } from './signal-disposition.js';
import { uniqueSockets } from './socket-table.js';

const run = promisify(execFile);
const C_LOCALE = { ...process.env, LC_ALL: 'C', LANG: 'C' };
const BIG = 64 * 1024 * 1024;

export class PortableProcesses implements HostProcesses {
  readonly kind = 'portable' as const;
  private lsofPath: string | undefined;

  async unavailable() {
    if (!findTool('ps')) {
      return { reason: 'ps is not on PATH', hint: 'install procps (`apt-get install -y procps`), or add ps to PATH' };
    }
    if (!this.lsof()) {
      return {
        reason: 'lsof is not installed (devenv reads listening ports with it where there is no /proc)',
        hint:
          process.platform === 'darwin'
            ? 'lsof ships in /usr/sbin on macOS: restore it, or add /usr/sbin to PATH'
            : 'apt-get install -y lsof',
      };
    }
    return undefined;
  }

  async info(pid: number): Promise<ProcessInfo | undefined> {
    if (!validPid(pid)) return undefined;
    const out = await run('ps', ['-p', String(pid), ...PS_COLUMNS], { env: C_LOCALE }).catch(() => undefined);
    return out ? parsePsLine(out.stdout.split('\n')[0] ?? '') : undefined;
  }

  infoSync(pid: number): ProcessInfo | undefined {
    if (!validPid(pid)) return undefined;
    try {
      // A spawnSync runs its own loop: Node cannot reap the child meanwhile.
      const out = execFileSync('ps', ['-p', String(pid), ...PS_COLUMNS], { env: C_LOCALE, encoding: 'utf8' });
      return parsePsLine(out.split('\n')[0] ?? '');
    } catch {
      return undefined;
    }
  }

  sameStart(recorded: string, current: string): boolean {
    return samePsStart(recorded, current);
  }

  async startedAt(p: ProcessInfo): Promise<Date | undefined> {
    const m = /^ps:(\d+)$/.exec(p.startTime);
    return m ? new Date(Number(m[1]) * 1000) : undefined;
  }

  async withEnv(name: string, value: string): Promise<ProcessInfo[]> {
    const envFlag = process.platform === 'darwin' ? '-E' : 'e';
    const out = await run('ps', ['-A', '-ww', envFlag, '-o', 'pid=', '-o', 'command='], {
      env: C_LOCALE,
      maxBuffer: BIG,
    }).catch(() => undefined);
    if (!out) return [];
    const pids = new Set(pidsWithEnv(out.stdout, name, value));
    pids.delete(process.pid);
    if (pids.size === 0) return [];
    return (await this.table()).filter((p) => pids.has(p.pid) && p.state !== 'Z').sort((a, b) => a.pid - b.pid);
  }

  async groupMembers(pgid: number): Promise<ProcessInfo[]> {
    return (await this.table()).filter((p) => p.pgrp === pgid && p.state !== 'Z');
  }

  /** `ps` does not show a process's signal masks: unknown, so a stop keeps its grace period. */
  async signalDisposition(_pid: number): Promise<SignalDisposition | undefined> {
    return undefined;
  }

  async commandLine(pid: number): Promise<string | undefined> {
    if (!validPid(pid)) return undefined;
    const out = await run('ps', ['-p', String(pid), '-ww', '-o', 'command='], { env: C_LOCALE }).catch(() => undefined);
    const line = out?.stdout.split('\n')[0]?.trim();
    return line || undefined;
  }

  async listeningSockets(pids: number[]): Promise<ListeningSocket[]> {
    const valid = pids.filter(validPid);
    if (valid.length === 0) return [];
    return uniqueSockets(await this.lsofListening(['-a', '-p', valid.join(','), '-i']));
  }

  async tcpPortsAround(pid: number): Promise<Set<number> | undefined> {
    if (!validPid(pid)) return undefined;
    const table = await this.table();
    if (!table.some((p) => p.pid === pid)) return undefined;
    const sockets = await this.listeningSockets(descendants(table, pid));
    return new Set(sockets.filter((s) => s.protocol === 'tcp').map((s) => s.port));
  }

  async portHolders(port: number): Promise<PortHolder[]> {
    const found = await this.lsofListening([`-iTCP:${port}`, '-sTCP:LISTEN']);
    return found.filter((s) => s.port === port).map((s) => ({ pid: s.pid, command: s.command, address: s.address }));
  }

  private async table(): Promise<ProcessInfo[]> {
    const out = await run('ps', ['-A', ...PS_COLUMNS], { env: C_LOCALE, maxBuffer: BIG }).catch(() => undefined);
    return out ? parsePsTable(out.stdout) : [];
  }

  private async lsofListening(select: string[]) {
    const lsof = this.lsof();
    if (!lsof) return [];
    // Exit status 1 means "nothing matched" as well as trouble: the output decides.
    const out = await run(lsof, ['-nP', '-w', ...select, '-F', 'pcfPntT'], { env: C_LOCALE, maxBuffer: BIG }).catch(
      (err: { stdout?: string }) => ({ stdout: err.stdout ?? '' }),
    );
    return parseLsofListening(out.stdout);
  }

  private lsof(): string | undefined {
    this.lsofPath ??= findTool('lsof', ['/usr/sbin', '/usr/bin', '/sbin']);
    return this.lsofPath;
  }
}

function validPid(pid: number): boolean {
  return Number.isInteger(pid) && pid > 0;
}

function findTool(name: string, extra: string[] = []): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...extra];
  for (const dir of dirs) {
    const path = join(dir, name);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}
