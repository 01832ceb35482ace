// The project's Python virtualenv for a Python service on the process runtime: what a developer
// activates in their shell before `flask run`, found the way they would expect, so the service
// (and its debugger, and devenv's check for debugpy) runs the interpreter and packages of that
// virtualenv and not whatever `python3` comes first on PATH (often a pyenv or Homebrew build).
//
// Where from, first found: `VIRTUAL_ENV` in the service's `x-devenv.process.env`, then in devenv's
// own environment (a shell with a virtualenv activated), then `.venv` or `venv` in the service's
// cwd, then in the project directory. A directory counts when it holds `pyvenv.cfg`.
// A Python service: its program, looked up on PATH, is a Python interpreter (python, python3,
// python3.12) or a console script found in the virtualenv's bin (uvicorn, flask, celery
// installed there). A program given by path is left alone.

import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ProcessSpec } from '../../model/spec.js';

const PYTHON = /^python(\d+(\.\d+)*)?$/;
const NAMES = ['.venv', 'venv'];

/**
 * Variables that run the service in the project's virtualenv (`VIRTUAL_ENV`, and `PATH` with its
 * bin first), or undefined when there is none or the service is not a Python program.
 */
export function virtualenvEnv(
  proc: Pick<ProcessSpec, 'command' | 'cwd' | 'env'>,
  projectDir: string,
  hostEnv: Readonly<Record<string, string | undefined>>,
): { VIRTUAL_ENV: string; PATH: string } | undefined {
  const venv = findVirtualenv(proc, projectDir, hostEnv);
  if (!venv) return undefined;
  const bin = path.join(venv, 'bin');
  // A program given by path was chosen on purpose (`/usr/bin/python3`, `.venv/bin/python`): leave it.
  const program = programOf(proc.command);
  if (!program || program.includes('/') || !(PYTHON.test(program) || isFile(path.join(bin, program)))) return undefined;
  const current = proc.env.PATH ?? hostEnv.PATH ?? '';
  const rest = current.split(':').filter((p) => p !== '' && path.resolve(p) !== bin);
  return { VIRTUAL_ENV: venv, PATH: [bin, ...rest].join(':') };
}

export function findVirtualenv(
  proc: Pick<ProcessSpec, 'cwd' | 'env'>,
  projectDir: string,
  hostEnv: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const declared = proc.env.VIRTUAL_ENV ?? hostEnv.VIRTUAL_ENV;
  if (declared) return path.resolve(proc.cwd, declared);
  for (const dir of [proc.cwd, projectDir]) {
    for (const name of NAMES) {
      const candidate = path.join(dir, name);
      if (isFile(path.join(candidate, 'pyvenv.cfg'))) return candidate;
    }
  }
  return undefined;
}

/** The program a command runs, past `env VAR=value` and `exec`. */
function programOf(command: readonly string[]): string | undefined {
  let i = 0;
  while (i < command.length) {
    const t = command[i]!;
    if (t === 'exec' || (path.basename(t) === 'env' && i === 0) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(t)) {
      i++;
      continue;
    }
    return t;
  }
  return undefined;
}

function isFile(p: string): boolean {
  try {
    return existsSync(p) && statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The process spec with the project's virtualenv in its environment (the spec itself when none applies). */
export function withVirtualenv(
  proc: ProcessSpec,
  projectDir: string,
  hostEnv: Readonly<Record<string, string | undefined>>,
): ProcessSpec {
  const env = virtualenvEnv(proc, projectDir, hostEnv);
  return env ? { ...proc, env: { ...proc.env, ...env } } : proc;
}
