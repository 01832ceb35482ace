// A TCP port on 127.0.0.1 that nothing listens on right now, chosen by the kernel: for tests that
// publish a port of their own beside whatever else runs on the machine.

import { createServer } from 'node:net';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}
