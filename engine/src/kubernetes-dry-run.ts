// `devenv --runtime kind|k3d|kubernetes up --dry-run`: the Kubernetes plan of the project as `up`
// would run it (debuggers and the reloader in the services' commands, as the engine prepares
// them), every command line and every manifest; nothing is run and nothing changes.

import path from 'node:path';
import { planDebug } from './debug/index.js';
import { prepareService } from './engine/prepare-service.js';
import type { Problem } from './errors.js';
import type { ProjectSpec } from './model/spec.js';
import { formatPlan, planKubernetes } from './runtimes/kubernetes/up-plan.js';

export interface KubernetesDryRunOptions {
  runtime: 'kind' | 'k3d' | 'kubernetes';
  /** The project's state directory (the runtime's files go under `k8s/`). */
  stateDir: string;
  kubeContext?: string;
  imageRegistry?: string;
  /** False: no debuggers (`up --no-debug`). */
  debug?: boolean;
}

export async function kubernetesDryRun(
  project: ProjectSpec,
  opts: KubernetesDryRunOptions,
): Promise<{ text: string; problems: Problem[] }> {
  const debugPlan = await planDebug(project, 'kubernetes', [], { enabled: opts.debug !== false });
  const notes: string[] = [];
  const services = { ...project.services };
  for (const [name, spec] of Object.entries(project.services)) {
    const prepared = prepareService(spec, { runtime: 'kubernetes', debugPlan });
    services[name] = prepared.service;
    // Nothing is built in a dry run: a command left to the image is known only once it is.
    const fromImage = !spec.entrypoint && !spec.command && debugPlan.services[name] && !prepared.endpoint;
    if (fromImage) {
      notes.push(
        `# ${name}: runs its image's command, known once the image is built: \`up\` starts it under its debugger then; shown here without`,
      );
      continue;
    }
    for (const note of prepared.notes) notes.push(`# ${name}: ${note}`);
  }
  const plan = await planKubernetes(
    { ...project, services },
    {
      provider: opts.runtime === 'kubernetes' ? 'context' : opts.runtime,
      stateDir: path.join(opts.stateDir, 'k8s'),
      devenvDir: opts.stateDir,
      originals: project.services,
      ...(opts.kubeContext ? { context: opts.kubeContext } : {}),
      ...(opts.imageRegistry ? { imageRegistry: opts.imageRegistry } : {}),
    },
  );
  return { text: `${notes.join('\n')}${notes.length > 0 ? '\n' : ''}${formatPlan(plan)}`, problems: plan.problems };
}
