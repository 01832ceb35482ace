// Which runtime runs a project: what the user asked for (`--runtime`, `x-devenv.runtime`), or
// on `auto` Docker when an engine answers, otherwise local processes.

import { UserError } from '../errors.js';
import type { ProjectSpec } from '../model/spec.js';
import type { Runtime } from '../runtime-interface/runtime.js';
import { DockerRuntime } from './docker/docker-runtime.js';
import { ProcessRuntime } from './process/process-runtime.js';
import { placeServicesState } from './process/services-state-dir.js';

export type RuntimeChoice = 'auto' | 'docker' | 'process' | 'kind' | 'k3d' | 'kubernetes';

export interface RuntimeContext {
  /** The project's state directory (pid records, process data). */
  stateDir: string;
  /** The project: the process runtime decides from its services' users where their state lives. */
  project?: ProjectSpec;
  /** DEVENV_STATE_DIR came from the user: the services' state stays there, reachable or not. */
  explicitStateDir?: boolean;
  /** Told when the services' state directory is made somewhere else (once: when it is created). */
  onNotice?: (message: string) => void;
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
      return processRuntime(ctx);
    case 'auto': {
      // An engine that answers quickly wins; otherwise the embedded default needs nothing installed.
      const docker = new DockerRuntime();
      try {
        await docker.connect();
        return docker;
      } catch {
        await docker.close();
        return processRuntime(ctx);
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

async function processRuntime(ctx: RuntimeContext): Promise<ProcessRuntime> {
  const placed = ctx.project
    ? await placeServicesState({ project: ctx.project, stateDir: ctx.stateDir, explicit: !!ctx.explicitStateDir })
    : { dir: ctx.stateDir };
  if (placed.moved?.created) {
    ctx.onNotice?.(`${placed.moved.reason}: the services' state (DEVENV_STATE_DIR) is kept in ${placed.dir}`);
  }
  return new ProcessRuntime({ stateDir: ctx.stateDir, servicesStateDir: placed.dir });
}

/** DEVENV_STATE_DIR as the runtime's services see it, when the runtime chose it (else undefined). */
export function servicesStateDirOf(runtime: Runtime): string | undefined {
  return runtime instanceof ProcessRuntime ? runtime.servicesStateDir : undefined;
}

export function parseRuntimeChoice(value: string): RuntimeChoice {
  if ((runtimeChoices as string[]).includes(value)) return value as RuntimeChoice;
  throw new UserError({
    code: 'cli.bad-runtime',
    message: `unknown runtime ${JSON.stringify(value)}`,
    hint: `use one of: ${runtimeChoices.join(', ')}`,
  });
}
