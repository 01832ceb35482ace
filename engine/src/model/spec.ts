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
  /** Instances to run (`scale`, `deploy.replicas`); absent means 1. */
  replicas?: number;
  /** Top-level secrets and configs the service mounts, resolved to their content's source. */
  files?: ServiceFileSpec[];
  /** CPU, memory and pid limits and reservations (`mem_limit`, `cpus`, `deploy.resources`, …). */
  resources?: ResourceSpec;
  /** What the service's container is made of beyond the basics (capabilities, DNS, namespaces, …). */
  container?: ContainerSpec;
  /** Per-network settings (aliases, fixed addresses, priority) of the networks in `networks`. */
  networkAttachments?: Record<string, NetworkAttachmentSpec>;
  /** Compose `pull_policy` for the service's image (absent: pull only when missing). */
  pullPolicy?: PullPolicy;
  /** Commands run in the instance right after it starts and right before it stops. */
  hooks?: { postStart: HookSpec[]; preStop: HookSpec[] };
}

/**
 * A top-level secret or config as one service sees it: a file at `target`. Content comes from a
 * host file (`file`), or is known when loading (`content`: a config's inline content, or the
 * value of the variable a secret or config names with `environment`).
 */
export interface ServiceFileSpec {
  kind: 'secret' | 'config';
  /** Its name under the top-level `secrets:` or `configs:`. */
  source: string;
  /** Absolute path in the service: `/run/secrets/<name>` for secrets and `/<name>` for configs by default. */
  target: string;
  /** Absolute host path (source `file`). */
  file?: string;
  /** The content itself (sources `content` and `environment`). */
  content?: string;
  /** Numeric owner and group of the file in the service, and its permission bits. */
  uid?: string;
  gid?: string;
  mode?: number;
}

export interface ResourceSpec {
  /** Bytes: `mem_limit` or `deploy.resources.limits.memory`. */
  memoryLimit?: number;
  /** Bytes: `mem_reservation` or `deploy.resources.reservations.memory`. */
  memoryReservation?: number;
  /** Bytes of memory plus swap (`memswap_limit`); -1 for unlimited swap. */
  memorySwapLimit?: number;
  memorySwappiness?: number;
  /** CPUs (may be fractional): `cpus` or `deploy.resources.limits.cpus`. */
  cpus?: number;
  /** CPUs reserved (`deploy.resources.reservations.cpus`): a scheduling request. */
  cpuReservation?: number;
  cpuShares?: number;
  /** Microseconds. */
  cpuQuota?: number;
  cpuPeriod?: number;
  /** CPUs the service may run on, e.g. `0-1`, `0,2`. */
  cpuset?: string;
  /** `pids_limit` or `deploy.resources.limits.pids`; -1 for unlimited. */
  pidsLimit?: number;
  blkio?: BlkioSpec;
}

export interface BlkioSpec {
  weight?: number;
  weightDevice: { path: string; weight: number }[];
  deviceReadBps: { path: string; rate: number }[];
  deviceReadIops: { path: string; rate: number }[];
  deviceWriteBps: { path: string; rate: number }[];
  deviceWriteIops: { path: string; rate: number }[];
}

/** A namespace a service joins: the host's, another service's, or a container's by name. */
export type NamespaceRef =
  | { kind: 'host' }
  | { kind: 'service'; service: string }
  | { kind: 'container'; container: string }
  | { kind: 'mode'; mode: string };

export interface ContainerSpec {
  /** Fixed container name (`container_name`); only with a single instance. */
  containerName?: string;
  hostname?: string;
  domainname?: string;
  /** Ports the service listens on for other services, unpublished (`expose`). */
  expose: { port: number; protocol: 'tcp' | 'udp' | 'sctp' }[];
  capAdd: string[];
  capDrop: string[];
  privileged: boolean;
  securityOpt: string[];
  sysctls: Record<string, string>;
  ulimits: Record<string, { soft: number; hard: number }>;
  /** Bytes of /dev/shm. */
  shmSize?: number;
  /** Run an init process as PID 1 that forwards signals and reaps zombies. */
  init?: boolean;
  readOnly: boolean;
  /** `os/arch[/variant]` the image must be for. */
  platform?: string;
  /** OCI runtime (`runc`, `runsc`, …). */
  runtime?: string;
  /** `network_mode`: absent means the project's networks. */
  networkMode?: NamespaceRef | { kind: 'none' } | { kind: 'bridge' };
  pid?: NamespaceRef;
  ipc?: NamespaceRef;
  uts?: 'host';
  usernsMode?: string;
  cgroup?: 'host' | 'private';
  cgroupParent?: string;
  devices: { source: string; target: string; permissions: string }[];
  deviceCgroupRules: string[];
  groupAdd: string[];
  dns: string[];
  dnsSearch: string[];
  dnsOpt: string[];
  /** `host:address` entries for /etc/hosts. */
  extraHosts: { host: string; address: string }[];
  annotations: Record<string, string>;
  logging?: { driver?: string; options: Record<string, string> };
  /** Other services reached under an alias (`links: [db:database]`). */
  links: { service: string; alias: string }[];
  /** Containers outside the project reached under an alias (`external_links`). */
  externalLinks: { container: string; alias: string }[];
  volumesFrom: { from: NamespaceRef; readOnly: boolean }[];
  macAddress?: string;
  oomKillDisable?: boolean;
  oomScoreAdj?: number;
  /** Bind the container engine's API socket into the service (`use_api_socket`). */
  useApiSocket?: boolean;
}

