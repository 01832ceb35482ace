// The resolved, normalised form of a project's config: what the engine reconciles towards.
// The config loader produces it from Compose YAML (+ x-devenv); runtimes only ever read it.

/** A position in a config file, 1-based line and column, for messages a person can act on. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  endLine?: number;
  endCol?: number;
}

export type RuntimeKind = 'docker' | 'process' | 'kubernetes';

export interface ProjectSpec {
  /** Compose project name: `-p`, COMPOSE_PROJECT_NAME, top-level `name:`, or the directory's name. */
  name: string;
  /** Absolute directory that relative paths in the config resolve against. */
  projectDir: string;
  /** Absolute paths of the config files merged into this spec, in order. */
  configFiles: string[];
  /** Active services only (profiles applied), keyed by name. */
  services: Record<string, ServiceSpec>;
  /**
   * Added by the config loader: services disabled by their profiles, kept so a service named on
   * the command line (and its dependencies) can still run, as Compose allows. See activeServices().
   */
  disabledServices?: Record<string, ServiceSpec>;
  volumes: Record<string, VolumeSpec>;
  networks: Record<string, NetworkSpec>;
  /** Top-level `x-devenv`. */
  devenv: ProjectExtension;
}

export interface ServiceSpec {
  name: string;
  image?: string;
  build?: BuildSpec;
  /** `null`/absent: the image's default. Strings in Compose are shell-split into a list. */
  command?: string[];
  entrypoint?: string[];
  /** `env_file` entries merged under `environment`, interpolated. */
  environment: Record<string, string>;
  ports: PortSpec[];
  volumes: MountSpec[];
  dependsOn: Record<string, DependsOnSpec>;
  healthcheck?: HealthcheckSpec;
  restart: RestartPolicy;
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
  /** Networks this service joins; empty means the project's default network. */
  networks: string[];
  profiles: string[];
  tty: boolean;
  stdinOpen: boolean;
  stopSignal?: string;
  stopGracePeriodMs?: number;
  develop?: DevelopSpec;
  /** Service-level `x-devenv`. */
  devenv: ServiceExtension;
  /** Where the service is defined, for diagnostics. */
  source?: SourceLocation;
}

export interface BuildSpec {
  /** Absolute path of the build context. */
  context: string;
  /** Dockerfile path relative to the context (Compose semantics). */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
}

export interface PortSpec {
  /** Host address; devenv defaults to 127.0.0.1 when the file names none. */
  hostIp: string;
  /** Host port; undefined lets the runtime pick a free one. */
  published?: number;
  target: number;
  protocol: 'tcp' | 'udp';
  /** True when the config named the host address itself (so it is honoured as written). */
  hostIpExplicit: boolean;
}

export interface MountSpec {
  type: 'volume' | 'bind' | 'tmpfs';
  /** Volume name (project-scoped unless external) or absolute host path for binds. */
  source?: string;
  target: string;
  readOnly: boolean;
}

export type DependsOnCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface DependsOnSpec {
  condition: DependsOnCondition;
  /** Compose `required` (default true): a missing optional dependency is ignored. */
  required: boolean;
  /** Compose `restart`: restart this service when the dependency is updated. */
  restart: boolean;
}

export interface HealthcheckSpec {
  /** Docker form: ['CMD', ...args] | ['CMD-SHELL', script] | ['NONE']. */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
  startIntervalMs?: number;
}

export interface RestartPolicy {
  name: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  /** Only for on-failure. */
  maxRetries?: number;
}

export interface DevelopSpec {
  watch: WatchRule[];
}

export type WatchAction = 'sync' | 'rebuild' | 'sync+restart' | 'sync+exec' | 'restart';

export interface WatchRule {
  /** Absolute host path watched. */
  path: string;
  action: WatchAction;
  /** Container path files are synced to (sync* actions). */
  target?: string;
  ignore: string[];
  initialSync: boolean;
  /** For sync+exec: the command run in the container after a batch. */
  exec?: { command: string[]; user?: string; workingDir?: string };
}

export interface VolumeSpec {
  /** Name as written in the file. */
  name: string;
  external: boolean;
  driver?: string;
  labels: Record<string, string>;
}

export interface NetworkSpec {
  name: string;
  external: boolean;
  driver?: string;
}

export type DebugKind = 'python' | 'node';

/** Service-level `x-devenv` (documented in docs/config.md). */
export interface ServiceExtension {
  /** How to run the service on the process runtime. */
  process?: ProcessSpec;
  /** Debugger to inject; undefined means infer from the command, false disables. */
  debug?: DebugSpec | false;
  /** URL a person opens for this service (shown by `up`, opened by the TUI's `o`). */
  url?: string;
  /**
   * How `uvicorn --reload` reloads: `fork` (the default) runs it under devenv's fork reloader,
   * `native` keeps uvicorn's own. Other commands are not affected.
   */
  reload?: 'fork' | 'native';
}

export interface ProcessSpec {
  command: string[];
  /** Absolute working directory. */
  cwd: string;
  env: Record<string, string>;
  /**
   * Run as this user when devenv itself runs as root (initdb and postgres refuse root); the
   * runtime gives it the directories it needs. Ignored when devenv is not root.
   */
  user?: string;
  /** A one-time step (e.g. initdb, npm ci), run before the first start while `creates` is missing. */
  init?: { command: string[]; creates?: string };
  /** Probe used for health on the process runtime when the Compose healthcheck cannot run on the host. */
  healthcheck?: ProcessProbe;
}

export type ProcessProbe =
  | { type: 'command'; command: string[]; intervalMs: number; timeoutMs: number; retries: number }
  | { type: 'http'; url: string; intervalMs: number; timeoutMs: number; retries: number }
  | { type: 'tcp'; host: string; port: number; intervalMs: number; timeoutMs: number; retries: number };

/**
 * Label debugger injection puts on a container service: the container port its debugger listens
 * on. Readiness checks that watch for listening sockets skip it (the debugger listens long
 * before the program is ready).
 */
export const DEBUG_PORT_LABEL = 'dev.devenv.debug-port';

export interface DebugSpec {
  type: DebugKind;
  /** Port the debugger listens on inside the service (defaults: python 5678, node 9229). */
  port?: number;
  /** Fixed host port; undefined picks a free one. */
  hostPort?: number;
  /** Hold the program until a debugger attaches. */
  wait: boolean;
}

/** Top-level `x-devenv`. */
export interface ProjectExtension {
  /** Preferred runtime; `auto` picks Docker when an engine is reachable, otherwise processes. */
  runtime?: 'auto' | 'docker' | 'process' | 'kind' | 'k3d';
}
