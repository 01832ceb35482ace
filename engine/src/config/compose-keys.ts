// The one table of what devenv does with every key of the Compose specification, per runtime.
// Each key is honoured (it takes effect as under Docker Compose v2), refused (loading or `up`
// fails at the key's file:line:col, saying why and what to do), replaced (process runtime only:
// the service's `x-devenv.process` section stands in for it), or warned (only for keys that
// change nothing a service sees, and the warning says so). The loader's checks (key-uses.ts)
// and the key tables in docs/config.md (scripts/config-key-table.mjs) both come from here;
// compose-keys.test.ts walks the vendored schema and fails for any key this table misses.

import type { RuntimeKind } from '../model/spec.js';

export type KeyState =
  /** `how`: a few words on where it goes; `minApi`: the Docker API version it needs. */
  | { state: 'honoured'; how?: string; minApi?: string }
  /** Process runtime: the service's `x-devenv.process` (or the host itself) stands in for the key. */
  | { state: 'replaced'; by: string }
  | { state: 'refused'; why: string; fix: string }
  | { state: 'warned'; why: string };

export interface KeyRow {
  /** Dotted path; `*` stands for a name (service, network, …) or a list index. */
  key: string;
  /** The row covers every key below this one too. */
  subtree?: true;
  docker: KeyState;
  process: KeyState;
  kubernetes: KeyState;
  /**
   * A refusal that depends on the value (e.g. more than one replica on the process runtime).
   * `test` gets the plain value; the row's own state holds for every other value.
   */
  refuseWhen?: { runtime: RuntimeKind; test: (value: unknown) => boolean; doc: string; why: string; fix: string };
}

const honoured = (how?: string, minApi?: string): KeyState => ({
  state: 'honoured',
  ...(how ? { how } : {}),
  ...(minApi ? { minApi } : {}),
});
const refused = (why: string, fix: string): KeyState => ({ state: 'refused', why, fix });
const warned = (why: string): KeyState => ({ state: 'warned', why });
const replaced = (by: string): KeyState => ({ state: 'replaced', by });

/** The fix every key a host process cannot have points to. */
export const USE_DOCKER = 'use the Docker runtime for this service: `devenv --runtime docker up`';
const notLocal = (why: string) => refused(why, `${USE_DOCKER}, or remove the key`);
const notInCluster = (why: string, fix = 'remove the key, or run with `--runtime docker`') => refused(why, fix);

const H = honoured();

/** `scale` and `deploy.replicas`; several copies of one host process cannot run side by side. */
const INSTANCES: Omit<KeyRow, 'key'> = {
  docker: honoured('N containers named <project>-<service>-1…N'),
  process: honoured('1 (more is refused)'),
  kubernetes: honoured('Deployment replicas'),
  refuseWhen: {
    runtime: 'process',
    test: (v) => Number(v) > 1,
    doc: 'more than 1',
    why: 'several copies of one host process would contend for the same ports and files',
    fix: `${USE_DOCKER}, or run one instance`,
  },
};
const all = (state: KeyState) => ({ docker: state, process: state, kubernetes: state });

// What the process runtime's `x-devenv.process` stands in for.
const BY_COMMAND = replaced('x-devenv.process.command runs a host program instead');
const BY_IMAGE = replaced('x-devenv.process.command runs a host program; no image is pulled or built');
const BY_ENV = replaced('x-devenv.process.env, over the host environment');
const BY_HOST_FILES = replaced(
  'the process reads host paths directly (x-devenv.process.cwd and its command say where)',
);
const BY_HOST_NET = replaced('every process shares the host network: services reach each other on 127.0.0.1');
const BY_STATE_DIR = replaced('the services keep their data under the state directory ($DEVENV_STATE_DIR)');

// Frequent reasons.
const WINDOWS_ONLY = refused(
  'it applies to Windows containers only; devenv runs Linux containers',
  'remove it (it has no effect on Linux)',
);
const BUILDKIT_ONLY = (what: string) =>
  refused(
    `${what} needs BuildKit; devenv builds with the engine's classic builder API`,
    'remove it, or build the image beforehand with `docker buildx build` and name it in `image:`',
  );
const CONTAINER_METADATA = warned('metadata on a container; a host process has none and sees nothing of it');
const SWARM_ONLY = (what: string) =>
  warned(`${what} steers a Swarm across nodes; on one machine it changes nothing a service sees`);
const PROCESS_BUILD = BY_IMAGE;

