// A one-off run of a service's image: `docker run --rm --network none --entrypoint ARGV0 IMAGE
// ARGS…` with the service's environment, user and working directory, its output collected. The
// container carries no project label, so nothing of devenv ever takes it for a service instance.

import type Dockerode from 'dockerode';
import type { ServiceSpec } from '../../model/spec.js';
import type { ExecResult } from '../../runtime-interface/runtime.js';
import { LogDecoder } from '../shared/log-decoder.js';

export const ONE_OFF_LABEL = 'dev.devenv.one-off';
const MAX_OUTPUT = 64 * 1024;

export async function runOneOffContainer(
  docker: Dockerode,
  image: string,
  service: ServiceSpec,
  argv: string[],
  timeoutMs: number,
): Promise<ExecResult> {
  const [program, ...args] = argv;
  if (!program) return { exitCode: -1, output: 'nothing to run' };
  const container = await docker.createContainer({
    Image: image,
    Entrypoint: [program],
    Cmd: args,
    Env: Object.entries(service.environment).map(([k, v]) => `${k}=${v}`),
    ...(service.user ? { User: service.user } : {}),
    ...(service.workingDir ? { WorkingDir: service.workingDir } : {}),
    Labels: { [ONE_OFF_LABEL]: service.name },
    HostConfig: { NetworkMode: 'none' },
  });
  try {
    await container.start();
    let timer: NodeJS.Timeout | undefined;
    const waited = await Promise.race([
      container.wait() as Promise<{ StatusCode: number }>,
      new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    const raw = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const decoder = new LogDecoder(true);
    const lines = [...decoder.push(raw.subarray(0, MAX_OUTPUT)), ...decoder.flush()].map((l) => l.line);
    if (!waited) lines.push(`(no answer within ${timeoutMs} ms)`);
    return { exitCode: waited ? waited.StatusCode : -1, output: lines.join('\n') };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}
