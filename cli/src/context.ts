// What every command needs: which project the user means, and a connection to its daemon
// (started on demand by `up`, only looked for by the others).

import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UserError } from '@devenv/engine';
import {
  type ConfigSource,
  connectOrStart,
  type DaemonConnection,
  type DaemonPaths,
  daemonPaths,
  ensureStateDir,
  type ProjectIdentity,
  resolveIdentity,
  tryConnect,
} from '@devenv/engine/protocol';

export const CLI_VERSION = '0.1.0';
export const clientInfo = { name: 'devenv-cli', version: CLI_VERSION, pid: process.pid };

export interface GlobalOptions {
  file?: string[];
  projectDir?: string;
  projectName?: string;
  profile?: string[];
  runtime?: string;
  /** `--runtime kubernetes`: the kube context and the registry its cluster pulls from. */
  context?: string;
  imageRegistry?: string;
}

export interface ProjectContext {
  identity: ProjectIdentity;
  paths: DaemonPaths;
  config: ConfigSource;
}

export function projectContext(opts: GlobalOptions): ProjectContext {
  const identity = resolveIdentity({
    ...(opts.file?.length ? { files: opts.file } : {}),
    ...(opts.projectDir ? { projectDir: opts.projectDir } : {}),
    ...(opts.projectName ? { projectName: opts.projectName } : {}),
  });
  if (!identity) {
    throw new UserError({
      code: 'cli.no-config',
      message: `no compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml in ${process.cwd()} or any parent directory`,
      hint: 'run devenv in your project, pass `-f path/to/compose.yaml`, or create one with `devenv init`',
    });
  }
  const profiles = opts.profile ?? [];
  const config: ConfigSource = {
    files: identity.files,
    projectDir: identity.projectDir,
    projectName: identity.name,
    env: Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined)),
    ...(profiles.length ? { profiles } : {}),
  };
  return { identity, paths: daemonPaths(identity), config };
}

export function findDaemon(ctx: ProjectContext): Promise<DaemonConnection | undefined> {
  return tryConnect(ctx.paths, clientInfo);
}

/** Connect to the project's daemon, starting it (detached, logging to the state directory) if none runs. */
export async function daemonFor(ctx: ProjectContext, runtime: string): Promise<DaemonConnection> {
  const { daemon } = await connectOrStart(ctx.paths, clientInfo, () => {
    ensureStateDir(ctx.paths.stateDir);
    const cliEntry = join(dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'devenv.js');
    const log = openSync(ctx.paths.logFile, 'a', 0o600);
    const args = [cliEntry, 'daemon', '--project-dir', ctx.identity.projectDir, '--project-name', ctx.identity.name];
    for (const f of ctx.identity.files) args.push('--file', f);
    args.push('--runtime', runtime);
    return spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env: process.env });
  });
  return daemon;
}