const BUILD_KEYS: KeyRow[] = [
  {
    key: 'services.*.build',
    docker: honoured('built with the classic builder'),
    process: PROCESS_BUILD,
    kubernetes: honoured('built by the Docker builder, loaded into the cluster'),
  },
  ...(
    [
      ['context', 'the build context (a directory or a URL)'],
      ['dockerfile', undefined],
      ['dockerfile_inline', 'written into the context as the Dockerfile'],
      ['args', undefined],
      ['target', undefined],
      ['labels', 'labels on the built image'],
      ['cache_from', 'images the classic builder may reuse layers from'],
      ['no_cache', undefined],
      ['pull', 'the base image is pulled before the build'],
      ['network', 'network of the RUN steps'],
      ['shm_size', 'size of /dev/shm in RUN steps'],
      ['extra_hosts', '/etc/hosts entries in RUN steps'],
      ['tags', 'extra tags on the built image'],
    ] as const
  ).map(([k, how]) => ({
    key: `services.*.build.${k}`,
    docker: honoured(how),
    process: PROCESS_BUILD,
    kubernetes: honoured(how),
  })),
  {
    key: 'services.*.build.ulimits',
    subtree: true,
    docker: honoured('ulimits of RUN steps'),
    process: PROCESS_BUILD,
    kubernetes: honoured('ulimits of RUN steps'),
  },
  {
    key: 'services.*.build.cache_to',
    docker: warned('it only exports the build cache; the image is the same'),
    process: PROCESS_BUILD,
    kubernetes: warned('it only exports the build cache; the image is the same'),
  },
  {
    key: 'services.*.build.provenance',
    docker: warned('an attestation is stored beside the image, never inside it'),
    process: PROCESS_BUILD,
    kubernetes: warned('an attestation is stored beside the image, never inside it'),
  },
  {
    key: 'services.*.build.sbom',
    docker: warned('an attestation is stored beside the image, never inside it'),
    process: PROCESS_BUILD,
    kubernetes: warned('an attestation is stored beside the image, never inside it'),
  },
  { key: 'services.*.build.isolation', docker: WINDOWS_ONLY, process: PROCESS_BUILD, kubernetes: WINDOWS_ONLY },
  {
    key: 'services.*.build.secrets',
    subtree: true,
    docker: BUILDKIT_ONLY('a build secret'),
    process: PROCESS_BUILD,
    kubernetes: BUILDKIT_ONLY('a build secret'),
  },
  {
    key: 'services.*.build.ssh',
    docker: BUILDKIT_ONLY('SSH forwarding'),
    process: PROCESS_BUILD,
    kubernetes: BUILDKIT_ONLY('SSH forwarding'),
  },
  {
    key: 'services.*.build.platforms',
    docker: BUILDKIT_ONLY('a multi-platform build'),
    process: PROCESS_BUILD,
    kubernetes: BUILDKIT_ONLY('a multi-platform build'),
  },
  {
    key: 'services.*.build.additional_contexts',
    docker: BUILDKIT_ONLY('an additional build context'),
    process: PROCESS_BUILD,
    kubernetes: BUILDKIT_ONLY('an additional build context'),
  },
  {
    key: 'services.*.build.entitlements',
    docker: BUILDKIT_ONLY('a build entitlement'),
    process: PROCESS_BUILD,
    kubernetes: BUILDKIT_ONLY('a build entitlement'),
  },
  {
    key: 'services.*.build.privileged',
    docker: BUILDKIT_ONLY('a privileged build'),
    process: PROCESS_BUILD,
    kubernetes: BUILDKIT_ONLY('a privileged build'),
  },
];

const NO_GPU = refused(
  'devenv does not pass device requests (GPUs) to the engine',
  'remove it to run on the CPU, or run this service with `docker compose`',
);
const NO_MODELS = refused(
  'AI models are served by Docker Model Runner, which devenv does not drive',
  'remove it and run the model server as an ordinary service',
);
const RT_SCHED = refused(
  'real-time CPU scheduling needs a kernel with CONFIG_RT_GROUP_SCHED and a daemon started with --cpu-rt-runtime',
  'remove it for development',
);
const NO_LIMITS_LOCAL = notLocal('limits apply to a container’s cgroup; a host process runs in devenv’s own');
const K8S_RESOURCES = (how: string) => honoured(how);

