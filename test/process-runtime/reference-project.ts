// compose/reference/compose.yaml loaded by the real config loader, as the daemon would:
// DEVENV_STATE_DIR = the test's state directory, PYTHON = the interpreter that has the
// backend's packages (Debian's /usr/bin/python3 when pyenv's shims come first on PATH); the
// test's own project name and ports (BACKEND_PORT, …) so it runs beside the stack of `npm run up`.

import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import { loadProject } from '../../engine/src/config/index.js';
import type { ProjectSpec } from '../../engine/src/model/spec.js';

const repo = resolve(import.meta.dirname, '../..');
export const composeDir = resolve(repo, 'compose/reference');

/** `python3`, unless it lacks the backend's packages and Debian's python3 has them. */
export function backendPython(): string {
  const ok = (python: string) => {
    try {
      execFileSync(python, ['-c', 'import fastapi, celery'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  return !ok('python3') && ok('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

export async function referenceProject(
  stateDir: string,
  opts: { projectName: string; ports: Record<string, string> },
): Promise<ProjectSpec> {
  const { project } = await loadProject({
    files: [resolve(composeDir, 'compose.yaml')],
    projectName: opts.projectName,
    env: {
      ...process.env,
      ...opts.ports,
      DEVENV_STATE_DIR: stateDir,
      PYTHON: process.env.PYTHON ?? backendPython(),
    },
  });
  return project;
}
