// An engine inside the CLI process, for commands that must work when no daemon runs: it reads
// the truth from the runtime's own records (labels, pid records) and changes nothing unless asked.

import type { ProjectSpec } from '@devenv/engine';
import type { Engine } from '@devenv/engine/engine';
import type { ProjectContext } from './context.js';

export async function localEngine(
  ctx: ProjectContext,
  runtime: string,
): Promise<{ engine: Engine; project: ProjectSpec }> {
  const { Engine, loadProject, parseRuntimeChoice, selectRuntime } = await import('@devenv/engine/engine');
  const { project } = await loadProject({
    files: ctx.identity.files,
    projectDir: ctx.identity.projectDir,
    projectName: ctx.identity.name,
    env: { ...process.env, DEVENV_STATE_DIR: ctx.paths.stateDir },
    ...(ctx.config.profiles ? { profiles: ctx.config.profiles } : {}),
  });
  const choice = parseRuntimeChoice(runtime === 'auto' ? (project.devenv.runtime ?? 'auto') : runtime);
  const engine = new Engine(await selectRuntime(choice, { stateDir: ctx.paths.stateDir }));
  return { engine, project };
}
