// An engine inside the CLI process, for commands that must work when no daemon runs: it reads
// the truth from the runtime's own records (labels, pid records) and changes nothing unless asked.

import type { ProjectSpec, ProjectStatus } from '@devenv/engine';
import type { Engine } from '@devenv/engine/engine';
import { Methods } from '@devenv/engine/protocol';
import { findDaemon, type ProjectContext } from './context.js';

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

/** One look at what runs, from the runtime's own records: no daemon needed, nothing changed. */
export async function statusWithoutDaemon(ctx: ProjectContext, runtime: string): Promise<ProjectStatus> {
  const { engine, project } = await localEngine(ctx, runtime);
  try {
    return await engine.attach(project, { watch: false });
  } finally {
    await engine.close();
  }
}

/** The daemon's live view, or one look at the runtime when no daemon runs. */
export async function currentStatus(ctx: ProjectContext, runtime: string): Promise<ProjectStatus> {
  const daemon = await findDaemon(ctx);
  if (!daemon) return statusWithoutDaemon(ctx, runtime);
  try {
    return await daemon.connection.sendRequest(Methods.status);
  } finally {
    daemon.close();
  }
}
