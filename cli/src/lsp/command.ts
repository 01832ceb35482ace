// `devenv lsp [--stdio]`: serve the language server on stdin/stdout until the client exits.
// stdout belongs to the protocol: nothing else may write there while it runs.

import { statSync } from 'node:fs';
import { format } from 'node:util';
import { ExitCode, type ProjectSpec } from '@devenv/engine';
import type { loadProject as LoadProject } from '@devenv/engine/engine';
import { readTimelineFile } from '@devenv/engine/protocol';
import { createConnection } from 'vscode-languageserver/node';
import { daemonFor, findDaemon, type GlobalOptions, type ProjectContext, projectContext } from '../context.js';
import { localEngine, statusWithoutDaemon } from '../local-engine.js';
import { configureHints, eventWithCommands } from '../output/hints.js';
import { withConfiguredServices } from './configured-services.js';
import { type DaemonAccess, DaemonRelay, type StatusEnricher } from './daemon-relay.js';
import { isPartialConfig } from './partial-config.js';
import { projectWithPublishedDebuggers, withPublishedDebugger } from './published-debugger.js';
import { type LspInitOptions, serveLanguage } from './server.js';

export async function lspCommand(globals: GlobalOptions): Promise<number> {
  // Given the raw streams, the server exits when stdin ends (the editor went away).
  const connection = createConnection(process.stdin, process.stdout);
  const toClient = (...args: unknown[]) => connection.console.log(format(...args));
  console.log = toClient;
  console.info = toClient;
  console.warn = (...args: unknown[]) => connection.console.warn(format(...args));
  console.error = (...args: unknown[]) => connection.console.error(format(...args));

  // The config loader is the heavy half of the engine package: loaded once, here.
  const { loadProject, setSchemaCacheFile, validateDocument } = await import('@devenv/engine/engine');
  // Every keystroke that leaves a valid document would be remembered in the user's cache of
  // valid Compose files (engine/src/config/schema-cache.ts), pushing out the file `devenv up`
  // loads; this long-lived process compiles the schema once anyway: remember in memory only.
  setSchemaCacheFile(undefined);
  let projectFiles: string[] = globals.file ?? [];
  const { closed } = serveLanguage(connection, {
    relay: (init, rootPath, emit) => {
      if (rootPath) process.chdir(rootPath);
      const opts = withInitOptions(globals, init);
      configureHints(opts);
      let ctx: ProjectContext;
      try {
        ctx = projectContext(opts);
      } catch (err) {
        connection.console.warn(`no devenv project here: ${err instanceof Error ? err.message : String(err)}`);
        return undefined;
      }
      projectFiles = ctx.identity.files;
      connection.console.log(`project ${ctx.identity.name}: ${ctx.identity.files.join(', ')}`);
      const runtime = opts.runtime ?? 'auto';
      return new DaemonRelay(daemonAccess(ctx, runtime), (e) => emit(eventWithCommands(e)), {
        enrich: configEnricher(ctx, loadProject),
        log: (line) => connection.console.log(line),
      });
    },
    validates: (file) => !isPartialConfig(file, projectFiles),
    validate: (text, file) => validateDocument(text, file, process.env),
  });
  await closed;
  return ExitCode.ok;
}

function withInitOptions(globals: GlobalOptions, init: LspInitOptions): GlobalOptions {
  return {
    ...globals,
    ...(init.configFiles?.length ? { file: init.configFiles } : {}),
    ...(init.projectDir ? { projectDir: init.projectDir } : {}),
    ...(init.projectName ? { projectName: init.projectName } : {}),
    ...(init.runtime ? { runtime: init.runtime } : {}),
  };
}

function daemonAccess(ctx: ProjectContext, runtime: string): DaemonAccess {
  return {
    find: () => findDaemon(ctx),
    start: () => daemonFor(ctx, runtime),
    statusWithoutDaemon: () => statusWithoutDaemon(ctx, runtime),
    downWithoutDaemon: async (params) => {
      const { engine, project } = await localEngine(ctx, runtime);
      try {
        await engine.down(project, { volumes: params.volumes ?? false });
      } finally {
        await engine.close();
      }
    },
    config: () => ctx.config,
    keptTimeline: () => readTimelineFile(ctx.paths.stateDir),
  };
}

/** What the config adds to statuses: debuggers a Compose file publishes itself (path mappings from
 * its sync rules), and the services nothing runs for yet. */
function configEnricher(ctx: ProjectContext, loadProject: typeof LoadProject): StatusEnricher {
  let project: ProjectSpec | undefined;
  let loadedFor = '';
  const fingerprint = () =>
    ctx.identity.files
      .map((f) => {
        try {
          return `${f}@${statSync(f).mtimeMs}`;
        } catch {
          return `${f}@-`;
        }
      })
      .join('|');
  const refresh = async () => {
    const now = fingerprint();
    if (now === loadedFor) return;
    loadedFor = now;
    try {
      ({ project } = await loadProject({
        files: ctx.identity.files,
        projectDir: ctx.identity.projectDir,
        projectName: ctx.identity.name,
        env: { ...process.env, DEVENV_STATE_DIR: ctx.paths.stateDir },
      }));
    } catch {
      // A config with errors: the diagnostics say why; keep the last good spec.
    }
  };
  const isFile = (path: string) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  };
  return {
    prepare: refresh,
    service: (s) => withPublishedDebugger(s, project?.services[s.name], isFile),
    project: (p) => withConfiguredServices(projectWithPublishedDebuggers(p, project, isFile), project),
  };
}
