// Who listens on a TCP port: for `devenv doctor` to say not just "port 8000 is busy" but "port
// 8000 is held by python3 (pid 4242)". Read through the platform (/proc, or lsof on macOS).

import { createServer } from 'node:net';
import { type HostProcesses, hostProcesses, type PortHolder } from '../platform/host-processes.js';

export type { PortHolder };

/** True when nothing listens on host:port (checked by binding it for a moment). */
export function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export function portHolders(port: number, host: HostProcesses = hostProcesses()): Promise<PortHolder[]> {
  return host.portHolders(port);
}
