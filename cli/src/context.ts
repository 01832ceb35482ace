// What every command needs: which project the user means, and a connection to its daemon
// (started on demand by `up`, only looked for by the others).

import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readRegularFile, shellQuote, UserError } from '@devenv/engine';
import {
  type ConfigSource,
  connectOrStart,
  type DaemonConnection,
  type DaemonPaths,
  daemonPaths,
  type EnvironmentEntry,
  ensureStateDir,
  environmentFor,
  guessConfigVariables,
  listEnvironments,
  type ProjectIdentity,
  resolveIdentity,
  tryConnect,
} from '@devenv/engine/protocol';
import { chooseEnvironment } from './environment-choice.js';

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
  /** `--runtime`, else the runtime the environment was recorded with, else `auto`. */
  runtime: string;
}

function localIdentity(opts: GlobalOptions): ProjectIdentity | undefined {
  return resolveIdentity({
    ...(opts.file?.length ? { files: opts.file } : {}),
    ...(opts.projectDir ? { projectDir: opts.projectDir } : {}),
    ...(opts.projectName ? { projectName: opts.projectName } : {}),
  });
}

function noConfig(): UserError {
  return new UserError({
    code: 'cli.no-config',
    message: `no compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml in ${process.cwd()} or any parent directory`,
    hint: 'run devenv in your project, pass `-f path/to/compose.yaml`, or create one with `devenv init`',
  });
}

/** The project a command that starts or reads a config means (`up`, `config`, …): `-f`, or the file found from here. */
export function projectContext(opts: GlobalOptions): ProjectContext {
  const identity = localIdentity(opts);
  if (!identity) throw noConfig();
  return contextFor(identity, opts, undefined);
}

/**
 * The environment a command that acts on an existing one means (`down`, `status`, `logs`,
 * `restart`, …): also found by name (`-p NAME`) from any directory, through the user's registry
 * of environments (see environment-choice.ts). `command` is only for the hints it prints.
 */
export function environmentContext(opts: GlobalOptions, command: string): ProjectContext {
  const local = localIdentity(opts);
  const entries = listEnvironments();
  const choice = chooseEnvironment(opts, local, entries);
  switch (choice.kind) {
    case 'recorded': {
      const e = choice.entry;
      return contextFor({ name: e.project, projectDir: e.projectDir, files: e.files }, opts, e);
    }
    case 'local':
      if (!local) {
        const err = noConfig();
        if (entries.length > 0) err.nextSteps.push('or name an environment with `-p NAME`: `devenv ls` lists them');
        throw err;
      }
      return contextFor(local, opts, undefined);
    case 'ambiguous':
      throw new UserError(
        {
          code: 'cli.ambiguous-environment',
          message: `${choice.entries.length} environments are named ${choice.name}; say which with --project-dir`,
        },
        choice.entries.map(
          (e) =>
            `${e.projectDir} (${e.runtime}): \`devenv --project-dir ${shellQuote(e.projectDir)} -p ${e.project} ${command}\``,
        ),
      );
    case 'unknown':
      throw new UserError({
        code: 'cli.unknown-environment',
        message: `no environment named ${choice.name} (none recorded, and no Compose file in ${process.cwd()} or above)`,
        hint:
          entries.length > 0
            ? `recorded: ${[...new Set(entries.map((e) => e.project))].join(', ')} (\`devenv ls\` lists them)`
            : 'environments are recorded by `devenv up`; run it in the project first',
      });
  }
}

function contextFor(
  identity: ProjectIdentity,
  opts: GlobalOptions,
  recorded: EnvironmentEntry | undefined,
): ProjectContext {
  // A -f that names a FIFO, a device or a directory is refused here, before a daemon starts
  // (a FIFO would hang whoever reads it; /dev/zero would never end).
  for (const file of identity.files) {
    const read = readRegularFile(file);
    if (read.ok || read.reason === 'missing') continue;
    throw new UserError({
      code: 'config.file-unreadable',
      message: `${file} ${read.detail}`,
      hint: 'pass the path of a Compose file with -f (a regular text file of a few kB)',
    });
  }
  const profiles = opts.profile ?? recorded?.profiles ?? [];
  const config: ConfigSource = {
    files: identity.files,
    projectDir: identity.projectDir,
    projectName: identity.name,
    // Only what the config uses (the daemon asks for any name this guess missed): never the
    // whole environment over the socket.
    ...environmentFor(guessConfigVariables(identity.files, identity.projectDir)),
    ...(profiles.length ? { profiles } : {}),
  };
  return { identity, paths: daemonPaths(identity), config, runtime: opts.runtime ?? recorded?.runtime ?? 'auto' };
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
