// Running the real CLI on a Compose file of the fixtures under a project name of the test's own,
// with its own state and socket directories, and reading what it created with the docker CLI.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { type CliResult, devenv } from '../helpers/cli.js';
import { docker, inspect } from '../helpers/docker.js';

export { freePorts } from '../helpers/free-port.js';

export interface ServiceRow {
  name: string;
  state: string;
  health: string;
  containerId: string | null;
  ports: { hostIp: string; hostPort: number; containerPort: number; protocol: string }[];
}

export interface StackRun {
  project: string;
  /** DEVENV_STATE_DIR of the stack: the daemon's log (`daemon.log`) is there. */
  stateDir: string;
  run(args: string[], extraEnv?: Record<string, string>): Promise<CliResult>;
  up(extraEnv?: Record<string, string>): Promise<CliResult>;
  down(): Promise<CliResult>;
  status(): Promise<ServiceRow[]>;
  /** The container of a service's instance (1 unless given). */
  container(service: string, replica?: number): string;
  inspect<T = Record<string, unknown>>(service: string, replica?: number): T;
  /** `sh -c script` inside a service's container; its stdout. */
  sh(service: string, script: string, replica?: number): string;
}

/** A stack from `dir/compose.yaml` (or `file`), as project `devenvtest-<label>-<pid>`. */
export function stack(dir: string, label: string, env: Record<string, string> = {}, file = 'compose.yaml'): StackRun {
  const project = `devenvtest-${label}-${process.pid}`;
  const base = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '/root',
    DEVENV_NO_CACHE: '1',
    DEVENV_STATE_DIR: mkdtempSync(join(tmpdir(), `devenv-${label}-state-`)),
    DEVENV_SOCKET_DIR: mkdtempSync(join(tmpdir(), 'devenv-sock-')),
    ...env,
  };
  const args = ['-f', join(dir, file), '-p', project];
  const run = (rest: string[], extraEnv: Record<string, string> = {}) =>
    devenv([...args, ...rest], { cwd: dir, env: { ...base, ...extraEnv } });
  const name = (service: string, replica = 1) => `${project}-${service}-${replica}`;
  return {
    project,
    stateDir: base.DEVENV_STATE_DIR,
    run,
    up: (extraEnv) => run(['up', '--detach', '--no-debug'], extraEnv),
    down: () => run(['down', '--volumes']),
    status: async () => {
      const r = await run(['status', '--json']);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as { services: ServiceRow[] }).services;
    },
    container: name,
    inspect: <T>(service: string, replica = 1) => inspect<T>(name(service, replica)),
    sh: (service, script, replica = 1) => docker(['exec', name(service, replica), 'sh', '-c', script]),
  };
}