const SERVICE_KEYS: KeyRow[] = [
  { key: 'services', ...all(H) },
  {
    key: 'services.*.image',
    docker: honoured('pulled when missing (see pull_policy)'),
    process: BY_IMAGE,
    kubernetes: H,
  },
  ...BUILD_KEYS,
  { key: 'services.*.command', docker: H, process: BY_COMMAND, kubernetes: honoured('container args') },
  { key: 'services.*.entrypoint', docker: H, process: BY_COMMAND, kubernetes: honoured('container command') },
  {
    key: 'services.*.environment',
    docker: H,
    process: BY_ENV,
    kubernetes: honoured('a ConfigMap, and a Secret for values that look secret'),
  },
  { key: 'services.*.env_file', docker: H, process: BY_ENV, kubernetes: honoured('merged into the environment') },
  { key: 'services.*.env_file.*.path', docker: H, process: BY_ENV, kubernetes: H },
  { key: 'services.*.env_file.*.required', docker: H, process: BY_ENV, kubernetes: H },
  {
    key: 'services.*.env_file.*.format',
    docker: honoured('`raw`: values taken verbatim'),
    process: BY_ENV,
    kubernetes: honoured('`raw`: values taken verbatim'),
  },
  { key: 'services.*.working_dir', docker: H, process: replaced('x-devenv.process.cwd'), kubernetes: H },
  {
    key: 'services.*.user',
    docker: H,
    process: replaced('x-devenv.process.user'),
    kubernetes: honoured('runAsUser/runAsGroup (numeric ids)'),
  },
  {
    key: 'services.*.ports',
    docker: honoured('published on 127.0.0.1 unless an address is given'),
    process: replaced('the process listens on host ports itself; devenv shows the ports it listens on'),
    kubernetes: honoured('forwarded from 127.0.0.1 to the pod'),
  },
  ...['target', 'published', 'host_ip', 'protocol'].map((k) => ({
    key: `services.*.ports.*.${k}`,
    docker: H,
    process: replaced('the process listens on host ports itself'),
    kubernetes: H,
  })),
  {
    key: 'services.*.ports.*.mode',
    docker: warned('`host` and `ingress` both publish on this one machine'),
    process: replaced('the process listens on host ports itself'),
    kubernetes: warned('`host` and `ingress` both forward from this one machine'),
  },
  {
    key: 'services.*.ports.*.name',
    docker: warned('a name for people and tools; nothing changes in the service'),
    process: warned('a name for people and tools; nothing changes in the service'),
    kubernetes: warned('a name for people and tools; nothing changes in the service'),
  },
  {
    key: 'services.*.ports.*.app_protocol',
    docker: warned('a hint for tools; nothing changes in the service'),
    process: warned('a hint for tools; nothing changes in the service'),
    kubernetes: warned('a hint for tools; nothing changes in the service'),
  },
  {
    key: 'services.*.expose',
    docker: honoured('exposed container ports'),
    process: replaced('the process listens on host ports itself'),
    kubernetes: honoured('ports of the Service'),
  },
  {
    key: 'services.*.volumes',
    docker: H,
    process: BY_HOST_FILES,
    kubernetes: honoured(
      'named volumes become PersistentVolumeClaims and tmpfs an in-memory emptyDir; bind mounts are left out with a warning (sync them with develop.watch)',
    ),
  },
  ...['type', 'source', 'target', 'read_only'].map((k) => ({
    key: `services.*.volumes.*.${k}`,
    docker: H,
    process: BY_HOST_FILES,
    kubernetes: H,
  })),
  { key: 'services.*.volumes.*.bind', docker: H, process: BY_HOST_FILES, kubernetes: H },
  {
    key: 'services.*.volumes.*.bind.create_host_path',
    docker: honoured('a missing host directory is created'),
    process: BY_HOST_FILES,
    kubernetes: warned('bind mounts are left out in a cluster'),
  },
  {
    key: 'services.*.volumes.*.bind.propagation',
    docker: H,
    process: BY_HOST_FILES,
    kubernetes: warned('bind mounts are left out in a cluster'),
  },
  {
    key: 'services.*.volumes.*.bind.selinux',
    docker: honoured('relabelled with :z or :Z'),
    process: BY_HOST_FILES,
    kubernetes: warned('bind mounts are left out in a cluster'),
  },
  {
    key: 'services.*.volumes.*.bind.recursive',
    docker: honoured('non-recursive or read-only-recursive bind', '1.44'),
    process: BY_HOST_FILES,
    kubernetes: warned('bind mounts are left out in a cluster'),
  },
  { key: 'services.*.volumes.*.volume', docker: H, process: BY_HOST_FILES, kubernetes: H },
  {
    key: 'services.*.volumes.*.volume.nocopy',
    docker: honoured('the image’s files are not copied into a new volume'),
    process: BY_HOST_FILES,
    kubernetes: warned('a claim starts empty in a cluster'),
  },
  {
    key: 'services.*.volumes.*.volume.labels',
    docker: honoured('labels of a volume created for the mount'),
    process: BY_HOST_FILES,
    kubernetes: warned('labels of an automatically created volume; the service sees nothing of them'),
  },
  {
    key: 'services.*.volumes.*.volume.subpath',
    docker: honoured('mounts a directory inside the volume', '1.45'),
    process: BY_HOST_FILES,
    kubernetes: honoured('volumeMount subPath'),
  },
  { key: 'services.*.volumes.*.tmpfs', docker: H, process: BY_HOST_FILES, kubernetes: H },
  {
    key: 'services.*.volumes.*.tmpfs.size',
    docker: H,
    process: BY_HOST_FILES,
    kubernetes: honoured('emptyDir sizeLimit'),
  },
  {
    key: 'services.*.volumes.*.tmpfs.mode',
    docker: H,
    process: BY_HOST_FILES,
    kubernetes: notInCluster('an emptyDir’s mode cannot be set'),
  },
  {
    key: 'services.*.volumes.*.image',
    subtree: true,
    docker: refused(
      'image mounts need Docker Engine 28 (API 1.48), and devenv does not create them yet',
      'copy the files into a volume, or into the service’s image',
    ),
    process: BY_HOST_FILES,
    kubernetes: refused('image volumes are not created by devenv', 'copy the files into the service’s image'),
  },
  {
    key: 'services.*.volumes.*.consistency',
    docker: warned('a performance hint of Docker Desktop for Mac; the files the service sees are the same'),
    process: BY_HOST_FILES,
    kubernetes: warned('a performance hint of Docker Desktop for Mac; the files the service sees are the same'),
  },
  {
    key: 'services.*.volumes_from',
    docker: honoured('mounts of another service (or container)'),
    process: notLocal('a host process has no other container’s mounts to share'),
    kubernetes: notInCluster('pods do not share another pod’s volumes'),
  },
  { key: 'services.*.tmpfs', docker: H, process: BY_HOST_FILES, kubernetes: honoured('an in-memory emptyDir') },
  { key: 'services.*.depends_on', docker: H, process: H, kubernetes: honoured('Argo CD sync waves') },
  { key: 'services.*.depends_on.*.condition', ...all(H) },
  { key: 'services.*.depends_on.*.required', ...all(H) },
  { key: 'services.*.depends_on.*.restart', ...all(H) },
  {
    key: 'services.*.healthcheck',
    docker: H,
    process: replaced('x-devenv.process.healthcheck (the Compose test is written for the container)'),
    kubernetes: honoured('a readinessProbe'),
  },
  ...['test', 'interval', 'timeout', 'retries', 'start_period', 'disable'].map((k) => ({
    key: `services.*.healthcheck.${k}`,
    docker: H,
    process: replaced('x-devenv.process.healthcheck'),
    kubernetes: H,
  })),
  {
    key: 'services.*.healthcheck.start_interval',
    docker: honoured('devenv probes at this interval during the start period (and Docker too from API 1.44)'),
    process: replaced('x-devenv.process.healthcheck'),
    kubernetes: honoured('probe period during the start period'),
  },
  {
    key: 'services.*.restart',
    docker: honoured('the engine applies it, and Docker’s own policy is set'),
    process: H,
    kubernetes: honoured('Deployments restart; one-shots others wait for run as Jobs'),
  },
  { key: 'services.*.profiles', ...all(H) },
  { key: 'services.*.extends', ...all(H) },
  { key: 'services.*.extends.service', ...all(H) },
  { key: 'services.*.extends.file', ...all(H) },
  { key: 'services.*.develop', ...all(H) },
  { key: 'services.*.develop.watch', ...all(H) },
  ...[
    'path',
    'action',
    'target',
    'ignore',
    'initial_sync',
    'exec',
    'exec.command',
    'exec.user',
    'exec.working_dir',
  ].map((k) => ({ key: `services.*.develop.watch.*.${k}`, ...all(H) })),
  {
    key: 'services.*.develop.watch.*.include',
    ...all(
      refused(
        'devenv’s sync does not filter by `include` patterns yet',
        'list what to leave out with `ignore` instead',
      ),
    ),
  },
  {
    key: 'services.*.develop.watch.*.exec.environment',
    ...all(
      refused(
        'devenv runs the exec with the service’s own environment',
        'set the variables in the command: `sh -c "NAME=value my-command"`',
      ),
    ),
  },
  {
    key: 'services.*.develop.watch.*.exec.privileged',
    ...all(
      refused(
        'devenv runs the exec with the service’s own privileges',
        'remove it; give the service what the command needs (cap_add)',
      ),
    ),
  },
  {
    key: 'services.*.labels',
    docker: H,
    process: CONTAINER_METADATA,
    kubernetes: honoured('annotations of the pod (label values Kubernetes would refuse are kept whole)'),
  },
  {
    key: 'services.*.label_file',
    docker: honoured('read when loading, under `labels`'),
    process: CONTAINER_METADATA,
    kubernetes: honoured('annotations of the pod'),
  },
  {
    key: 'services.*.annotations',
    docker: honoured('annotations of the container', '1.43'),
    process: CONTAINER_METADATA,
    kubernetes: honoured('annotations of the pod'),
  },
  {
    key: 'services.*.tty',
    docker: H,
    process: warned(
      'the process runs without a terminal and its output goes to the log; only output formatting can differ',
    ),
    kubernetes: H,
  },
  {
    key: 'services.*.stdin_open',
    docker: H,
    process: warned('the process reads /dev/null; a service that is not interactive sees no difference'),
    kubernetes: H,
  },
  {
    key: 'services.*.stop_signal',
    docker: H,
    process: H,
    kubernetes: honoured('sent from a preStop hook, before Kubernetes’ SIGTERM'),
  },
  { key: 'services.*.stop_grace_period', docker: H, process: H, kubernetes: honoured('terminationGracePeriodSeconds') },
  {
    key: 'services.*.scale',
    ...INSTANCES,
  },
  {
    key: 'services.*.container_name',
    docker: honoured('one container of that name (refused with more than one replica)'),
    process: warned('names a container; a process is known by its service name and reached on 127.0.0.1'),
    kubernetes: honoured('an extra Service of that name, when the service has ports'),
  },
  {
    key: 'services.*.hostname',
    docker: H,
    process: notLocal('a host process sees the host’s hostname'),
    kubernetes: honoured('pod hostname'),
  },
  {
    key: 'services.*.domainname',
    docker: H,
    process: notLocal('a host process sees the host’s domain name'),
    kubernetes: notInCluster('a pod’s domain is its namespace’s'),
  },
  {
    key: 'services.*.cap_add',
    docker: H,
    process: notLocal('a host process has the capabilities of the user devenv runs as'),
    kubernetes: honoured('securityContext.capabilities'),
  },
  {
    key: 'services.*.cap_drop',
    docker: H,
    process: notLocal('a host process has the capabilities of the user devenv runs as'),
    kubernetes: honoured('securityContext.capabilities'),
  },
  {
    key: 'services.*.privileged',
    docker: H,
    process: notLocal('a host process has the privileges of the user devenv runs as'),
    kubernetes: honoured('securityContext.privileged'),
  },
  {
    key: 'services.*.security_opt',
    docker: H,
    process: notLocal('security options apply to a container'),
    kubernetes: honoured('no-new-privileges, seccomp and AppArmor profiles, SELinux labels in the securityContext'),
  },
  {
    key: 'services.*.sysctls',
    docker: H,
    process: notLocal('sysctls are per container; a host process shares the host’s'),
    kubernetes: honoured('pod securityContext.sysctls (the kubelet allows only its safe set unless told otherwise)'),
  },
  {
    key: 'services.*.ulimits',
    subtree: true,
    docker: H,
    process: notLocal('ulimits are set on the container'),
    kubernetes: notInCluster('a pod has no per-container ulimits'),
  },
  {
    key: 'services.*.shm_size',
    docker: H,
    process: notLocal('/dev/shm is the host’s'),
    kubernetes: honoured('an in-memory emptyDir at /dev/shm'),
  },
  {
    key: 'services.*.init',
    docker: honoured('Docker’s init as PID 1'),
    process: notLocal('a host process has no PID 1 of its own'),
    kubernetes: honoured('shareProcessNamespace: the pause process is PID 1 and reaps'),
  },
  {
    key: 'services.*.read_only',
    docker: H,
    process: notLocal('the host’s file system cannot be made read-only for one process'),
    kubernetes: honoured('readOnlyRootFilesystem'),
  },
  {
    key: 'services.*.platform',
    docker: honoured('image pulled (and checked) for that platform'),
    process: notLocal('a host program runs on the host’s platform'),
    kubernetes: honoured('node selector on kubernetes.io/os and kubernetes.io/arch'),
  },
  {
    key: 'services.*.runtime',
    docker: H,
    process: notLocal('there is no OCI runtime for a host process'),
    kubernetes: notInCluster('it needs a RuntimeClass in the cluster'),
  },
  {
    key: 'services.*.network_mode',
    docker: honoured('host, none, bridge, service:NAME (started first), container:NAME'),
    process: notLocal('a host process always shares the host’s network'),
    kubernetes: notInCluster('a pod has its own network; services reach each other by name'),
  },
  {
    key: 'services.*.pid',
    docker: honoured('host, service:NAME, container:NAME'),
    process: notLocal('a host process sees the host’s processes'),
    kubernetes: notInCluster('pods do not share process namespaces'),
  },
  {
    key: 'services.*.ipc',
    docker: honoured('host, private, shareable, service:NAME, container:NAME'),
    process: notLocal('a host process uses the host’s IPC'),
    kubernetes: notInCluster('pods do not share IPC namespaces'),
  },
  {
    key: 'services.*.uts',
    docker: H,
    process: notLocal('a host process uses the host’s UTS namespace'),
    kubernetes: notInCluster('pods do not share UTS namespaces'),
  },
  {
    key: 'services.*.userns_mode',
    docker: H,
    process: notLocal('a host process runs in the host’s user namespace'),
    kubernetes: notInCluster('user namespaces are the cluster’s choice'),
  },
  {
    key: 'services.*.cgroup',
    docker: H,
    process: notLocal('a host process stays in devenv’s cgroup'),
    kubernetes: notInCluster('the kubelet decides cgroup namespaces'),
  },
  {
    key: 'services.*.cgroup_parent',
    docker: H,
    process: notLocal('a host process stays in devenv’s cgroup'),
    kubernetes: notInCluster('the kubelet decides cgroups'),
  },
  {
    key: 'services.*.devices',
    docker: H,
    process: notLocal('a host process sees the host’s devices'),
    kubernetes: notInCluster('devices need a device plugin in the cluster'),
  },
  ...['source', 'target', 'permissions'].map((k) => ({
    key: `services.*.devices.*.${k}`,
    docker: H,
    process: notLocal('a host process sees the host’s devices'),
    kubernetes: notInCluster('devices need a device plugin in the cluster'),
  })),
  {
    key: 'services.*.device_cgroup_rules',
    docker: H,
    process: notLocal('device rules apply to a container’s cgroup'),
    kubernetes: notInCluster('devices need a device plugin in the cluster'),
  },
  {
    key: 'services.*.group_add',
    docker: H,
    process: notLocal('a host process has the groups of the user devenv runs as'),
    kubernetes: honoured('supplementalGroups (numeric ids)'),
  },
  {
    key: 'services.*.dns',
    docker: H,
    process: notLocal('a host process uses the host’s resolver'),
    kubernetes: honoured('dnsConfig.nameservers, after the cluster DNS'),
  },
  {
    key: 'services.*.dns_search',
    docker: H,
    process: notLocal('a host process uses the host’s resolver'),
    kubernetes: honoured('dnsConfig.searches'),
  },
  {
    key: 'services.*.dns_opt',
    docker: H,
    process: notLocal('a host process uses the host’s resolver'),
    kubernetes: honoured('dnsConfig.options'),
  },
  {
    key: 'services.*.extra_hosts',
    docker: honoured('/etc/hosts entries (host-gateway too)'),
    process: notLocal('a host process reads the host’s /etc/hosts'),
    kubernetes: honoured('hostAliases (IP addresses only)'),
  },
  {
    key: 'services.*.links',
    docker: honoured('the linked service is started first and reachable under the alias'),
    process: notLocal('processes reach each other on 127.0.0.1, not by name'),
    kubernetes: honoured('an extra Service named after the alias'),
  },
  {
    key: 'services.*.external_links',
    docker: honoured('a container outside the project, reachable under the alias'),
    process: notLocal('processes reach each other on 127.0.0.1, not by name'),
    kubernetes: notInCluster('a container outside the project does not exist in the cluster'),
  },
  {
    key: 'services.*.mac_address',
    docker: H,
    process: notLocal('a host process uses the host’s interfaces'),
    kubernetes: notInCluster('the cluster’s network assigns addresses'),
  },
  {
    key: 'services.*.oom_kill_disable',
    docker: H,
    process: notLocal('the OOM killer settings apply to a container’s cgroup'),
    kubernetes: notInCluster('the kubelet decides OOM handling'),
  },
  {
    key: 'services.*.oom_score_adj',
    docker: H,
    process: notLocal('devenv does not change a host process’s OOM score'),
    kubernetes: notInCluster('the kubelet sets OOM scores from the QoS class'),
  },
  {
    key: 'services.*.use_api_socket',
    docker: honoured('the engine’s socket at /var/run/docker.sock'),
    process: notLocal('a host process reaches the engine like any other program'),
    kubernetes: notInCluster('the cluster’s nodes have no Docker socket to share'),
  },
  {
    key: 'services.*.logging',
    docker: H,
    process: warned('output goes to devenv’s log file; the logging driver changes nothing the process sees'),
    kubernetes: warned('the cluster collects the output; the logging driver changes nothing the service sees'),
  },
  {
    key: 'services.*.logging.driver',
    docker: H,
    process: warned('output goes to devenv’s log file'),
    kubernetes: warned('the cluster collects the output'),
  },
  {
    key: 'services.*.logging.options',
    docker: H,
    process: warned('output goes to devenv’s log file'),
    kubernetes: warned('the cluster collects the output'),
  },
  {
    key: 'services.*.attach',
    ...all(
      warned('devenv follows every service’s output; `devenv logs SERVICE` shows one; the service sees nothing of it'),
    ),
  },
  {
    key: 'services.*.pull_policy',
    docker: honoured('always, never, missing, build, daily, weekly, every_<duration>, refresh'),
    process: BY_IMAGE,
    kubernetes: honoured('imagePullPolicy'),
  },
  {
    key: 'services.*.pull_refresh_after',
    docker: honoured('how old a pulled image may get under `pull_policy: refresh`'),
    process: BY_IMAGE,
    kubernetes: honoured('under `refresh`, imagePullPolicy Always'),
  },
  {
    key: 'services.*.secrets',
    docker: honoured('file secrets bind-mounted read-only; environment ones copied in before start'),
    process: honoured('files in the state directory, $DEVENV_SECRETS_DIR'),
    kubernetes: honoured('a Secret mounted at the target'),
  },
  { key: 'services.*.secrets.*.source', ...all(H) },
  {
    key: 'services.*.secrets.*.target',
    docker: H,
    process: honoured('the same path under $DEVENV_FILES_DIR'),
    kubernetes: H,
  },
  {
    key: 'services.*.secrets.*.mode',
    docker: honoured('the file is copied in with that mode'),
    process: H,
    kubernetes: honoured('the item’s mode'),
  },
  {
    key: 'services.*.secrets.*.uid',
    docker: honoured('the file is copied in with that owner'),
    process: honoured('when devenv runs as root'),
    kubernetes: notInCluster(
      'the files of a Secret volume belong to root',
      'remove uid/gid, and make the file readable with `mode`',
    ),
  },
  {
    key: 'services.*.secrets.*.gid',
    docker: honoured('the file is copied in with that group'),
    process: honoured('when devenv runs as root'),
    kubernetes: notInCluster(
      'the files of a Secret volume belong to root',
      'remove uid/gid, and make the file readable with `mode`',
    ),
  },
  {
    key: 'services.*.configs',
    docker: honoured('file configs bind-mounted read-only; content and environment ones copied in before start'),
    process: honoured('files in the state directory, $DEVENV_FILES_DIR'),
    kubernetes: honoured('a ConfigMap mounted at the target'),
  },
  { key: 'services.*.configs.*.source', ...all(H) },
  {
    key: 'services.*.configs.*.target',
    docker: H,
    process: honoured('the same path under $DEVENV_FILES_DIR'),
    kubernetes: H,
  },
  {
    key: 'services.*.configs.*.mode',
    docker: honoured('the file is copied in with that mode'),
    process: H,
    kubernetes: honoured('the item’s mode'),
  },
  {
    key: 'services.*.configs.*.uid',
    docker: honoured('the file is copied in with that owner'),
    process: honoured('when devenv runs as root'),
    kubernetes: notInCluster(
      'the files of a ConfigMap volume belong to root',
      'remove uid/gid, and make the file readable with `mode`',
    ),
  },
  {
    key: 'services.*.configs.*.gid',
    docker: honoured('the file is copied in with that group'),
    process: honoured('when devenv runs as root'),
    kubernetes: notInCluster(
      'the files of a ConfigMap volume belong to root',
      'remove uid/gid, and make the file readable with `mode`',
    ),
  },
  {
    key: 'services.*.networks',
    docker: honoured('the service joins each, in priority order'),
    process: BY_HOST_NET,
    kubernetes: warned(
      'a cluster has one flat network: services on different Compose networks can reach each other (more than under Compose, never less)',
    ),
  },
  {
    key: 'services.*.networks.*.aliases',
    docker: H,
    process: BY_HOST_NET,
    kubernetes: honoured('an extra Service per alias'),
  },
  {
    key: 'services.*.networks.*.ipv4_address',
    docker: H,
    process: BY_HOST_NET,
    kubernetes: notInCluster(
      'the cluster’s network assigns pod addresses',
      'reach the service by its name instead of a fixed address',
    ),
  },
  {
    key: 'services.*.networks.*.ipv6_address',
    docker: H,
    process: BY_HOST_NET,
    kubernetes: notInCluster(
      'the cluster’s network assigns pod addresses',
      'reach the service by its name instead of a fixed address',
    ),
  },
  {
    key: 'services.*.networks.*.link_local_ips',
    docker: H,
    process: BY_HOST_NET,
    kubernetes: notInCluster('the cluster’s network assigns pod addresses'),
  },
  {
    key: 'services.*.networks.*.priority',
    docker: honoured('connection order'),
    process: BY_HOST_NET,
    kubernetes: warned('a pod has one interface; the order of networks changes nothing'),
  },
  {
    key: 'services.*.networks.*.mac_address',
    docker: honoured('the endpoint’s MAC address', '1.44'),
    process: BY_HOST_NET,
    kubernetes: notInCluster('the cluster’s network assigns addresses'),
  },
  {
    key: 'services.*.networks.*.driver_opts',
    docker: H,
    process: BY_HOST_NET,
    kubernetes: notInCluster('the cluster’s network plugin takes no per-pod options'),
  },
  {
    key: 'services.*.networks.*.gw_priority',
    docker: honoured('which network gives the default route', '1.48'),
    process: BY_HOST_NET,
    kubernetes: warned('a pod has one interface and one default route'),
  },
  {
    key: 'services.*.networks.*.interface_name',
    docker: honoured('the interface’s name in the container', '1.49'),
    process: BY_HOST_NET,
    kubernetes: notInCluster('a pod’s interface is named by the cluster’s network'),
  },
  {
    key: 'services.*.mem_limit',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.limits.memory'),
  },
  {
    key: 'services.*.mem_reservation',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.requests.memory'),
  },
  {
    key: 'services.*.memswap_limit',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: notInCluster('swap is the node’s setting'),
  },
  {
    key: 'services.*.mem_swappiness',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: notInCluster('swap is the node’s setting'),
  },
  { key: 'services.*.cpus', docker: H, process: NO_LIMITS_LOCAL, kubernetes: K8S_RESOURCES('resources.limits.cpu') },
  {
    key: 'services.*.cpu_shares',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.requests.cpu (shares ÷ 1024)'),
  },
  {
    key: 'services.*.cpu_quota',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.limits.cpu (quota ÷ period)'),
  },
  {
    key: 'services.*.cpu_period',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('with cpu_quota, resources.limits.cpu'),
  },
  {
    key: 'services.*.cpuset',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: notInCluster('CPU pinning is the kubelet’s CPU manager’s decision'),
  },
  {
    key: 'services.*.pids_limit',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: notInCluster('the pid limit is the kubelet’s setting for every pod'),
  },
  {
    key: 'services.*.blkio_config',
    subtree: true,
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: notInCluster('block IO limits are not set per pod'),
  },
  { key: 'services.*.cpu_rt_period', docker: RT_SCHED, process: NO_LIMITS_LOCAL, kubernetes: RT_SCHED },
  { key: 'services.*.cpu_rt_runtime', docker: RT_SCHED, process: NO_LIMITS_LOCAL, kubernetes: RT_SCHED },
  { key: 'services.*.cpu_count', ...all(WINDOWS_ONLY) },
  { key: 'services.*.cpu_percent', ...all(WINDOWS_ONLY) },
  { key: 'services.*.isolation', ...all(WINDOWS_ONLY) },
  { key: 'services.*.credential_spec', subtree: true, ...all(WINDOWS_ONLY) },
  {
    key: 'services.*.storage_opt',
    ...all(
      refused(
        'a per-container disk quota needs the engine’s storage on xfs with project quotas; devenv does not set it',
        'remove it for development',
      ),
    ),
  },
  { key: 'services.*.gpus', subtree: true, ...all(NO_GPU) },
  { key: 'services.*.models', subtree: true, ...all(NO_MODELS) },
  {
    key: 'services.*.provider',
    subtree: true,
    ...all(
      refused(
        'a provider service is managed by a Compose plugin devenv does not run',
        'start what the provider would, as an ordinary service',
      ),
    ),
  },
  {
    key: 'services.*.post_start',
    docker: honoured('run in the container once it started'),
    process: notLocal('the hook runs inside the container'),
    kubernetes: honoured('lifecycle.postStart'),
  },
  {
    key: 'services.*.pre_stop',
    docker: honoured('run in the container before it is stopped'),
    process: notLocal('the hook runs inside the container'),
    kubernetes: honoured('lifecycle.preStop'),
  },
  ...['post_start', 'pre_stop'].flatMap((hook) => [
    {
      key: `services.*.${hook}.*.command`,
      docker: H,
      process: notLocal('the hook runs inside the container'),
      kubernetes: H,
    },
    ...['user', 'privileged', 'working_dir', 'environment'].map((k) => ({
      key: `services.*.${hook}.*.${k}`,
      docker: H,
      process: notLocal('the hook runs inside the container'),
      kubernetes: notInCluster(
        'a lifecycle hook runs with the container’s own user, privileges, directory and environment',
        'write it into the command: `sh -c "cd /dir && NAME=value my-command"`',
      ),
    })),
  ]),
  { key: 'services.*.deploy', docker: H, process: H, kubernetes: H },
  {
    key: 'services.*.deploy.replicas',
    ...INSTANCES,
  },
  {
    key: 'services.*.deploy.mode',
    docker: honoured('replicated, or global (one instance on one machine)'),
    process: honoured('replicated, or global (one instance)'),
    kubernetes: honoured('replicated, or global (one instance)'),
  },
  { key: 'services.*.deploy.resources', docker: H, process: NO_LIMITS_LOCAL, kubernetes: H },
  { key: 'services.*.deploy.resources.limits', docker: H, process: NO_LIMITS_LOCAL, kubernetes: H },
  {
    key: 'services.*.deploy.resources.limits.cpus',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.limits.cpu'),
  },
  {
    key: 'services.*.deploy.resources.limits.memory',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.limits.memory'),
  },
  {
    key: 'services.*.deploy.resources.limits.pids',
    docker: H,
    process: NO_LIMITS_LOCAL,
    kubernetes: notInCluster('the pid limit is the kubelet’s setting for every pod'),
  },
  { key: 'services.*.deploy.resources.reservations', docker: H, process: NO_LIMITS_LOCAL, kubernetes: H },
  {
    key: 'services.*.deploy.resources.reservations.memory',
    docker: honoured('a soft limit (memory reservation)'),
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.requests.memory'),
  },
  {
    key: 'services.*.deploy.resources.reservations.cpus',
    docker: warned(
      'a CPU reservation only guides placement across a Swarm’s nodes; one engine places nothing (as in Compose)',
    ),
    process: NO_LIMITS_LOCAL,
    kubernetes: K8S_RESOURCES('resources.requests.cpu'),
  },
  { key: 'services.*.deploy.resources.reservations.devices', subtree: true, ...all(NO_GPU) },
  {
    key: 'services.*.deploy.resources.reservations.generic_resources',
    subtree: true,
    docker: SWARM_ONLY('a generic resource'),
    process: SWARM_ONLY('a generic resource'),
    kubernetes: SWARM_ONLY('a generic resource'),
  },
  {
    key: 'services.*.deploy.restart_policy',
    ...all(honoured('as the service’s restart policy, unless it gives `restart` too (which wins, as in Compose)')),
  },
  {
    key: 'services.*.deploy.restart_policy.condition',
    docker: honoured('none, on-failure, any'),
    process: honoured('none, on-failure, any'),
    kubernetes: H,
  },
  { key: 'services.*.deploy.restart_policy.max_attempts', ...all(honoured('with on-failure')) },
  {
    key: 'services.*.deploy.restart_policy.delay',
    ...all(warned('devenv restarts with its own backoff (1 s doubling to 30 s); what the service sees is the same')),
  },
  {
    key: 'services.*.deploy.restart_policy.window',
    ...all(warned('devenv restarts with its own backoff (1 s doubling to 30 s); what the service sees is the same')),
  },
  {
    key: 'services.*.deploy.labels',
    ...all(warned('labels of a Swarm service, never of its containers (as in Compose)')),
  },
  { key: 'services.*.deploy.endpoint_mode', ...all(SWARM_ONLY('the endpoint mode')) },
  { key: 'services.*.deploy.placement', subtree: true, ...all(SWARM_ONLY('placement')) },
  { key: 'services.*.deploy.update_config', subtree: true, ...all(SWARM_ONLY('a rolling update')) },
  { key: 'services.*.deploy.rollback_config', subtree: true, ...all(SWARM_ONLY('a rollback')) },
];

