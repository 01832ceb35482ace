// What a test command started by `devenv ci` finds in its environment about the services: their
// URLs, published ports, hosts and instances, named after the service, so a test reaches the
// environment without knowing which free ports it got.

import type { ProjectStatus } from '@devenv/engine';

/** `my-api` → `MY_API`: the service's part of a variable name. */
export function envName(service: string): string {
  return service.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/**
 * DEVENV_PROJECT, DEVENV_PROJECT_DIR, DEVENV_RUNTIME, and per service:
 *   DEVENV_URL_<SERVICE>               its URL (x-devenv.url, or its first published HTTP port)
 *   DEVENV_HOST_<SERVICE>              the host address its ports are published on
 *   DEVENV_PORT_<SERVICE>_<PORT>       the host port published for container port PORT (tcp)
 *   DEVENV_PORT_<SERVICE>_<PORT>_UDP   the same for udp
 *   DEVENV_INSTANCE_<SERVICE>          its container id (pid, pod name on other runtimes)
 * Two services whose names differ only in punctuation would share names: the first keeps them.
 */
export function serviceEnvironment(status: ProjectStatus): Record<string, string> {
  const env: Record<string, string> = {
    DEVENV_PROJECT: status.project,
    DEVENV_PROJECT_DIR: status.projectDir,
    DEVENV_RUNTIME: status.runtime,
  };
  const set = (name: string, value: string) => {
    if (!(name in env)) env[name] = value;
  };
  for (const s of status.services) {
    const n = envName(s.name);
    if (s.url) set(`DEVENV_URL_${n}`, s.url);
    if (s.instanceId) set(`DEVENV_INSTANCE_${n}`, s.instanceId);
    const first = s.ports[0];
    if (first) set(`DEVENV_HOST_${n}`, reachable(first.hostIp));
    for (const p of s.ports)
      set(`DEVENV_PORT_${n}_${p.containerPort}${p.protocol === 'udp' ? '_UDP' : ''}`, String(p.hostPort));
  }
  return env;
}

/** An address a client can connect to: a wildcard bind is reached on loopback. */
function reachable(hostIp: string): string {
  return hostIp === '' || hostIp === '0.0.0.0' ? '127.0.0.1' : hostIp === '::' ? '::1' : hostIp;
}
