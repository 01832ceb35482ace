// An engine inside the CLI process, for commands that must work when no daemon runs: it reads
// the truth from the runtime's own records (labels, pid records) and changes nothing unless asked.

import type { ProjectSpec } from '@devenv/engine';
import type { Engine } from '@devenv/engine/engine';
import type { ProjectContext } from './context.js';

export async function localEngine(
  ctx: ProjectContext,
  runtime: string,
): Promise<{ engine: Engine; project: ProjectSpec }> {
  const { Engine, loadProject, parseRuntimeChoice, selectRuntime, servicesStateDirOf } = await import(
    '@devenv/engine/engine'
  );
  const load = async (stateDir: string) =>
    (
      await loadProject({
        files: ctx.identity.files,
        projectDir: ctx.identity.projectDir,
        projectName: ctx.identity.name,
        env: { ...process.env, DEVENV_STATE_DIR: stateDir },
        ...(ctx.config.profiles ? { profiles: ctx.config.profiles } : {}),
      })
    ).project;
  let project = await load(ctx.paths.stateDir);
  const choice = parseRuntimeChoice(runtime === 'auto' ? (project.devenv.runtime ?? 'auto') : runtime);
  const selected = await selectRuntime(choice, {
    stateDir: ctx.paths.stateDir,
    project,
    explicitStateDir: process.env.DEVENV_STATE_DIR !== undefined,
  });
  // The services' state may live elsewhere (see the daemon's loadWithEngine): read the config with it.
  const servicesStateDir = servicesStateDirOf(selected);
  if (servicesStateDir && servicesStateDir !== ctx.paths.stateDir) project = await load(servicesStateDir);
  return { engine: new Engine(selected), project };
}