const TOP_KEYS: KeyRow[] = [
  { key: 'version', ...all(warned('obsolete in the Compose specification, and ignored')) },
  { key: 'name', ...all(honoured('the project name, unless -p or COMPOSE_PROJECT_NAME gives one')) },
  {
    key: 'include',
    ...all(honoured('other Compose files’ services, networks, volumes, secrets and configs join the project')),
  },
  { key: 'include.*.path', ...all(H) },
  { key: 'include.*.env_file', ...all(H) },
  { key: 'include.*.project_directory', ...all(H) },
  { key: 'models', subtree: true, ...all(NO_MODELS) },
  {
    key: 'networks',
    docker: H,
    process: BY_HOST_NET,
    kubernetes: warned(
      'a cluster has one flat network: services on different Compose networks can reach each other (more than under Compose, never less)',
    ),
  },
  ...['name', 'driver', 'driver_opts', 'labels', 'external', 'external.name', 'attachable', 'enable_ipv6'].map((k) => ({
    key: `networks.*.${k}`,
    docker: H,
    process: BY_HOST_NET,
    kubernetes: warned('a cluster has one flat network, made by its network plugin'),
  })),
  {
    key: 'networks.*.enable_ipv4',
    docker: honoured('`false`: an IPv6-only network', '1.47'),
    process: BY_HOST_NET,
    kubernetes: warned('a cluster has one flat network, made by its network plugin'),
  },
  {
    key: 'networks.*.internal',
    docker: H,
    process: BY_HOST_NET,
    kubernetes: notInCluster('a pod can always reach outside the cluster', 'remove it, or run with `--runtime docker`'),
  },
  ...[
    'ipam',
    'ipam.driver',
    'ipam.options',
    'ipam.config',
    'ipam.config.*.subnet',
    'ipam.config.*.ip_range',
    'ipam.config.*.gateway',
    'ipam.config.*.aux_addresses',
  ].map((k) => ({
    key: `networks.*.${k}`,
    docker: H,
    process: BY_HOST_NET,
    kubernetes: warned('the cluster’s network plugin assigns addresses; fixed service addresses are refused'),
  })),
  { key: 'volumes', docker: H, process: BY_STATE_DIR, kubernetes: honoured('PersistentVolumeClaims') },
  {
    key: 'volumes.*.name',
    docker: honoured('the volume’s own name, not prefixed with the project'),
    process: BY_STATE_DIR,
    kubernetes: honoured('the claim’s name'),
  },
  {
    key: 'volumes.*.external',
    docker: honoured('must exist; never created or removed'),
    process: BY_STATE_DIR,
    kubernetes: honoured('an existing claim'),
  },
  { key: 'volumes.*.external.name', docker: H, process: BY_STATE_DIR, kubernetes: H },
  { key: 'volumes.*.labels', docker: H, process: BY_STATE_DIR, kubernetes: honoured('labels of the claim') },
  {
    key: 'volumes.*.driver',
    docker: H,
    process: BY_STATE_DIR,
    kubernetes: notInCluster(
      'storage comes from the cluster’s storage class',
      'remove it, or run with `--runtime docker`',
    ),
  },
  {
    key: 'volumes.*.driver_opts',
    docker: H,
    process: BY_STATE_DIR,
    kubernetes: notInCluster(
      'storage comes from the cluster’s storage class',
      'remove it, or run with `--runtime docker`',
    ),
  },
  { key: 'secrets', docker: H, process: H, kubernetes: honoured('a Secret per secret') },
  {
    key: 'secrets.*.file',
    docker: honoured('bind-mounted read-only (copied in when uid, gid or mode is set)'),
    process: honoured('copied into the state directory'),
    kubernetes: honoured('its content in a Secret'),
  },
  {
    key: 'secrets.*.environment',
    docker: honoured('the variable’s value, copied in before start'),
    process: H,
    kubernetes: honoured('its value in a Secret'),
  },
  {
    key: 'secrets.*.name',
    ...all(warned('names a secret in a Swarm; the file the service reads is named by `target`')),
  },
  { key: 'secrets.*.labels', ...all(warned('labels of a Swarm secret; the service sees nothing of them')) },
  {
    key: 'secrets.*.external',
    ...all(
      refused(
        'an external secret lives in a Swarm (Compose refuses it too)',
        'give its content with `file:` or `environment:`',
      ),
    ),
  },
  {
    key: 'secrets.*.external.name',
    ...all(
      refused(
        'an external secret lives in a Swarm (Compose refuses it too)',
        'give its content with `file:` or `environment:`',
      ),
    ),
  },
  {
    key: 'secrets.*.driver',
    ...all(
      refused(
        'secret drivers belong to a Swarm (Compose refuses them too)',
        'give its content with `file:` or `environment:`',
      ),
    ),
  },
  {
    key: 'secrets.*.driver_opts',
    ...all(
      refused(
        'secret drivers belong to a Swarm (Compose refuses them too)',
        'give its content with `file:` or `environment:`',
      ),
    ),
  },
  {
    key: 'secrets.*.template_driver',
    ...all(
      refused(
        'templated secrets belong to a Swarm (Compose refuses them too)',
        'write the rendered content into the file',
      ),
    ),
  },
  { key: 'configs', docker: H, process: H, kubernetes: honoured('a ConfigMap per config') },
  {
    key: 'configs.*.file',
    docker: honoured('bind-mounted read-only (copied in when uid, gid or mode is set)'),
    process: honoured('copied into the state directory'),
    kubernetes: honoured('its content in a ConfigMap'),
  },
  {
    key: 'configs.*.content',
    docker: honoured('copied in before start'),
    process: H,
    kubernetes: honoured('in a ConfigMap'),
  },
  {
    key: 'configs.*.environment',
    docker: honoured('the variable’s value, copied in before start'),
    process: H,
    kubernetes: honoured('its value in a ConfigMap'),
  },
  {
    key: 'configs.*.name',
    ...all(warned('names a config in a Swarm; the file the service reads is named by `target`')),
  },
  { key: 'configs.*.labels', ...all(warned('labels of a Swarm config; the service sees nothing of them')) },
  {
    key: 'configs.*.external',
    ...all(
      refused(
        'an external config lives in a Swarm (Compose refuses it too)',
        'give its content with `file:`, `content:` or `environment:`',
      ),
    ),
  },
  {
    key: 'configs.*.external.name',
    ...all(
      refused(
        'an external config lives in a Swarm (Compose refuses it too)',
        'give its content with `file:`, `content:` or `environment:`',
      ),
    ),
  },
  {
    key: 'configs.*.template_driver',
    ...all(
      refused(
        'templated configs belong to a Swarm (Compose refuses them too)',
        'write the rendered content into `content:` or the file',
      ),
    ),
  },
];

/** Every row, top-level keys first. */
export const COMPOSE_KEYS: readonly KeyRow[] = [...TOP_KEYS, ...SERVICE_KEYS];

const byKey = new Map(COMPOSE_KEYS.map((row) => [row.key, row]));

/** The row for an exact key pattern. */
export function keyRow(pattern: string): KeyRow | undefined {
  return byKey.get(pattern);
}

/** Every key pattern that has a row, for the document walk to tell names from keys. */
export const KEY_PREFIXES: ReadonlySet<string> = new Set(
  COMPOSE_KEYS.flatMap((row) => row.key.split('.').map((_, i, parts) => parts.slice(0, i + 1).join('.'))),
);

export const RUNTIME_LABEL: Record<RuntimeKind, string> = {
  docker: 'Docker',
  process: 'the process runtime',
  kubernetes: 'Kubernetes',
};
