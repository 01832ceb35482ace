// `post_start` and `pre_stop` in a container: each hook is an exec (with its own user, directory,
// environment and privileges) that must finish before the service counts as started, or before
// the container is sent its stop signal. The hooks travel as labels on the container, so any
// daemon that starts or stops it runs them.

import type Dockerode from 'dockerode';
import { RuntimeFailure } from '../../errors.js';
import type { HookSpec } from '../../model/spec.js';
import { execInContainer } from './container-exec.js';
import { LABEL } from './labels.js';

export interface ContainerHooks {
  postStart: HookSpec[];
  preStop: HookSpec[];
}

export function hooksFromLabels(labels: Record<string, string> | undefined): ContainerHooks {
  const read = (key: string): HookSpec[] => {
    const raw = labels?.[key];
    if (!raw) return [];
    try {
      return JSON.parse(raw) as HookSpec[];
    } catch {
      return [];
    }
  };
  return { postStart: read(LABEL.postStart), preStop: read(LABEL.preStop) };
}

/** Runs each hook in turn; a hook that exits non-zero fails with its last output lines. */
export async function runHooks(
  docker: Dockerode,
  containerId: string,
  hooks: readonly HookSpec[],
  which: 'post_start' | 'pre_stop',
  service: string,
): Promise<void> {
  for (const hook of hooks) {
    const { exitCode: code, lines } = await execInContainer(docker, containerId, {
      Cmd: hook.command,
      Privileged: hook.privileged,
      Env: Object.entries(hook.environment).map(([k, v]) => `${k}=${v}`),
      ...(hook.user ? { User: hook.user } : {}),
      ...(hook.workingDir ? { WorkingDir: hook.workingDir } : {}),
    });
    if (code !== 0) {
      throw new RuntimeFailure(
        'docker.hook-failed',
        `${which} hook \`${hook.command.join(' ')}\` of ${service} exited with code ${code}`,
        {
          service,
          hint: lines.length > 0 ? `its last output:\n    ${lines.slice(-10).join('\n    ')}` : 'it printed nothing',
        },
      );
    }
  }
}
