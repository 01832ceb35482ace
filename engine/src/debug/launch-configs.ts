// What `devenv debug-info [--vscode]` prints: one row per debuggable service, and VS Code attach
// configurations for them. Python gets two: `debugpy` (needs Microsoft's Python Debugger
// extension) and `devenv` (devenv's own extension, which talks to debugpy's port as a
// DebugAdapterServer and follows `debugpyAttach` children itself, so nothing else is needed).

import type { ProjectStatus } from '../model/status.js';
import { type PathMapping, widestMapping } from './path-mappings.js';

export interface DebugInfo {
  service: string;
  type: 'python' | 'node';
  protocol: 'dap' | 'cdp';
  host: string;
  port: number;
  pathMappings: PathMapping[];
}

/** Every service with a debug endpoint, in name order. */
export function debugInfo(status: ProjectStatus): DebugInfo[] {
  return status.services
    .filter((s) => s.debug !== undefined)
    .map((s) => ({
      service: s.name,
      type: s.debug!.type,
      protocol: s.debug!.protocol,
      host: s.debug!.hostIp,
      port: s.debug!.hostPort,
      pathMappings: s.debug!.pathMappings.map((m) => ({ ...m })),
    }))
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

export interface LaunchJson {
  version: '0.2.0';
  configurations: Record<string, unknown>[];
  compounds: { name: string; configurations: string[] }[];
}

export interface LaunchOptions {
  /** Local paths under this folder are written as `${workspaceFolder}/…`. */
  workspaceFolder?: string;
  /** Also emit the `devenv`-type configuration for Python services (default true). */
  devenvExtension?: boolean;
}

export function vscodeLaunchConfigs(infos: readonly DebugInfo[], opts: LaunchOptions = {}): LaunchJson {
  const local = (p: string) => workspaceRelative(p, opts.workspaceFolder);
  const configurations: Record<string, unknown>[] = [];
  const primary: string[] = [];
  for (const info of infos) {
    if (info.type === 'python') {
      const pathMappings = info.pathMappings.map((m) => ({ localRoot: local(m.localRoot), remoteRoot: m.remoteRoot }));
      const name = `devenv: ${info.service}`;
      primary.push(name);
      configurations.push({
        name,
        type: 'debugpy',
        request: 'attach',
        connect: { host: info.host, port: info.port },
        ...(pathMappings.length > 0 ? { pathMappings } : {}),
        justMyCode: true,
        // Follows reloader and worker children (debugpyAttach); on by default, written for clarity.
        subProcess: true,
      });
      if (opts.devenvExtension !== false) {
        configurations.push({
          name: `devenv: ${info.service} (devenv extension)`,
          type: 'devenv',
          request: 'attach',
          service: info.service,
          protocol: 'dap',
          connect: { host: info.host, port: info.port },
          ...(pathMappings.length > 0 ? { pathMappings } : {}),
        });
      }
    } else {
      const name = `devenv: ${info.service}`;
      primary.push(name);
      const root = widestMapping(info.pathMappings);
      configurations.push({
        name,
        type: 'node',
        request: 'attach',
        address: info.host,
        port: info.port,
        ...(root ? { localRoot: local(root.localRoot), remoteRoot: root.remoteRoot } : {}),
        // Re-attach when the process restarts (nodemon, a recreated container).
        restart: true,
        // A program started with --inspect-brk (wait: true) runs on once attached.
        continueOnAttach: true,
        skipFiles: ['<node_internals>/**'],
      });
    }
  }
  return {
    version: '0.2.0',
    configurations,
    compounds: primary.length > 1 ? [{ name: 'devenv: all services', configurations: primary }] : [],
  };
}

/** VS Code's own variable, written literally into launch.json. */
const WORKSPACE_FOLDER = '$' + '{workspaceFolder}';

function workspaceRelative(path: string, folder: string | undefined): string {
  if (!folder) return path;
  const root = folder.endsWith('/') ? folder.slice(0, -1) : folder;
  if (path === root) return WORKSPACE_FOLDER;
  if (path.startsWith(`${root}/`)) return WORKSPACE_FOLDER + path.slice(root.length);
  return path;
}