/** A ContainerSpec that sets nothing: the base the loader (and tests) fill in. */
export function emptyContainerSpec(): ContainerSpec {
  return {
    expose: [],
    capAdd: [],
    capDrop: [],
    privileged: false,
    securityOpt: [],
    sysctls: {},
    ulimits: {},
    readOnly: false,
    devices: [],
    deviceCgroupRules: [],
    groupAdd: [],
    dns: [],
    dnsSearch: [],
    dnsOpt: [],
    extraHosts: [],
    annotations: {},
    links: [],
    externalLinks: [],
    volumesFrom: [],
  };
}

export interface NetworkAttachmentSpec {
  aliases: string[];
  ipv4Address?: string;
  ipv6Address?: string;
  linkLocalIps: string[];
  macAddress?: string;
  /** Higher first: the order the service is connected in (and its default route). */
  priority?: number;
  gwPriority?: number;
  interfaceName?: string;
  driverOpts: Record<string, string>;
}

/** When the image of a service without `build` is pulled. */
export type PullPolicy =
  | { kind: 'always' | 'never' | 'missing' | 'build' }
  /** Pull when the local copy was pulled (tagged) longer ago than this. */
  | { kind: 'every'; ms: number };

export interface HookSpec {
  command: string[];
  user?: string;
  workingDir?: string;
  privileged: boolean;
  environment: Record<string, string>;
}

export interface BuildSpec {
  /** Absolute path of the build context. */
  context: string;
  /** Dockerfile path relative to the context (Compose semantics). */
  dockerfile: string;
  args: Record<string, string>;
  target?: string;
  /** The Dockerfile itself (`dockerfile_inline`), instead of a file in the context. */
  dockerfileInline?: string;
  /** Labels of the built image. */
  labels?: Record<string, string>;
  /** Images whose layers the builder may reuse. */
  cacheFrom?: string[];
  noCache?: boolean;
  /** Pull a newer base image before building. */
  pull?: boolean;
  /** Network of the RUN steps (`default`, `host`, `none`, a network name). */
  network?: string;
  /** Bytes of /dev/shm in RUN steps. */
  shmSize?: number;
  /** `host:address` /etc/hosts entries of RUN steps. */
  extraHosts?: string[];
  /** More tags for the built image. */
  tags?: string[];
  ulimits?: Record<string, { soft: number; hard: number }>;
}

export interface PortSpec {
  /** Host address; devenv defaults to 127.0.0.1 when the file names none. */
  hostIp: string;
  /** Host port; undefined lets the runtime pick a free one. */
  published?: number;
  /** With a host range for one container port (`8000-8002:80`): its last port; each instance takes a free one. */
  publishedEnd?: number;
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
  /** Bind mounts: create a missing host directory (always for the short syntax, as in Compose). */
  createHostPath?: boolean;
  /** Bind mounts: `propagation`, and the SELinux relabel (`z` shared, `Z` private). */
  propagation?: string;
  selinux?: 'z' | 'Z';
  /** Volume mounts: do not copy the image's files into a new volume; labels of a volume created for it. */
  noCopy?: boolean;
  volumeLabels?: Record<string, string>;
  /** Volume mounts: a directory inside the volume, mounted instead of its root. */
  subpath?: string;
  /** tmpfs mounts: size in bytes and permission bits. */
  tmpfsSize?: number;
  tmpfsMode?: number;
  /** tmpfs mounts: further mount flags of a service-level `tmpfs:` entry (`noexec`, `uid=1000`, …). */
  tmpfsOptions?: string[];
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
  /** The volume's own name on the engine (`name:`, or `external.name`), used as is. */
  realName?: string;
  driverOpts?: Record<string, string>;
}

export interface NetworkSpec {
  name: string;
  external: boolean;
  driver?: string;
  /** The network's own name on the engine (`name:`, or `external.name`), used as is. */
  realName?: string;
  driverOpts?: Record<string, string>;
  labels?: Record<string, string>;
  internal?: boolean;
  attachable?: boolean;
  enableIpv6?: boolean;
  enableIpv4?: boolean;
  ipam?: {
    driver?: string;
    config: { subnet?: string; ipRange?: string; gateway?: string; auxAddresses?: Record<string, string> }[];
    options?: Record<string, string>;
  };
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
  /** What `devenv ci` runs once the environment is healthy, and how long it waits for that. */
  ci?: CiSpec;
  /** The engine's Prometheus endpoint (off unless given here or by `devenv up --metrics-port`). */
  metrics?: MetricsSpec;
}

/** `x-devenv.ci`. */
export interface CiSpec {
  /** How long `devenv ci` waits for every service to be healthy (its `--timeout` wins). */
  timeoutMs?: number;
  /** Run in order on the host once the environment is healthy; the first that fails ends the run. */
  tests: CiTest[];
}

export interface CiTest {
  /** Its name in the output and the JUnit report (default: the command as written). */
  name: string;
  /** The program and its arguments; a command written as a string runs under `sh -c`. */
  command: string[];
  /** Absolute; default the project directory. */
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
}

/** `x-devenv.metrics`. */
export interface MetricsSpec {
  /** Port of the Prometheus endpoint on 127.0.0.1. */
  port: number;
}
