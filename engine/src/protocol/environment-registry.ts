// The user's registry of environments: which projects have been brought up, from which
// directory and files, on which runtime. `devenv ls` lists it; `down`, `status`, `logs` and
// `restart` with `-p NAME` find an environment by name in it from any directory. The daemon
// records an environment when an `up` loads its config and forgets it after `down`.
//
// One small JSON file per environment, named like its daemon socket (a hash of directory and
// name), in `$XDG_STATE_HOME/devenv/environments` (else `~/.local/state/devenv/environments`),
// a 0700 directory: concurrent daemons never write the same file, and a torn write is replaced
// atomically (write, then rename).

import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { daemonPaths, type ProjectIdentity } from './project-identity.js';

export interface EnvironmentEntry {
  project: string;
  projectDir: string;
  /** The Compose files the environment was brought up from, absolute, in order. */
  files: string[];
  profiles?: string[];
  /** Where it runs: docker, process, kind, k3d (what `--runtime` takes), resolved from `auto`. */
  runtime: string;
  /** When an `up` last recorded it (ISO time). */
  updatedAt: string;
}

export function registryDir(env: Record<string, string | undefined> = process.env): string {
  const state = env.XDG_STATE_HOME || path.join(env.HOME || homedir(), '.local', 'state');
  return path.join(state, 'devenv', 'environments');
}

/** The entry's file: named after the project's daemon socket, so one environment has one entry. */
function entryFile(identity: Pick<ProjectIdentity, 'name' | 'projectDir'>, dir: string): string {
  const socket = daemonPaths({ ...identity, files: [] }).socket;
  return path.join(dir, `${path.basename(socket, '.sock')}.json`);
}

export function recordEnvironment(entry: EnvironmentEntry, dir = registryDir()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = entryFile({ name: entry.project, projectDir: entry.projectDir }, dir);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

export function forgetEnvironment(identity: Pick<ProjectIdentity, 'name' | 'projectDir'>, dir = registryDir()): void {
  rmSync(entryFile(identity, dir), { force: true });
}

/** Every recorded environment, by project name then directory. Unreadable entries are skipped. */
export function listEnvironments(dir = registryDir()): EnvironmentEntry[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch {
    return [];
  }
  return names
    .map((n) => readEntry(path.join(dir, n)))
    .filter((e): e is EnvironmentEntry => e !== undefined)
    .sort((a, b) => a.project.localeCompare(b.project) || a.projectDir.localeCompare(b.projectDir));
}

function readEntry(file: string): EnvironmentEntry | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<EnvironmentEntry>;
    if (
      typeof value.project !== 'string' ||
      typeof value.projectDir !== 'string' ||
      !Array.isArray(value.files) ||
      !value.files.every((f) => typeof f === 'string') ||
      typeof value.runtime !== 'string'
    ) {
      return undefined;
    }
    return {
      project: value.project,
      projectDir: value.projectDir,
      files: value.files,
      ...(Array.isArray(value.profiles) ? { profiles: value.profiles.filter((p) => typeof p === 'string') } : {}),
      runtime: value.runtime,
      updatedAt: typeof value.updatedAt === 'string' ? value.updatedAt : '',
    };
  } catch {
    return undefined;
  }
}
