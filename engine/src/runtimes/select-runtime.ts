// Which runtime runs a project: what the user asked for (`--runtime`, `x-devenv.runtime`), or
// on `auto` Docker when an engine answers, otherwise local processes.

import { UserError } from '../errors.js';
import type { Runtime } from '../runtime/runtime.js';
import { DockerRuntime } from './docker/docker-runtime.js';
import { KubernetesRuntime } from './kubernetes/kubernetes-runtime.js';
import { ProcessRuntime } from './process/process-runtime.js';

export type RuntimeChoice = 'auto' | 'docker' | 'process' | 'kind' | 'k3d';

export interface RuntimeContext {
  /** The project's state directory (pid records, process data). */
  stateDir: string;
}

export const runtimeChoices: RuntimeChoice[] = ['auto', 'docker', 'process', 'kind', 'k3d'];

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
      return new KubernetesRuntime({ provider: choice, stateDir: ctx.stateDir });
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
