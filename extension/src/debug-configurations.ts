// The debug configurations devenv offers and creates, as plain data:
//  - "Run Both" (type `devenv`): the parent session F5 starts;
//  - one child per debuggable service, from its DebugEndpoint: Python through debugpy's own
//    DAP port (type `devenv-python`, no Python extension needed), Node through the built-in
//    js-debug (`type: node`, attach over the inspector port);
//  - a child for each subprocess debugpy announces (`debugpyAttach`), e.g. uvicorn --reload's server.

import type { ServiceStatus } from '@devenv/engine';
import { resolveMappings, singleRoot } from './path-mapping.js';

export const DEVENV_TYPE = 'devenv';
export const PYTHON_TYPE = 'devenv-python';

export interface RunBothConfiguration {
  type: typeof DEVENV_TYPE;
  request: 'launch';
  name: string;
  /** Bring up only these services (and their dependencies); all when absent. */
  services?: string[];
  /** Attach to these services only; every debuggable one when absent. */
  debugServices?: string[];
  /** Rebuild images even when their inputs did not change. */
  build?: boolean;
  /** Overrides the `devenv.stopEnvironmentOnDebugStop` setting for this configuration. */
  stopEnvironmentOnStop?: boolean;
  /** Python: step only into your own code (debugpy's justMyCode). */
  justMyCode?: boolean;
}

export const RUN_BOTH: RunBothConfiguration = { type: DEVENV_TYPE, request: 'launch', name: 'Run Both' };

export interface PythonAttachConfiguration {
  type: typeof PYTHON_TYPE;
  request: 'attach';
  name: string;
  connect: { host: string; port: number };
  pathMappings: { localRoot: string; remoteRoot: string }[];
  justMyCode: boolean;
  subProcess: boolean;
  /** Which service this session debugs (for the tree and for subprocess sessions). */
  devenvService: string;
  subProcessId?: number;
  [key: string]: unknown;
}

export interface NodeAttachConfiguration {
  type: 'node';
  request: 'attach';
  name: string;
  address: string;
  port: number;
  localRoot?: string;
  remoteRoot?: string;
  skipFiles: string[];
  devenvService: string;
}

export type ChildConfiguration = PythonAttachConfiguration | NodeAttachConfiguration;

/**
 * What F5 runs. An empty configuration (no launch.json, F5 pressed) becomes "Run Both";
 * anything else keeps what the user wrote over the defaults.
 */
export function resolveRunBoth(config: Partial<RunBothConfiguration> & Record<string, unknown>): RunBothConfiguration {
  return { ...RUN_BOTH, ...config, type: DEVENV_TYPE, request: 'launch' } as RunBothConfiguration;
}

/** A debug child for one service, or undefined when it has no debugger to attach to. */
export function childConfiguration(
  status: ServiceStatus,
  folder: string,
  opts: { justMyCode?: boolean } = {},
): ChildConfiguration | undefined {
  const debug = status.debug;
  if (!debug) return undefined;
  const mappings = resolveMappings(debug.pathMappings, folder);
  if (debug.protocol === 'dap') {
    return {
      type: PYTHON_TYPE,
      request: 'attach',
      name: status.name,
      connect: { host: debug.hostIp, port: debug.hostPort },
      pathMappings: mappings,
      justMyCode: opts.justMyCode ?? true,
      subProcess: true,
      devenvService: status.name,
    };
  }
  const root = singleRoot(mappings);
  return {
    type: 'node',
    request: 'attach',
    name: status.name,
    address: debug.hostIp,
    port: debug.hostPort,
    ...(root ? { localRoot: root.localRoot, remoteRoot: root.remoteRoot } : {}),
    skipFiles: ['<node_internals>/**'],
    devenvService: status.name,
  };
}

export interface AttachPlan {
  children: ChildConfiguration[];
  /** Services asked for (or debuggable) that cannot be attached now, and why. */
  skipped: { service: string; reason: string }[];
}

const ATTACHABLE: ReadonlySet<ServiceStatus['state']> = new Set(['running', 'healthy', 'unhealthy', 'starting']);

export function planAttach(
  services: readonly ServiceStatus[],
  folder: string,
  config: RunBothConfiguration,
): AttachPlan {
  const wanted = config.debugServices ?? config.services;
  const plan: AttachPlan = { children: [], skipped: [] };
  for (const s of services) {
    if (wanted && !wanted.includes(s.name)) continue;
    if (!s.debug) {
      const absent = s.debugAbsent;
      if (absent?.kind === 'unavailable') {
        // Inferred but not runnable: said every time, with the fix.
        plan.skipped.push({
          service: s.name,
          reason: `its debugger is unavailable: ${absent.reason}; to debug it: ${absent.fix}`,
        });
      } else if (config.debugServices?.includes(s.name)) {
        plan.skipped.push({
          service: s.name,
          reason: absent
            ? `its debugger is on request (${absent.reason}): "devenv: Debug Service Now" or \`${absent.fix}\``
            : 'it has no debugger',
        });
      }
      continue;
    }
    if (!ATTACHABLE.has(s.state)) {
      plan.skipped.push({ service: s.name, reason: `it is ${s.state}` });
      continue;
    }
    const child = childConfiguration(
      s,
      folder,
      config.justMyCode === undefined ? {} : { justMyCode: config.justMyCode },
    );
    if (child) plan.children.push(child);
  }
  for (const name of config.debugServices ?? []) {
    if (!services.some((s) => s.name === name)) plan.skipped.push({ service: name, reason: 'no such service' });
  }
  return plan;
}

/**
 * debugpy's `debugpyAttach` event: a subprocess (the server uvicorn --reload starts) waits for
 * a client. Its body is the attach configuration to use; keep our type and the parent's
 * mappings, and name the session after the parent.
 */
export function subprocessConfiguration(
  parent: Partial<PythonAttachConfiguration>,
  body: Record<string, unknown>,
): PythonAttachConfiguration {
  const pid = typeof body.subProcessId === 'number' ? body.subProcessId : undefined;
  const connect = (body.connect as PythonAttachConfiguration['connect'] | undefined) ?? parent.connect;
  const service = parent.devenvService ?? String(parent.name ?? 'python');
  return {
    ...body,
    type: PYTHON_TYPE,
    request: 'attach',
    name: `${service} (pid ${pid ?? '?'})`,
    connect: connect ?? { host: '127.0.0.1', port: 5678 },
    pathMappings:
      (body.pathMappings as PythonAttachConfiguration['pathMappings'] | undefined) ?? parent.pathMappings ?? [],
    justMyCode: (body.justMyCode as boolean | undefined) ?? parent.justMyCode ?? true,
    subProcess: true,
    devenvService: service,
    ...(pid !== undefined ? { subProcessId: pid } : {}),
  };
}
