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
