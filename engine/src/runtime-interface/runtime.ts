// The one interface every runtime implements (Docker, local processes, Kubernetes). A runtime
// makes, observes and removes instances of services and reports their health (Docker runs the
// Compose healthcheck, the process runtime probes, Kubernetes has probes). The engine plans,
// orders and supervises: it applies restart policies itself for every runtime (Docker ignores
// its own after `docker kill`; processes have no other supervisor). fake-runtime.ts beside this
// file is the in-memory runtime the engine's unit tests script.

import type { EventSink } from '../model/events.js';
import type { ProjectSpec, RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { ClusterStatus, Health, PublishedPort } from '../model/status.js';
import type { SyncSession } from '../sync/session.js';

export interface RuntimeInfo {
  kind: RuntimeKind;
  /** e.g. `Docker 20.10.24 (API 1.41)`, `processes`, `kind-devenv (kind)`. */
  detail: string;
  /** Docker: the engine's API version (`1.41`); keys that need a newer one are refused. */
  apiVersion?: string;
}

/** An instance found in the runtime's own records (labels, pid records, pods). */
export interface ObservedInstance {
  id: string;
  service: string;
  /** The spec hash recorded when it was created. */
  specHash: string;
  state: InstanceState;
}

export interface InstanceState {
  status: 'created' | 'running' | 'restarting' | 'exited' | 'dead' | 'missing';
  health: Health;
  exitCode?: number;
  startedAt?: string;
  /** Restarts the runtime performed on its own (Docker's restart policy while no engine watched). */
  restartCount: number;
  ports: PublishedPort[];
  /** When the last run ended (ISO), for an instance that is not running. */
  finishedAt?: string;
  /** The kernel's OOM killer ended the last run (Docker's State.OOMKilled). */
  oomKilled?: boolean;
  /**
   * The first signal someone asked the runtime to send during the last run (`docker stop`: the
   * stop signal, `docker kill`: SIGKILL), as a name. Known only to a runtime that watched it happen.
   */
  signalled?: string;
}

/** What a built or pulled image runs by default (Docker's Config.Entrypoint/Cmd/WorkingDir). */
export interface ImageDefaults {
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
}

/** What a build (or a pull check) produced; its id feeds the spec hash, so a new image recreates. */
export interface Artifact {
  ref: string;
  id: string;
  /**
   * The image's defaults, for debugger injection to rewrite a command the Compose file leaves to
   * the image. Not part of the hash: the image id already is.
   */
  config?: ImageDefaults;
}

export interface CreateContext {
  project: ProjectSpec;
  specHash: string;
  artifact?: Artifact;
}

export interface OneOffContext {
  project: ProjectSpec;
  artifact?: Artifact;
  /** The run is ended (and reported as failed) after this long. */
  timeoutMs: number;
}

export interface LogLine {
  stream: 'stdout' | 'stderr';
  line: string;
  ts: string;
  /** Which instance of a replicated service printed it (1…N); absent for a single instance. Each
   * instance's lines come in time order; lines of different instances interleave as they arrive. */
  replica?: number;
}

/** A change the runtime noticed on its own: a container died, restarted, changed health. The
 * engine inspects the instance in response, so notifications carry no state that could be stale. */
export interface RuntimeChange {
  instanceId: string;
  service: string;
  /** Runtime's own words, e.g. `die (exit 137)`. */
  reason: string;
}

/** A live sync connection into one instance; closing it detaches its sessions. */
export interface SyncLink {
  close(): Promise<void>;
  /**
   * Called once when the link breaks by itself (the exec channel ended, the agent was killed)
   * rather than by `close()`: the engine then opens a new one if the instance still runs.
   */
  onClosed?(cb: (reason: string) => void): void;
}

export interface ExecResult {
  exitCode: number;
  output: string;
}

export interface Disposable {
  dispose(): void;
}

/** Argo CD in a Kubernetes runtime's cluster, for `devenv argocd …`. */
export interface ArgoCdAccess {
  /** The initial admin password Argo CD generated. */
  password(): Promise<string>;
  /** Argo CD's UI on 127.0.0.1 (`localPort` 0: a free one) until closed. */
  forwardUi(localPort: number): Promise<{ url: string; close(): Promise<void> }>;
  /** What installing and configuring the pinned Argo CD would change; changes nothing. */
  plannedChanges(sink: EventSink): Promise<{ installed?: string; changes: string[] }>;
  /** Makes those changes (asked for explicitly on a cluster devenv did not create). */
  install(project: ProjectSpec, sink: EventSink): Promise<void>;
}

export interface Runtime {
  readonly kind: RuntimeKind;

  /** Reach the runtime; throw a UserError with a fix when it cannot be reached. */
  connect(): Promise<RuntimeInfo>;

  /**
   * Whether the runtime's own engine answers now (the Docker daemon): cheap and bounded in time,
   * called every second by the engine's health watch. Absent on runtimes without an engine of
   * their own (host processes).
   */
  ping?(): Promise<void>;

  /**
   * Whether this runtime will report health for the service (a Compose healthcheck in a
   * container; a process probe on the host). The engine waits for `healthy` only when it will.
   */
  hasHealthcheck(service: ServiceSpec): boolean;

  /** The fields of a service that, when changed, mean its instance must be recreated. */
  hashInput(service: ServiceSpec, project: ProjectSpec, artifact?: Artifact): unknown;

  /** Every instance this runtime holds for the project, from its own records. */
  observe(project: string): Promise<ObservedInstance[]>;

  /** Project-wide resources: network and volumes, a state directory, a namespace. Idempotent. */
  ensureProjectResources(project: ProjectSpec, sink: EventSink): Promise<void>;

  /**
   * Build (or check) each service's artifact; a promise per service, so a service starts as soon
   * as its own image is ready. The runtime shares one build between services with the same build
   * section, and skips a build whose inputs did not change unless the service is in `force`.
   */
  prepareArtifacts(
    services: ServiceSpec[],
    project: ProjectSpec,
    sink: EventSink,
    signal: AbortSignal,
    opts: { force: string[] },
  ): Record<string, Promise<Artifact | undefined>>;

  /** Create (not start) an instance labelled with project, service and spec hash. */
  create(service: ServiceSpec, ctx: CreateContext): Promise<string>;
  start(instanceId: string): Promise<void>;
  /** Graceful stop (the service's stop signal), escalating to a kill after timeoutMs. */
  stop(instanceId: string, timeoutMs: number): Promise<void>;
  /**
   * Restart the instance where it runs, keeping its filesystem (files synced into it stay), the
   * stop escalating to a kill after timeoutMs. Absent: the engine stops and starts it (Docker's
   * restart keeps a container's filesystem; a pod's would not).
   */
  restart?(instanceId: string, timeoutMs: number): Promise<void>;
  remove(instanceId: string): Promise<void>;
  inspect(instanceId: string): Promise<InstanceState>;

  /** Log lines of an instance; `follow` keeps the iterator open until the signal aborts. */
  logs(
    instanceId: string,
    opts: { follow: boolean; tail?: number; since?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine>;

  /** Subscribe to the runtime's own state changes for the project's instances. */
  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable;

  /**
   * Connect the service's file-copying sync sessions to a started instance (an exec channel into a
   * container or a pod). Resolves once each session is attached (and reconciled where needed).
   * Absent on runtimes where the files are already in place (host processes).
   */
  attachSync?(
    instanceId: string,
    service: string,
    sessions: readonly SyncSession[],
    opts: { reconcile: boolean; onWarning: (message: string) => void },
  ): Promise<SyncLink>;

  /**
   * A runtime with more to reset than its instances (Kubernetes: `soft` recreates the project's
   * namespaces and Applications, `hard` the cluster). Absent: the engine's down (with volumes
   * for `hard`) and up are the reset.
   */
  reset?(project: ProjectSpec, mode: 'soft' | 'hard', sink: EventSink): Promise<void>;

  /** Cluster and Argo CD state for `ProjectStatus.cluster` (Kubernetes runtimes only). */
  clusterStatus?(project: string): Promise<ClusterStatus>;

  /** Argo CD in the cluster (Kubernetes runtimes only). */
  readonly argocd?: ArgoCdAccess;

  /**
   * Run a short command in the service's environment without its instance: a throwaway container
   * of its image (entrypoint replaced, no network), or a host process with its cwd and variables.
   * Debugger injection uses it to ask the interpreter whether debugpy is there. Absent where a
   * one-off run is not possible.
   */
  runOneOff?(service: ServiceSpec, argv: string[], ctx: OneOffContext): Promise<ExecResult>;

  /** Run a command inside the instance (`sync+exec`). */
  exec?(instanceId: string, command: string[], opts: { user?: string; workingDir?: string }): Promise<ExecResult>;

  /** Remove the project's network (and volumes when asked). Instances are removed first by the engine. */
  removeProjectResources(project: ProjectSpec, opts: { volumes: boolean }): Promise<void>;

  /** Release connections and watchers. */
  close(): Promise<void>;
}
