// `down` and `devenv reset` on Kubernetes. down: the root Application is deleted, cascading to
// every child Application and what it deployed; volumes (PVCs, the namespace) stay unless asked.
// Soft reset: down with volumes. Hard reset: the cluster deleted and created again (the registry
// and its images stay), only on a cluster devenv created.

import { UserError } from '../../errors.js';
import type { EventSink } from '../../model/events.js';
import type { ProjectSpec } from '../../model/spec.js';
import type { ClusterSpec } from './cluster-config.js';
import { recreateCluster } from './cluster-lifecycle.js';
import type { CommandRunner } from './command-runner.js';
import { appProjectName, projectNamespace, rootAppName } from './names.js';
import { downSteps } from './procedure.js';

export async function takeProjectDown(
  runner: CommandRunner,
  context: string,
  project: ProjectSpec,
  volumes: boolean,
): Promise<void> {
  const steps = downSteps(
    context,
    rootAppName(project.name),
    appProjectName(project.name),
    projectNamespace(project.name),
    volumes,
  );
  for (const cmd of steps) await runner.run(cmd, { timeoutMs: 330_000 });
}

export async function recreateOwnCluster(
  runner: CommandRunner,
  cluster: ClusterSpec | undefined,
  context: string,
  stateDir: string,
  sink: EventSink,
): Promise<void> {
  if (!cluster) {
    throw new UserError({
      code: 'kubernetes.reset-shared',
      message: `a hard reset deletes the cluster, and devenv did not create the one of context ${context}`,
      hint: 'use `devenv reset --soft` on a shared cluster',
    });
  }
  await recreateCluster(runner, cluster, stateDir, sink);
}
