// One command run in a container (`docker exec`), waited for, with its output as lines: what
// `sync+exec` and the lifecycle hooks both need.

import type Dockerode from 'dockerode';
import { LogDecoder } from '../shared/log-decoder.js';

export async function execInContainer(
  docker: Dockerode,
  containerId: string,
  options: Dockerode.ExecCreateOptions,
): Promise<{ exitCode: number; lines: string[] }> {
  const exec = await docker.getContainer(containerId).exec({ AttachStdout: true, AttachStderr: true, ...options });
  const stream = await exec.start({ hijack: true, stdin: false });
  const decoder = new LogDecoder(true);
  const lines: string[] = [];
  for await (const chunk of stream as unknown as AsyncIterable<Buffer>) {
    for (const l of decoder.push(chunk)) lines.push(l.line);
  }
  for (const l of decoder.flush()) lines.push(l.line);
  return { exitCode: (await exec.inspect()).ExitCode ?? -1, lines };
}
