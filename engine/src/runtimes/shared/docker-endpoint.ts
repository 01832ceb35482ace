// Which Docker engine to talk to, found the way the docker CLI finds it: DOCKER_HOST, then
// DOCKER_CONTEXT or the CLI's current context (Docker Desktop, colima, rootless), then the
// default socket. An engine already running is always preferred over starting one.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type Dockerode from 'dockerode';

export interface DockerEndpoint {
  options: Dockerode.DockerOptions;
  /** Where it came from, for messages: `DOCKER_HOST`, `context colima`, `default socket`. */
  source: string;
  description: string;
}

export function resolveDockerEndpoint(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  exists: (path: string) => boolean = existsSync,
): DockerEndpoint {
  if (env.DOCKER_HOST) return fromHost(env.DOCKER_HOST, 'DOCKER_HOST');
  const configDir = env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  let context = env.DOCKER_CONTEXT;
  if (!context) {
    try {
      context = (JSON.parse(readFileSync(join(configDir, 'config.json'), 'utf8')) as { currentContext?: string })
        .currentContext;
    } catch {
      context = undefined;
    }
  }
  if (context && context !== 'default') {
    try {
      const id = createHash('sha256').update(context).digest('hex');
      const meta = JSON.parse(readFileSync(join(configDir, 'contexts', 'meta', id, 'meta.json'), 'utf8')) as {
        Endpoints?: { docker?: { Host?: string } };
      };
      const host = meta.Endpoints?.docker?.Host;
      if (host) return fromHost(host, `docker context ${context}`);
    } catch {
      // A context we cannot read falls through to the default socket; `devenv doctor` reports it.
    }
  }
  // Docker Desktop on a Mac may leave /var/run/docker.sock out (it is an option there) while its
  // context is unset: its own socket is in the user's home.
  const desktop = join(homedir(), '.docker', 'run', 'docker.sock');
  if (platform === 'darwin' && !exists('/var/run/docker.sock') && exists(desktop)) {
    return { options: { socketPath: desktop }, source: 'Docker Desktop socket', description: desktop };
  }
  return {
    options: { socketPath: '/var/run/docker.sock' },
    source: 'default socket',
    description: '/var/run/docker.sock',
  };
}

function fromHost(host: string, source: string): DockerEndpoint {
  if (host.startsWith('unix://')) {
    const socketPath = host.slice('unix://'.length);
    return { options: { socketPath }, source, description: socketPath };
  }
  const url = new URL(host.replace(/^tcp:/, 'http:'));
  return {
    options: { host: url.hostname, port: url.port || '2375', protocol: 'http' },
    source,
    description: host,
  };
}
