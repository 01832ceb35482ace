// What the engine knows about each service right now. Runtimes report observations;
// the engine folds them into one ServiceStatus per service, which every UI reads.

import type { RuntimeKind } from './spec.js';

export type ServiceState =
  /** Known from config, nothing done yet. */
  | 'pending'
  | 'building'
  /** Waiting for its dependencies' conditions. */
  | 'waiting'
  | 'starting'
  /** Running, with no healthcheck (or health not yet known). */
  | 'running'
  | 'healthy'
  | 'unhealthy'
  | 'restarting'
  /** A one-shot that exited 0. */
  | 'completed'
  /** Exited with a non-zero code (see exitCode). */
  | 'exited'
  | 'stopped'
  /** Could not be built, created or started (see message). */
  | 'failed';

export type Health = 'none' | 'starting' | 'healthy' | 'unhealthy';

export interface PublishedPort {
  hostIp: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface DebugEndpoint {
  type: 'python' | 'node';
  /** Debug Adapter Protocol (debugpy) or Chrome DevTools Protocol (node --inspect). */
  protocol: 'dap' | 'cdp';
  hostIp: string;
  hostPort: number;
  /** Local root ↔ remote root, for breakpoints set in local files. */
  pathMappings: { localRoot: string; remoteRoot: string }[];
}

/**
 * Why a service that runs a Python or Node program has no debugger, for every UI to show beside
 * its DEBUG column (docs/debugging.md, "Which services get a debugger").
 */
export interface DebugAbsence {
  /**
   * `unavailable`: inferred, but the image or interpreter cannot run it (no debugpy, no inspector):
   * the service runs without. `on-request`: a one-shot job other services wait for, kept off the
   * critical path of `up`; `devenv debug SERVICE` runs it again under its debugger.
   */
  kind: 'unavailable' | 'on-request';
  type: 'python' | 'node';
  /** One line: what is missing, or why it is on request. */
  reason: string;
  /** One line that fixes it (a command, or the line to add to a Dockerfile), or attaches on request. */
  fix: string;
}

export interface SyncFigures {
  /** Files in the last batch. */
  files: number;
  lastMs: number;
  p50Ms: number;
  at: string;
}

export interface ServiceStatus {
  name: string;
  state: ServiceState;
  health: Health;
  /** Container id, pid or pod name. */
  instanceId?: string;
  ports: PublishedPort[];
  debug?: DebugEndpoint;
  /** Set when the service could be debugged but has no debugger now, and why. */
  debugAbsent?: DebugAbsence;
  restartCount: number;
  exitCode?: number;
  /** ISO time the current instance started. */
  startedAt?: string;
  /** A one-line reason for the current state, shown beside it. */
  message?: string;
  specHash?: string;
  sync?: SyncFigures;
  /** URL a person opens (x-devenv.url, or derived from the first published HTTP port). */
  url?: string;
}

export type ProjectPhase =
  | 'idle'
  | 'planning'
  | 'starting'
  | 'running'
  | 'degraded'
  | 'stopping'
  | 'stopped'
  | 'failed';

export interface ProjectStatus {
  project: string;
  projectDir: string;
  runtime: RuntimeKind;
  /** Runtime detail: engine version, process, or Kubernetes context. */
  runtimeDetail?: string;
  phase: ProjectPhase;
  services: ServiceStatus[];
  /** Filled by the Kubernetes runtime; empty elsewhere. */
  cluster?: ClusterStatus;
}

/** A Kubernetes runtime's cluster and the Argo CD Applications that deploy the project. */
export interface ClusterStatus {
  name: string;
  context: string;
  /** Root Application (app of apps) first, then one per service. */
  argocd?: ArgoApplicationStatus[];
}

/** One Argo CD Application: its sync and health, and what its current (or last) sync operation does. */
export interface ArgoApplicationStatus {
  app: string;
  /** The Compose service it deploys; absent for the root Application. */
  service?: string;
  /** `Synced`, `OutOfSync`, `Unknown`. */
  sync: string;
  /** `Healthy`, `Progressing`, `Degraded`, `Missing`, `Suspended`, `Unknown`. */
  health: string;
  /** The commit it is synced to (12 hex digits). */
  revision?: string;
  /** The running or last sync operation: `Running`, `Succeeded`, `Failed`, `Error`, `Terminating`. */
  operation?: { phase: string; message?: string };
  /** Hook Jobs of that operation (PreSync migrations, PostSync smoke tests) and how each ended. */
  hooks?: ArgoHookStatus[];
}

export interface ArgoHookStatus {
  name: string;
  /** `PreSync`, `Sync`, `PostSync`, `SyncFail`. */
  type: string;
  /** `Running`, `Succeeded`, `Failed`, `Error`, `Terminating`. */
  phase: string;
  message?: string;
}

/**
 * What an Application's sync is doing, for every UI: `PreSync migrate Running`, `syncing`,
 * `PostSync web-smoke Failed`, `sync Failed`; undefined when it rests. `failed` colours it red.
 */
export function argoActivity(a: ArgoApplicationStatus): { text: string; failed: boolean } | undefined {
  const failedPhase = (phase: string) => phase === 'Failed' || phase === 'Error';
  const hook = a.hooks?.find((h) => h.phase === 'Running') ?? a.hooks?.find((h) => failedPhase(h.phase));
  const op = a.operation?.phase;
  if (hook && (op === 'Running' || failedPhase(hook.phase))) {
    return { text: `${hook.type} ${hook.name.replace(/^Job\//, '')} ${hook.phase}`, failed: hook.phase !== 'Running' };
  }
  if (op === 'Running') return { text: 'syncing', failed: false };
  if (op && failedPhase(op)) return { text: `sync ${op}`, failed: true };
  return undefined;
}

export function emptyStatus(name: string): ServiceStatus {
  return { name, state: 'pending', health: 'none', ports: [], restartCount: 0 };
}

/** A service has reached what `up` waits for: healthy, running without a healthcheck, or completed. */
export function isSettled(status: ServiceStatus, hasHealthcheck: boolean): boolean {
  if (status.state === 'completed') return true;
  if (hasHealthcheck) return status.state === 'healthy';
  return status.state === 'running' || status.state === 'healthy';
}
