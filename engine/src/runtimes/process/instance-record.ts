// The record of one service's instance: `<stateDir>/processes/<service>.json`. It plays the part
// a container's labels play for Docker, and is never trusted alone: its pid counts only while
// /proc shows that pid with the recorded kernel start time. Written atomically (temp + rename),
// so a crash leaves the old record or the new one, never half of one.

import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HealthcheckSpec, ProcessSpec } from '../../model/spec.js';
import type { Health } from '../../model/status.js';

export const RECORD_VERSION = 1;

/** In every instance's environment: how its processes are found again, even after a `setsid`. */
export const TOKEN_VAR = 'DEVENV_INSTANCE_TOKEN';

export type RecordStatus =
  /** Created, never started (or a start that never reached spawn). */
  | 'created'
  /** `init` is running; no pid of the service yet. */
  | 'initialising'
  /** About to spawn: the token is in the record, the pid not yet. */
  | 'starting'
  | 'running'
  | 'exited';

export interface InstanceRecord {
  version: number;
  project: string;
  service: string;
  /** Random; in the instance's environment as DEVENV_INSTANCE_TOKEN and in its id. */
  token: string;
  specHash: string;
  process: ProcessSpec;
  /** Compose `healthcheck` timing the probe borrows (start period, steady interval). */
  composeHealth?: Pick<HealthcheckSpec, 'intervalMs' | 'startPeriodMs' | 'startIntervalMs'>;
  stopSignal: string;
  createdAt: string;
  status: RecordStatus;
  /** The wrapper: group leader, so pgid === pid. */
  pid?: number;
  pgid?: number;
  /** The leader's start time at spawn, as the platform tells it (/proc: stat field 22; ps: lstart). */
  startTime?: string;
  startedAt?: string;
  /** Size of the log file when this run was spawned. */
  logOffset?: number;
  exitCode?: number;
  finishedAt?: string;
  /**
   * What the current run was started with when its user could not reach parts of the project
   * (handover.ts): copies of the files it names, and a working directory it can enter.
   */
  handover?: { cwd: string; command: string[]; init?: string[]; probe?: string[] };
  /** Last health seen, so an adopting runtime resumes from it instead of `starting`. */
  health?: { status: Health; failures: number };
}

export function instanceId(service: string, token: string): string {
  return `proc:${service}:${token}`;
}

export function parseInstanceId(id: string): { service: string; token: string } | undefined {
  const m = /^proc:(.+):([0-9a-f]{16,64})$/.exec(id);
  return m ? { service: m[1]!, token: m[2]! } : undefined;
}

export function newToken(): string {
  return randomBytes(16).toString('hex');
}

export class RecordStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'processes');
  }

  path(service: string): string {
    return join(this.dir, `${service}.json`);
  }

  /** Written by the wrapper (fd 3) when the service exits: its exit code. */
  exitFile(service: string, token: string): string {
    return join(this.dir, `${service}.${token}.exit`);
  }

  async read(service: string): Promise<InstanceRecord | undefined> {
    let text: string;
    try {
      text = await readFile(this.path(service), 'utf8');
    } catch {
      return undefined;
    }
    return parseRecord(text);
  }

  async write(record: InstanceRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const target = this.path(record.service);
    const temp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
    try {
      await rename(temp, target);
    } catch (err) {
      await unlink(temp).catch(() => undefined);
      throw err;
    }
  }

  async delete(service: string, token: string): Promise<void> {
    await unlink(this.exitFile(service, token)).catch(() => undefined);
    await unlink(this.path(service)).catch(() => undefined);
  }

  async list(): Promise<InstanceRecord[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const records = await Promise.all(
      names.filter((n) => n.endsWith('.json')).map((n) => this.read(n.slice(0, -'.json'.length))),
    );
    return records.filter((r): r is InstanceRecord => !!r);
  }

  /** The exit code the wrapper wrote, if it got to write one. */
  async readExitCode(service: string, token: string): Promise<number | undefined> {
    try {
      const text = (await readFile(this.exitFile(service, token), 'utf8')).trim();
      return /^\d+$/.test(text) ? Number(text) : undefined;
    } catch {
      return undefined;
    }
  }
}

export function parseRecord(text: string): InstanceRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const r = value as Partial<InstanceRecord>;
  if (r.version !== RECORD_VERSION || typeof r.service !== 'string' || typeof r.token !== 'string') return undefined;
  if (typeof r.project !== 'string' || typeof r.status !== 'string' || typeof r.process !== 'object') return undefined;
  return r as InstanceRecord;
}
