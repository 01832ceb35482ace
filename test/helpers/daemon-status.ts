// The daemon's ProjectStatus as every client sees it (`devenv/status` over its socket), for the
// fields the CLI's `status --json` does not print (debug endpoints).

import { resolve } from 'node:path';
import type { ProjectStatus } from '../../engine/src/model/status.js';
import { daemonPaths, Methods, resolveIdentity, tryConnect } from '../../engine/src/protocol/index.js';

export async function daemonStatus(files: string[], projectName: string): Promise<ProjectStatus> {
  const identity = resolveIdentity({ files: files.map((f) => resolve(f)), projectName });
  if (!identity) throw new Error(`no project for ${files.join(', ')}`);
  const daemon = await tryConnect(daemonPaths(identity), { name: 'devenv-test', version: '0', pid: process.pid });
  if (!daemon) throw new Error(`no daemon runs for ${projectName}`);
  try {
    return await daemon.connection.sendRequest(Methods.status);
  } finally {
    daemon.close();
  }
}
