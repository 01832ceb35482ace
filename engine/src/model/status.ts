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
  /** A one-shot that ran to its end: exited 0 by itself (never a run something else stopped). */
  | 'completed'
  /** Exited with a non-zero code by itself (see exitCode and exit). */
  | 'exited'
  /** Ended by the kernel's OOM killer or a SIGKILL it did not choose (see exit). */
  | 'killed'
  /** Stopped by devenv, by a stop from outside (`docker stop`) or by its engine going away (see exit). */
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

/** How the instance's last run ended, as far as the runtime could tell. */
export interface ExitDetail {
  code: number;
  /** The signal that ended it: asked for through the runtime (`docker kill`), or read from the exit code (128+N). */
  signal?: string;
  /** The kernel's out-of-memory killer ended it (Docker's State.OOMKilled). */
  oomKilled?: boolean;
  /**
   * Who ended it when not the program itself: `engine` (devenv stopped it), `request` (a stop
   * asked through the runtime from outside devenv: `docker stop`), `runtime-restart` (its engine
   * went away: a Docker daemon restart).
   */
  by?: 'engine' | 'request' | 'runtime-restart';
}

/**
 * Whether live sync reaches the instance right now: `live`, `reconnecting` (the channel closed
 * while the instance runs; devenv opens a new one with backoff), or `failed` (with why; devenv
 * still retries, more slowly). Absent when the service copies no files or its instance is down.
 */
export interface SyncLinkHealth {
  state: 'live' | 'reconnecting' | 'failed';
  /** Why it is not live. */
  reason?: string;
  /** Reconnect attempts that failed so far. */
  attempts?: number;
  since: string;
}

/**
 * The runtime's own engine (the Docker daemon) as devenv sees it: `available`, `unavailable`
 * (it stopped answering; devenv waits for it), `recovering` (it answers again and devenv brings
 * the environment back to what the last `up` asked for).
 */
export interface RuntimeHealth {
  state: 'available' | 'unavailable' | 'recovering';
  since: string;
  message?: string;
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
  /** How the last run ended (set with `completed`, `exited`, `killed` and `stopped`). */
  exit?: ExitDetail;
  /** ISO time the current instance started. */
  startedAt?: string;
  /** A one-line reason for the current state, shown beside it. */
  message?: string;
  specHash?: string;
  sync?: SyncFigures;
  /** Whether live sync reaches the instance now (see SyncLinkHealth). */
  syncLink?: SyncLinkHealth;
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
  /** The runtime's engine as the daemon watches it; absent where nothing watches (no daemon, or a runtime without an engine). */
  runtimeHealth?: RuntimeHealth;
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

/** How a run ended, in a few words: `OOM`, `SIGKILL`, `stopped from outside devenv`, `its engine went away`, `code 139, SIGSEGV`. */
export function exitWords(exit: ExitDetail | undefined, state: ServiceState): string | undefined {
  if (!exit) return undefined;
  if (exit.oomKilled) return 'OOM';
  if (exit.by === 'runtime-restart') return 'its engine went away';
  if (exit.by === 'request')
    return exit.signal === 'SIGKILL' ? 'SIGKILL from outside devenv' : 'stopped from outside devenv';
  if (exit.by === 'engine') return undefined;
  if (state === 'killed' && exit.signal) return exit.signal;
  if (exit.signal) return `code ${exit.code}, ${exit.signal}`;
  return state === 'completed' ? undefined : `code ${exit.code}`;
}

/** The runtime-health words the header, `devenv status` and the extension show. */
export function runtimeHealthWords(h: RuntimeHealth | undefined): string | undefined {
  if (!h || h.state === 'available') return undefined;
  return h.state === 'unavailable' ? 'engine unavailable, waiting' : 'engine back, restoring the environment';
}

/** The sync link in a few words: `live`, `reconnecting (2 attempts)`, `failed: why`. */
export function syncLinkWords(l: SyncLinkHealth | undefined): string | undefined {
  if (!l) return undefined;
  if (l.state === 'live') return 'live';
  const tries = l.attempts ? ` (${l.attempts} attempt${l.attempts === 1 ? '' : 's'})` : '';
  return l.state === 'reconnecting' ? `reconnecting${tries}` : `failed${tries}${l.reason ? `: ${l.reason}` : ''}`;
}

/** A service has reached what `up` waits for: healthy, running without a healthcheck, or completed. */
export function isSettled(status: ServiceStatus, hasHealthcheck: boolean): boolean {
  if (status.state === 'completed') return true;
  if (hasHealthcheck) return status.state === 'healthy';
  return status.state === 'running' || status.state === 'healthy';
}
