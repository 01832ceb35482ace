// Who listens on a TCP port, read from /proc: the listening sockets of /proc/net/tcp{,6} on that
// port, and the processes whose file descriptors hold those sockets. For `devenv doctor` to say
// not just "port 8000 is busy" but "port 8000 is held by python3 (pid 4242)".

import { readFile, readlink } from 'node:fs/promises';
import { createServer } from 'node:net';
import { parseSocketTable } from '../runtimes/process/listening-sockets.js';
import { listPids, socketInodes } from '../runtimes/process/procfs.js';

export interface PortHolder {
  pid: number;
  command: string;
  address: string;
}

/** True when nothing listens on host:port (checked by binding it for a moment). */
export function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

export async function portHolders(port: number, procRoot = '/proc'): Promise<PortHolder[]> {
  const tables = await Promise.all(
    ['tcp', 'tcp6'].map(async (f) =>
      parseSocketTable(await readFile(`${procRoot}/net/${f}`, 'utf8').catch(() => ''), 'tcp'),
    ),
  );
  const listening = tables.flat().filter((e) => e.port === port);
  if (listening.length === 0) return [];
  const byInode = new Map(listening.map((e) => [e.inode, e.address]));
  const holders: PortHolder[] = [];
  for (const pid of await listPids(procRoot)) {
    const inodes = await socketInodes(pid, procRoot);
    for (const inode of inodes) {
      const address = byInode.get(inode);
      if (address === undefined) continue;
      const command = await readlink(`${procRoot}/${pid}/exe`)
        .then((p) => p.split('/').pop() ?? p)
        .catch(async () => (await readFile(`${procRoot}/${pid}/comm`, 'utf8').catch(() => '?')).trim());
      holders.push({ pid, command, address });
    }
  }
  return holders;
}
