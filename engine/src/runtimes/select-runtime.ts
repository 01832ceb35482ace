// Which runtime runs a project: what the user asked for (`--runtime`, `x-devenv.runtime`), or
// on `auto` Docker when an engine answers, otherwise local processes.

import { UserError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { DockerRuntime } from './docker/docker-runtime.js';
import { ProcessRuntime } from './process/process-runtime.js';

export type RuntimeChoice = 'auto' | 'docker' | 'process' | 'kind' | 'k3d' | 'kubernetes';

export interface RuntimeContext {
  /** The project's state directory (pid records, process data). */
  stateDir: string;
  /** `kubernetes`: the kube context of a cluster devenv did not create (default DEVENV_KUBE_CONTEXT). */
  kubeContext?: string;
  /** `kubernetes`: the registry that cluster pulls from (default DEVENV_K8S_REGISTRY). */
  imageRegistry?: string;
}

export const runtimeChoices: RuntimeChoice[] = ['auto', 'docker', 'process', 'kind', 'k3d', 'kubernetes'];

export async function selectRuntime(choice: RuntimeChoice, ctx: RuntimeContext): Promise<Runtime> {
  switch (choice) {
    case 'docker':
      return new DockerRuntime();
    case 'process':
      return new ProcessRuntime({ stateDir: ctx.stateDir });
    case 'auto': {
      // An engine that answers quickly wins; otherwise the embedded default needs nothing installed.
      const docker = new DockerRuntime();
      try {
        await docker.connect();
        return docker;
      } catch {
        await docker.close();
        return new ProcessRuntime({ stateDir: ctx.stateDir });
      }
    }
    case 'kind':
    case 'k3d':
    case 'kubernetes': {
      // Loaded only when asked for: the Kubernetes client alone costs ~0.5 s and ~75 MB.
      const { KubernetesRuntime } = await import('./kubernetes/kubernetes-runtime.js');
      if (choice !== 'kubernetes') {
        const clusterName = process.env.DEVENV_CLUSTER_NAME;
        return new KubernetesRuntime({
          provider: choice,
          stateDir: ctx.stateDir,
          ...(clusterName ? { clusterName } : {}),
        });
      }
      const context = ctx.kubeContext ?? process.env.DEVENV_KUBE_CONTEXT;
      const imageRegistry = ctx.imageRegistry ?? process.env.DEVENV_K8S_REGISTRY;
      return new KubernetesRuntime({
        provider: 'context',
        stateDir: ctx.stateDir,
        ...(context ? { context } : {}),
        ...(imageRegistry ? { imageRegistry } : {}),
      });
    }
  }
}

export function parseRuntimeChoice(value: string): RuntimeChoice {
  if ((runtimeChoices as string[]).includes(value)) return value as RuntimeChoice;
  throw new UserError({
    code: 'cli.bad-runtime',
    message: `unknown runtime ${JSON.stringify(value)}`,
    hint: `use one of: ${runtimeChoices.join(', ')}`,
  });
}
