// The fork reloader run by hand, exactly as devenv writes its command line: Debian's python3
// (optionally under debugpy) with `-c BOOT` before the server's own arguments and the reloader's
// text in the environment. Each run has its own temp directory and process group; `stopReloaders`
// (in afterEach) kills the groups and removes the directories.

import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RELOADER_BOOT, RELOADER_ENV, RELOADER_PATH } from '../../engine/src/reload/fork-reload.js';

export const PYTHON = '/usr/bin/python3';

export interface Running {
  dir: string;
  child: ChildProcess;
  output: () => string;
}

const running: Running[] = [];

export function stopReloaders(): void {
  for (const r of running.splice(0)) {
    try {
      process.kill(-r.child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(r.dir, { recursive: true, force: true });
  }
}

/**
 * Start `python3 [debugpy…] -c BOOT ARGS…` in a new temp directory that `prepare` fills first.
 * `env`: variables over this process's (undefined removes one).
 */
export function startReloader(opts: {
  prepare: (dir: string) => void;
  args: string[];
  interpreterArgs?: string[];
  env?: Record<string, string | undefined>;
}): Running {
  const dir = mkdtempSync(path.join(tmpdir(), 'devenv-reload-'));
  opts.prepare(dir);
  const env: Record<string, string | undefined> = {
    ...process.env,
    [RELOADER_ENV]: readFileSync(RELOADER_PATH, 'utf8'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  let out = '';
  const child = spawn(PYTHON, [...(opts.interpreterArgs ?? []), '-c', RELOADER_BOOT, ...opts.args], {
    cwd: dir,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const r = { dir, child, output: () => out };
  running.push(r);
  return r;
}
