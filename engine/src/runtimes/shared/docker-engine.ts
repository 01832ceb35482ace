// Reaching a Docker engine, for every runtime that needs one (docker runs containers on it;
// kubernetes builds and pushes images with it, and kind/k3d run their nodes on it).

import type Dockerode from 'dockerode';
import { UserError } from '../../errors.js';
import { type DockerEndpoint, resolveDockerEndpoint } from './docker-endpoint.js';
import DockerodeClient from './dockerode-client.js';

/** A dockerode client for the engine the docker CLI would use. */
export function dockerEngine(endpoint: DockerEndpoint = resolveDockerEndpoint()): {
  docker: Dockerode;
  endpoint: DockerEndpoint;
} {
  return { docker: new DockerodeClient(endpoint.options), endpoint };
}

/** `Docker 20.10.24 (API 1.41)`, or a UserError with the fix when no engine answers within 5 s. */
export async function dockerEngineVersion(docker: Dockerode, endpoint: DockerEndpoint): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const v = await Promise.race([
      docker.version(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the Docker engine did not answer within 5 s')), 5000);
      }),
    ]);
    return `Docker ${v.Version} (API ${v.ApiVersion})`;
  } catch (err) {
    throw new UserError(
      {
        code: 'docker.unreachable',
        message: `cannot reach a Docker engine at ${endpoint.description} (${endpoint.source}): ${dockerErrorMessage(err)}`,
        hint: 'start Docker (Docker Desktop, colima, or `sudo systemctl start docker`), or run with `--runtime process`',
      },
      ['devenv doctor'],
    );
  } finally {
    clearTimeout(timer);
  }
}

/** The engine's own message (dockerode wraps it as `(HTTP code …) … - message`). */
export function dockerErrorMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const json = (err as { json?: { message?: string } }).json;
    if (json?.message) return json.message.trim();
    if (err instanceof Error) return err.message.replace(/^\(HTTP code \d+\)[^-]*- /, '').trim();
  }
  return String(err);
}
