// The Kubernetes runtime: kind or k3d (or any kube context), Argo CD, the stack as Applications.
// Instances are a service's workload (Deployment, or the PreSync Job of a one-shot), found again
// by labels; every change goes through git (a snapshot on the in-cluster git server) so Argo CD's
// self-heal keeps what devenv wants instead of reverting it. Ports, debuggers, logs and sync go
// through the Kubernetes API.

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { stringify } from 'yaml';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { specHash as hashOf } from '../../model/spec-hash.js';
import type { DebugEndpoint, ProjectStatus, PublishedPort } from '../../model/status.js';
import type {
  Artifact,
  CreateContext,
  Disposable,
  InstanceState,
  LogLine,
  ObservedInstance,
  Runtime,
  RuntimeChange,
  RuntimeInfo,
} from '../../runtime/runtime.js';
import type { SyncSession } from '../../sync/session.js';
import { DockerRuntime } from '../docker/docker-runtime.js';
import { LogDecoder } from '../docker/log-stream.js';
import { type ArgoContext, applicationStatuses, appProject, fetchInstallManifest, rootApplication } from './argocd.js';
import { type ClusterSpec, clusterSpec } from './cluster-config.js';
import { ensureCluster, recreateCluster } from './cluster-lifecycle.js';
import { type CommandRunner, ExecaRunner } from './command-runner.js';
import {
  analyseProject,
  type ImageConfig,
  instanceSelector,
  type ProjectAnalysis,
  type ServicePlan,
} from './compose-to-k8s.js';
import { DEBUG_PORT_NAME } from './debug-command.js';
import { PodSyncLink } from './exec-channel.js';
import { inClusterRepoURL, toolsImageTag, writeToolsContext } from './git-server.js';
import { commitSnapshot, pushSnapshot } from './git-snapshot.js';
import { type ImageTarget, imageTarget, serviceImageRef, tagOf, toolsImageRef } from './image-target.js';
import { publishImage } from './images.js';
import { ClientNodeKubeApi, type KubeApi, type StreamHandle, type WorkloadView } from './kube-api.js';
import {
  ANNOTATION,
  ARGOCD_NAMESPACE,
  appProjectName,
  DEFAULT_CLUSTER_NAME,
  LABEL,
  labelValue,
  objectName,
  projectNamespace,
  rootAppName,
  serviceAppName,
} from './names.js';
import {
  type BootstrapObjects,
  bootstrapObjects,
  type KubernetesProvider,
  projectLayout,
  projectManifestDigests,
  serviceHashInput,
} from './plan.js';
import { currentPod, instanceState, podProblem } from './pod-state.js';
import { type ForwardEvent, PortForwarder } from './port-forward.js';
import {
  argocdInstallSteps,
  argocdVersionProbe,
  bootstrapPath,
  downSteps,
  gitServerSteps,
  projectApplySteps,
  refreshCommand,
  snapshotLayout,
  terminateOperationCommand,
} from './procedure.js';
import { type DesiredService, repoTree, toYaml } from './repo-tree.js';
import { mergeServices, readGeneratedTree, removeService, setReplicas } from './tree-edits.js';
import { validateObjects } from './validate-objects.js';
import { ARGOCD_VERSION } from './versions.js';

export interface KubernetesRuntimeOptions {
  provider: KubernetesProvider;
  /** kube context (`provider: 'context'`): a shared or remote cluster devenv does not create. */
  context?: string;
  clusterName?: string;
  /** The project's state directory; the runtime keeps its files under `<stateDir>/k8s`. */
  stateDir: string;
  /** false: no local registry (kind load / k3d image import). */
  registry?: boolean;
  /** Registry a shared cluster pulls from (`provider: 'context'`). */
  imageRegistry?: string;
  /** The project's own manifests (default: discovered, see plan.ts). */
  manifestsDir?: string;
  runner?: CommandRunner;
  /** The builder (default: a DockerRuntime on the usual endpoint). */
  docker?: DockerRuntime;
  api?: KubeApi;
  fetchFn?: typeof fetch;
  /** How long to wait for Argo CD to apply a change (default 5 min). */
  syncTimeoutMs?: number;
}

interface InstanceRef {
  project: string;
  service: string;
  kind: WorkloadView['kind'];
  name: string;
}

export type ResetMode = 'soft' | 'hard';

export class KubernetesRuntime implements Runtime {
  readonly kind = 'kubernetes' as const;
  readonly provider: KubernetesProvider;
  readonly cluster: ClusterSpec | undefined;
  readonly context: string;
  readonly stateDir: string;
  private readonly runner: CommandRunner;
  private readonly docker: DockerRuntime;
  private readonly target: ImageTarget | undefined;
  private readonly toolsImage: string;
  private api: KubeApi | undefined;
  private sink: EventSink = () => {};
  private project: ProjectSpec | undefined;
  private digests: Record<string, string> = {};
  private readonly imageIds: Record<string, string> = {};
  private readonly imageConfigs: Record<string, ImageConfig> = {};
  /** What this process created; only these are rendered anew (see mergeServices). */
  private desired: Record<string, DesiredService> = {};
  private readonly touched = new Set<string>();
  private publishing: Promise<unknown> = Promise.resolve();
  private queued: Promise<string> | undefined;
  private pushed = false;
  private readonly forwards = new Map<string, PortForwarder[]>();
  private readonly watches = new Set<() => void>();
  private readonly links = new Set<PodSyncLink>();

  constructor(private readonly opts: KubernetesRuntimeOptions) {
    this.provider = opts.provider;
    this.cluster =
      opts.provider === 'context'
        ? undefined
        : clusterSpec({
            provider: opts.provider,
            name: opts.clusterName ?? DEFAULT_CLUSTER_NAME,
            registry: opts.registry !== false,
          });
    if (opts.provider === 'context' && !opts.context) {
      throw new UserError({
        code: 'kubernetes.no-context',
        message: '`--runtime kubernetes` needs the kube context to use',
        hint: 'pass `--context NAME` (see `kubectl config get-contexts`)',
      });
    }
    this.context = this.cluster?.context ?? opts.context!;
    this.stateDir = path.join(opts.stateDir, 'k8s');
    this.runner = opts.runner ?? new ExecaRunner();
    this.docker = opts.docker ?? new DockerRuntime();
    this.target = imageTarget(this.cluster, opts.imageRegistry);
    this.toolsImage = toolsImageRef(this.target, toolsImageTag());
    if (opts.api) this.api = opts.api;
  }

  /** The API client, made on first use: the cluster (and its kube context) may not exist before `up`. */
  kube(): KubeApi {
    this.api ??= ClientNodeKubeApi.forContext(this.context);
    return this.api;
  }

  async connect(): Promise<RuntimeInfo> {
    if (this.cluster) {
      await this.runner.run({ argv: [this.cluster.provider, 'version'] });
      await this.docker.connect();
      return { kind: 'kubernetes', detail: `${this.context} (${this.cluster.provider})` };
    }
    let version: string;
    try {
      version = await withTimeout(this.kube().serverVersion(), 10_000, 'no answer within 10 s');
    } catch (err) {
      if (err instanceof UserError) throw err;
      throw new UserError(
        {
          code: 'kubernetes.unreachable',
          message: `cannot reach the cluster of context ${this.context}: ${firstLine(err)}`,
          hint: 'check `kubectl --context CONTEXT get nodes`, your VPN, and the credentials in your kubeconfig',
        },
        ['devenv doctor'],
      );
    }
    return { kind: 'kubernetes', detail: `${this.context} (Kubernetes ${version})` };
  }

  // ---- planning --------------------------------------------------------------------------

  private analyse(project: ProjectSpec): ProjectAnalysis {
    const layout = projectLayout(project, this.opts.manifestsDir);
    return analyseProject(project, {
      ...(layout.manifestsDir ? { manifestsDir: layout.manifestsDir } : {}),
      imageConfigs: this.imageConfigs,
    });
  }

  private planFor(project: ProjectSpec, service: string): ServicePlan {
    const plan = this.analyse(project).services.find((s) => s.service === service);
    if (!plan) throw new Error(`no plan for service ${service}`);
    return plan;
  }

  /** A Compose healthcheck becomes the pod's readiness probe (compose-to-k8s.ts): readiness is health. */
  hasHealthcheck(service: ServiceSpec): boolean {
    return service.healthcheck !== undefined && service.healthcheck.test[0] !== 'NONE';
  }

  hashInput(service: ServiceSpec, project: ProjectSpec, artifact?: Artifact): unknown {
    this.project = project;
    const analysis = this.analyse(project);
    const plan = analysis.services.find((s) => s.service === service.name);
    if (!plan) return null;
    const imageConfig = this.imageConfigs[service.name];
    return serviceHashInput(plan, project, analysis, {
      namespace: projectNamespace(project.name),
      toolsImage: this.toolsImage,
      ...(artifact ? { imageId: artifact.id } : {}),
      ...(imageConfig ? { imageConfig } : {}),
      ...(this.digests[service.name] ? { projectManifestsDigest: this.digests[service.name] } : {}),
    });
  }

  /**
   * The project this runtime serves, for a daemon that re-adopts what runs without an `up`
   * (`Engine.attach`): port-forwards are restored as instances are inspected.
   */
  useProject(project: ProjectSpec): void {
    this.project = project;
  }

  // ---- observation -----------------------------------------------------------------------

  async observe(project: string): Promise<ObservedInstance[]> {
    const ns = projectNamespace(project);
    const workloads = await this.kube().listWorkloads(ns, `${LABEL.project}=${labelValue(project)}`);
    const out: ObservedInstance[] = [];
    for (const w of workloads) {
      const service = w.labels[LABEL.service];
      const role = w.labels[LABEL.role];
      // Smoke-test Jobs and anything else in the namespace are not instances.
      if (!service || (role !== 'service' && role !== 'hook') || w.name !== objectName(service)) continue;
      const ref: InstanceRef = { project, service, kind: w.kind, name: w.name };
      out.push({
        id: formatId(ref),
        service,
        specHash: w.annotations[ANNOTATION.specHash] ?? '',
        state: await this.stateOf(ref, w),
      });
    }
    return out;
  }

  async inspect(instanceId: string): Promise<InstanceState> {
    const ref = parseId(instanceId);
    const w = await this.kube().getWorkload(projectNamespace(ref.project), ref.kind, ref.name);
    return this.stateOf(ref, w);
  }

  private async stateOf(ref: InstanceRef, w: WorkloadView | undefined): Promise<InstanceState> {
    if (!w) return instanceState(undefined, [], []);
    // An instance found again (a new daemon, `up` keeping it): its forwards come back with it.
    const project = this.project;
    if (
      w.kind === 'Deployment' &&
      (w.replicas ?? 1) > 0 &&
      project?.name === ref.project &&
      !this.forwards.has(ref.service)
    ) {
      const plan = this.analyse(project).services.find((s) => s.service === ref.service);
      if (plan)
        await this.ensureForwards(ref.project, plan).catch((err: unknown) => this.log(ref.service, firstLine(err)));
    }
    const pods = await this.kube().listPods(projectNamespace(ref.project), this.selectorOf(ref));
    const state = instanceState(w, pods, this.publishedPorts(ref.service));
    const problem = podProblem(currentPod(pods));
    if (problem && state.status !== 'running') this.log(ref.service, problem);
    return state;
  }

  private selectorOf(ref: InstanceRef): string {
    return ref.kind === 'Job'
      ? `${LABEL.project}=${labelValue(ref.project)},${LABEL.service}=${labelValue(ref.service)},${LABEL.role}=hook`
      : instanceSelector(ref.project, ref.service);
  }

  // ---- project resources -----------------------------------------------------------------

  async ensureProjectResources(project: ProjectSpec, sink: EventSink): Promise<void> {
    this.sink = sink;
    this.project = project;
    await mkdir(this.stateDir, { recursive: true });
    if (this.cluster) await ensureCluster(this.runner, this.cluster, this.stateDir, sink);
    const namespace = projectNamespace(project.name);
    const argo: ArgoContext = { project: project.name, namespace, repoURL: inClusterRepoURL(project.name) };
    const bootstrap = bootstrapObjects(this.cluster, namespace, argo, this.toolsImage);
    await this.writeBootstrap(bootstrap);
    await this.ensureArgoCd(sink);
    await this.ensureGitServer(project, sink);
    this.digests = await projectManifestDigests(this.analyse(project));
    // The root Application needs a branch to track from its first sync: the last snapshot again
    // (restores it on a git server that lost it), or an empty tree on the first `up`.
    if (!this.pushed) {
      const meta = await this.readSnapshotMeta();
      const pushedAgain =
        meta &&
        (await pushSnapshot(
          this.runner,
          snapshotLayout(meta.root, meta.inRepo, this.stateDir),
          this.context,
          project.name,
        ).then(
          () => true,
          () => false,
        ));
      if (pushedAgain) this.pushed = true;
      else await this.publish(project);
    }
    for (const cmd of projectApplySteps(this.context, this.stateDir, rootAppName(project.name))) {
      await this.runner.run(cmd);
    }
  }

  private async writeBootstrap(b: BootstrapObjects): Promise<void> {
    const write = (file: Parameters<typeof bootstrapPath>[1], objects: object[]) =>
      writeFile(bootstrapPath(this.stateDir, file), toYaml(objects));
    await mkdir(path.dirname(bootstrapPath(this.stateDir, 'namespaces')), { recursive: true });
    if (b.registryHosting) await write('registryHosting', [b.registryHosting]);
    await write('namespaces', b.namespaces);
    await writeFile(bootstrapPath(this.stateDir, 'argocdPatch'), stringify({ data: b.argocdPatch.data }));
    await write('gitServer', b.gitServer);
    await write('project', b.project);
  }

  /** The pinned Argo CD: installed when absent or of another version, then waited for. */
  private async ensureArgoCd(sink: EventSink): Promise<void> {
    const probe = await this.runner.run(argocdVersionProbe(this.context), { allowFailure: true });
    const installed = probe.exitCode === 0 && probe.stdout.trim().endsWith(`:${ARGOCD_VERSION}`);
    let manifest: string | undefined;
    if (!installed)
      manifest = (await fetchInstallManifest(sink, this.opts.fetchFn ? { fetchFn: this.opts.fetchFn } : {})).path;
    for (const cmd of argocdInstallSteps(this.context, this.stateDir, manifest))
      await this.runner.run(cmd, { timeoutMs: 300_000 });
    await this.waitReady(ARGOCD_NAMESPACE, `Argo CD ${ARGOCD_VERSION}`, 'argocd:ready', 600_000, sink);
  }

  private async waitReady(
    namespace: string,
    title: string,
    id: string,
    timeoutMs: number,
    sink: EventSink,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const workloads = (await this.kube().listWorkloads(namespace)).filter((w) => w.kind !== 'Job');
      const ready = workloads.filter((w) => (w.readyReplicas ?? 0) >= (w.replicas ?? 1)).length;
      const done = workloads.length > 0 && ready === workloads.length;
      sink({
        kind: 'progress',
        ts: now(),
        id,
        title,
        current: ready,
        total: workloads.length,
        unit: 'workloads',
        message: done ? 'ready' : 'starting',
        ...(done ? { done: true } : {}),
      });
      if (done) return;
      if (Date.now() > deadline) {
        sink({ kind: 'progress', ts: now(), id, title, done: true, failed: true });
        const waiting = workloads
          .filter((w) => (w.readyReplicas ?? 0) < (w.replicas ?? 1))
          .map((w) => `${w.kind}/${w.name}`);
        throw new RuntimeFailure('kubernetes.not-ready', `${title} did not become ready: ${waiting.join(', ')}`, {
          hint: `kubectl --context ${this.context} -n ${namespace} get pods`,
        });
      }
      await sleep(2000);
    }
  }

  private async ensureGitServer(project: ProjectSpec, sink: EventSink): Promise<void> {
    const tag = toolsImageTag();
    const context = path.join(this.stateDir, 'tools-image');
    await writeToolsContext(context);
    const tools: ServiceSpec = {
      name: 'devenv-tools',
      image: `devenv-tools:${tag}`,
      build: { context, dockerfile: 'Dockerfile', args: {} },
      environment: {},
      ports: [],
      volumes: [],
      dependsOn: {},
      restart: { name: 'no' },
      labels: {},
      networks: [],
      profiles: [],
      tty: false,
      stdinOpen: false,
      devenv: {},
    };
    const toolsProject: ProjectSpec = {
      name: 'devenv',
      projectDir: this.stateDir,
      configFiles: [],
      services: { 'devenv-tools': tools },
      volumes: {},
      networks: {},
      devenv: {},
    };
    const built = await this.docker.prepareArtifacts([tools], toolsProject, sink, new AbortController().signal, {
      force: [],
    })['devenv-tools'];
    if (!built) throw new Error('the devenv tools image was not built');
    if (!this.target) throw this.noRegistry(project);
    await publishImage(this.runner, this.target, built.ref, this.toolsImage, this.fetchOpts());
    for (const cmd of gitServerSteps(this.context, this.stateDir)) await this.runner.run(cmd, { timeoutMs: 300_000 });
  }

  private noRegistry(project: ProjectSpec): UserError {
    return new UserError({
      code: 'kubernetes.no-registry',
      message: `the cluster of context ${this.context} cannot see images built on this machine (project ${project.name})`,
      hint: 'name a registry it pulls from: `--image-registry ghcr.io/you/dev` (DEVENV_K8S_REGISTRY)',
    });
  }

  private fetchOpts(): { fetchFn?: typeof fetch } {
    return this.opts.fetchFn ? { fetchFn: this.opts.fetchFn } : {};
  }

  // ---- artifacts -------------------------------------------------------------------------

  prepareArtifacts(
    services: ServiceSpec[],
    project: ProjectSpec,
    sink: EventSink,
    signal: AbortSignal,
    opts: { force: string[] },
  ): Record<string, Promise<Artifact | undefined>> {
    const built = this.docker.prepareArtifacts(services, project, sink, signal, opts);
    const out: Record<string, Promise<Artifact | undefined>> = {};
    for (const [service, promise] of Object.entries(built)) {
      out[service] = promise.then(async (artifact) => {
        if (!artifact) return undefined;
        if (!this.target) throw this.noRegistry(project);
        this.imageIds[service] = artifact.id;
        this.imageConfigs[service] = await this.imageConfig(artifact.id);
        const ref = serviceImageRef(this.target, project.name, service, tagOf(artifact.id));
        const id = `push:${service}`;
        sink({ kind: 'progress', ts: now(), id, service, title: `image ${service}`, message: `→ ${ref}` });
        const result = await publishImage(this.runner, this.target, artifact.ref, ref, { ...this.fetchOpts(), signal });
        sink({
          kind: 'progress',
          ts: now(),
          id,
          service,
          title: `image ${service}`,
          message: result.transferred ? 'pushed' : 'already in the registry',
          done: true,
        });
        return { ref, id: artifact.id };
      });
      out[service].catch(() => undefined);
    }
    return out;
  }

  private async imageConfig(id: string): Promise<ImageConfig> {
    try {
      const info = await this.docker.docker.getImage(id).inspect();
      const exposed = Object.keys(info.Config?.ExposedPorts ?? {})
        .map((k) => /^(\d+)\/(tcp|udp)$/.exec(k))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => ({ port: Number(m[1]), protocol: m[2] as 'tcp' | 'udp' }));
      return {
        ...(info.Config?.Entrypoint ? { entrypoint: toList(info.Config.Entrypoint) } : {}),
        ...(info.Config?.Cmd ? { cmd: toList(info.Config.Cmd) } : {}),
        exposedPorts: exposed,
      };
    } catch {
      return {};
    }
  }

  // ---- instances -------------------------------------------------------------------------

  async create(service: ServiceSpec, ctx: CreateContext): Promise<string> {
    this.project = ctx.project;
    const plan = this.planFor(ctx.project, service.name);
    const image = ctx.artifact?.ref ?? service.image;
    if (!image)
      throw new RuntimeFailure('kubernetes.no-image', `service ${service.name} has no image`, {
        service: service.name,
      });
    this.desired[service.name] = { specHash: ctx.specHash, image, replicas: service.replicas ?? 1 };
    this.touched.add(service.name);
    const commit = await this.publish(ctx.project);
    const ref: InstanceRef = { project: ctx.project.name, service: service.name, kind: plan.workload, name: plan.name };
    await this.waitApplied(ref, plan.appName, commit, (w) => w.annotations[ANNOTATION.specHash] === ctx.specHash);
    if (plan.workload === 'Deployment') await this.ensureForwards(ctx.project.name, plan);
    return formatId(ref);
  }

  async start(instanceId: string): Promise<void> {
    const ref = parseId(instanceId);
    if (ref.kind === 'Deployment') {
      const replicas = this.project?.services[ref.service]?.replicas ?? 1;
      const commit = await this.publishEdit(ref.project, (files) =>
        setReplicas(files, ref.project, ref.name, replicas),
      );
      if (commit)
        await this.waitApplied(ref, serviceAppName(ref.project, ref.service), commit, (w) => (w.replicas ?? 1) >= 1);
      const project = this.project;
      if (project?.name === ref.project) await this.ensureForwards(ref.project, this.planFor(project, ref.service));
    }
  }

  async stop(instanceId: string, timeoutMs: number): Promise<void> {
    const ref = parseId(instanceId);
    if (ref.kind !== 'Deployment') return;
    await this.closeForwards(ref.service);
    const commit = await this.publishEdit(ref.project, (files) => setReplicas(files, ref.project, ref.name, 0));
    if (!commit) return;
    await this.waitApplied(ref, serviceAppName(ref.project, ref.service), commit, (w) => w.replicas === 0);
    const ns = projectNamespace(ref.project);
    const deadline = Date.now() + timeoutMs + 30_000;
    while (Date.now() < deadline && (await this.kube().listPods(ns, this.selectorOf(ref))).length > 0)
      await sleep(1000);
  }

  async remove(instanceId: string): Promise<void> {
    const ref = parseId(instanceId);
    await this.closeForwards(ref.service);
    delete this.desired[ref.service];
    this.touched.delete(ref.service);
    const commit = await this.publishEdit(ref.project, (files) => removeService(files, ref.project, ref.name));
    if (!commit) return;
    const ns = projectNamespace(ref.project);
    const deadline = Date.now() + (this.opts.syncTimeoutMs ?? 300_000);
    while (Date.now() < deadline && (await this.kube().getWorkload(ns, ref.kind, ref.name))) await sleep(1000);
  }

  async *logs(
    instanceId: string,
    opts: { follow: boolean; tail?: number; since?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine> {
    const ref = parseId(instanceId);
    const ns = projectNamespace(ref.project);
    const pod = currentPod(await this.kube().listPods(ns, this.selectorOf(ref)));
    if (!pod) return;
    const decoder = new LogDecoder(false);
    const queue: LogLine[] = [];
    let wake: (() => void) | undefined;
    let ended = false;
    const sink = new Writable({
      write(chunk: Buffer, _e, cb) {
        queue.push(...decoder.push(chunk));
        wake?.();
        cb();
      },
      final(cb) {
        queue.push(...decoder.flush());
        ended = true;
        wake?.();
        cb();
      },
    });
    const handle = await this.kube().logs(
      ns,
      pod.name,
      ref.name,
      {
        follow: opts.follow,
        ...(opts.tail === undefined ? {} : { tailLines: opts.tail }),
        ...(opts.since === undefined ? {} : { sinceSeconds: Date.now() / 1000 - opts.since }),
      },
      sink,
    );
    void handle.closed.then(() => {
      ended = true;
      wake?.();
    });
    const onAbort = () => {
      handle.close();
      ended = true;
      wake?.();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (ended) return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      handle.close();
    }
  }

  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable {
    let stopped = false;
    let handle: StreamHandle | undefined;
    const ns = projectNamespace(project);
    const run = async (): Promise<void> => {
      while (!stopped) {
        try {
          handle = await this.kube().watchPods(ns, `${LABEL.project}=${labelValue(project)}`, (type, pod) => {
            const service = pod.labels[LABEL.service];
            const role = pod.labels[LABEL.role];
            if (!service) return;
            const gone = type === 'DELETED' || pod.deleting;
            for (const f of this.forwards.get(service) ?? []) f.podsChanged(gone ? pod.name : undefined);
            if (role !== 'service' && role !== 'hook') return;
            const kind = role === 'hook' ? 'Job' : 'Deployment';
            const c = pod.containers[0];
            const what = c?.waiting?.reason ?? (c?.terminated ? `exited ${c.terminated.exitCode}` : pod.phase);
            onChange({
              instanceId: formatId({ project, service, kind, name: objectName(service) }),
              service,
              reason: `${type.toLowerCase()} pod ${pod.name} (${what})`,
            });
          });
          await handle.closed;
        } catch {
          // API unreachable for a moment (cluster restarting): try again.
        }
        if (!stopped) await sleep(1000);
      }
    };
    void run();
    const dispose = () => {
      stopped = true;
      handle?.close();
    };
    this.watches.add(dispose);
    return {
      dispose: () => {
        this.watches.delete(dispose);
        dispose();
      },
    };
  }

  async removeProjectResources(project: ProjectSpec, opts: { volumes: boolean }): Promise<void> {
    for (const service of [...this.forwards.keys()]) await this.closeForwards(service);
    for (const cmd of downSteps(
      this.context,
      rootAppName(project.name),
      appProjectName(project.name),
      projectNamespace(project.name),
      opts.volumes,
    )) {
      await this.runner.run(cmd, { timeoutMs: 330_000 });
    }
    this.desired = {};
    this.touched.clear();
    this.pushed = false;
    await rm(path.join(this.stateDir, 'snapshot.json'), { force: true });
    await rm(path.join(this.stateDir, 'tree'), { recursive: true, force: true });
  }

  async close(): Promise<void> {
    for (const dispose of this.watches) dispose();
    this.watches.clear();
    for (const link of this.links) await link.close();
    this.links.clear();
    for (const service of [...this.forwards.keys()]) await this.closeForwards(service);
    await this.docker.close();
  }

  // ---- git -------------------------------------------------------------------------------

  /**
   * Renders the project with the current desired state, commits and pushes it, and asks Argo CD
   * to look. Calls made while one is in flight share the next one (one commit for a burst of
   * `create`s from services that start in parallel).
   */
  private publish(project: ProjectSpec): Promise<string> {
    if (this.queued) return this.queued;
    const run = this.publishing.then(() => {
      this.queued = undefined;
      return this.render(project);
    });
    this.queued = run;
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private async render(project: ProjectSpec): Promise<string> {
    const analysis = this.analyse(project);
    const layout = projectLayout(project, this.opts.manifestsDir);
    const namespace = projectNamespace(project.name);
    const touched = [...this.touched].filter((s) => this.desired[s] && project.services[s]);
    const tree = repoTree({
      project,
      analysis,
      argo: { project: project.name, namespace, repoURL: inClusterRepoURL(project.name) },
      toolsImage: this.toolsImage,
      root: layout.root,
      desired: Object.fromEntries(touched.map((s) => [s, this.desired[s]!])),
      imageConfigs: this.imageConfigs,
    });
    for (const p of tree.problems) {
      this.sink({
        kind: 'diagnostic',
        ts: now(),
        severity: 'warning',
        code: p.code,
        message: p.message,
        ...(p.hint ? { hint: p.hint } : {}),
      });
    }
    const checked = validateObjects([...Object.values(tree.bases).flat(), ...tree.applications]);
    if (checked.problems.length > 0) {
      throw new RuntimeFailure(
        'kubernetes.invalid-manifest',
        `devenv generated objects the Kubernetes schema rejects: ${checked.problems.map((p) => `${p.object}: ${p.message.split('\n')[0]}`).join('; ')}`,
        { hint: 'this is a devenv bug: please report it with the Compose file' },
      );
    }
    const previous = await readGeneratedTree(path.join(this.stateDir, 'tree'));
    const files = mergeServices(previous, tree.files, project.name, touched.map(objectName));
    return this.commitAndPush(project.name, files, layout.root, layout.inRepo);
  }

  /** stop/start/remove: an edit of the last published tree (no ProjectSpec needed). */
  private async publishEdit(
    projectName: string,
    edit: (files: Record<string, string>) => boolean,
  ): Promise<string | undefined> {
    const run = this.publishing.then(async () => {
      const meta = await this.readSnapshotMeta();
      if (!meta) return undefined;
      const files = await readGeneratedTree(path.join(this.stateDir, 'tree'));
      if (!edit(files)) return undefined;
      return this.commitAndPush(projectName, files, meta.root, meta.inRepo);
    });
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private async commitAndPush(
    project: string,
    files: Record<string, string>,
    root: string,
    inRepo: boolean,
  ): Promise<string> {
    const layout = snapshotLayout(root, inRepo, this.stateDir);
    const id = 'gitops';
    this.sink({
      kind: 'progress',
      ts: now(),
      id,
      title: 'snapshot',
      message: 'committing the working tree and the dev overlay',
    });
    const snap = await commitSnapshot(this.runner, layout, project, files);
    await writeFile(path.join(this.stateDir, 'snapshot.json'), JSON.stringify({ root, inRepo, commit: snap.commit }));
    if (snap.changed || !this.pushed) {
      this.sink({
        kind: 'progress',
        ts: now(),
        id,
        title: 'snapshot',
        message: `pushing ${snap.commit.slice(0, 12)} to the in-cluster git server`,
      });
      await pushSnapshot(this.runner, layout, this.context, project);
      this.pushed = true;
      await this.runner.run(refreshCommand(this.context, rootAppName(project)), { allowFailure: true });
      const apps = await this.kube().listApplications(`${LABEL.project}=${labelValue(project)},${LABEL.role}=service`);
      for (const app of apps) {
        const name = (app.metadata as { name: string }).name;
        const op = (app.status as { operationState?: { phase?: string } } | undefined)?.operationState;
        if (op?.phase === 'Running')
          await this.runner.run(terminateOperationCommand(this.context, name), { allowFailure: true });
        await this.runner.run(refreshCommand(this.context, name), { allowFailure: true });
      }
    }
    this.sink({ kind: 'progress', ts: now(), id, title: 'snapshot', message: snap.commit.slice(0, 12), done: true });
    return snap.commit;
  }

  private async readSnapshotMeta(): Promise<{ root: string; inRepo: boolean } | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.stateDir, 'snapshot.json'), 'utf8')) as {
        root: string;
        inRepo: boolean;
      };
    } catch {
      return undefined;
    }
  }

  /**
   * Waits until Argo CD applied the change: the workload matches `done`. An Application that
   * reports an error for this commit fails the wait with Argo CD's message.
   */
  private async waitApplied(
    ref: InstanceRef,
    app: string,
    commit: string,
    done: (w: WorkloadView) => boolean,
  ): Promise<void> {
    const ns = projectNamespace(ref.project);
    const id = `argocd:${ref.service}`;
    const title = `Argo CD ${app}`;
    const deadline = Date.now() + (this.opts.syncTimeoutMs ?? 300_000);
    let last = '';
    for (;;) {
      const w = await this.kube().getWorkload(ns, ref.kind, ref.name);
      if (w && done(w)) {
        this.sink({ kind: 'progress', ts: now(), id, service: ref.service, title, message: 'applied', done: true });
        return;
      }
      const application = await this.kube().getApplication(app);
      const status = (application?.status ?? {}) as {
        sync?: { status?: string; revision?: string };
        health?: { status?: string };
        conditions?: { type: string; message: string }[];
        operationState?: { phase?: string; message?: string; syncResult?: { revision?: string } };
      };
      const error = status.conditions?.find((c) => /Error$/.test(c.type));
      const op = status.operationState;
      if (error || (op && (op.phase === 'Failed' || op.phase === 'Error') && op.syncResult?.revision === commit)) {
        this.sink({ kind: 'progress', ts: now(), id, service: ref.service, title, done: true, failed: true });
        throw new RuntimeFailure(
          'kubernetes.argocd-sync',
          `Argo CD could not sync ${app}: ${error?.message ?? op?.message ?? 'unknown error'}`,
          {
            service: ref.service,
            hint: `kubectl --context ${this.context} -n argocd get application ${app} -o yaml`,
          },
        );
      }
      const message = `${status.sync?.status ?? 'waiting for the Application'}${status.health?.status ? ` / ${status.health.status}` : ''}`;
      if (message !== last) {
        last = message;
        this.sink({ kind: 'progress', ts: now(), id, service: ref.service, title, message });
      }
      if (Date.now() > deadline) {
        this.sink({ kind: 'progress', ts: now(), id, service: ref.service, title, done: true, failed: true });
        throw new RuntimeFailure(
          'kubernetes.argocd-timeout',
          `Argo CD did not apply ${app} at ${commit.slice(0, 12)} in time (${message})`,
          {
            service: ref.service,
            hint: `kubectl --context ${this.context} -n argocd get application ${app} -o yaml`,
          },
        );
      }
      await sleep(1000);
    }
  }

  // ---- ports -----------------------------------------------------------------------------

  private async ensureForwards(project: string, plan: ServicePlan): Promise<void> {
    if (this.forwards.has(plan.service)) return;
    const ns = projectNamespace(project);
    const selector = instanceSelector(project, plan.service);
    const onEvent = (e: ForwardEvent) => {
      if (e.kind === 'failed')
        this.log(plan.service, `port-forward: ${e.message ?? 'failed'}${e.pod ? ` (pod ${e.pod})` : ''}`);
    };
    const list: PortForwarder[] = [];
    for (const p of plan.forwards) {
      if (p.protocol !== 'tcp') {
        this.log(plan.service, `port ${p.target}/udp is not forwarded: the Kubernetes API forwards TCP only`);
        continue;
      }
      list.push(
        new PortForwarder(
          this.kube(),
          {
            namespace: ns,
            selector,
            remotePort: p.target,
            host: p.hostIp,
            ...(p.published ? { localPort: p.published } : {}),
          },
          onEvent,
        ),
      );
    }
    if (plan.debug) {
      list.push(
        new PortForwarder(
          this.kube(),
          {
            namespace: ns,
            selector,
            remotePort: plan.debug.port,
            host: '127.0.0.1',
            ...(plan.debug.hostPort ? { localPort: plan.debug.hostPort } : {}),
          },
          onEvent,
        ),
      );
    }
    try {
      for (const f of list) await f.start();
    } catch (err) {
      for (const f of list) await f.close();
      const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new RuntimeFailure(
        busy ? 'kubernetes.port-busy' : 'kubernetes.port-forward',
        `cannot listen for ${plan.service}: ${firstLine(err)}`,
        {
          service: plan.service,
          hint: busy
            ? 'another process holds that port: `devenv doctor` shows which; stop it or change the port'
            : 'see the log above',
        },
      );
    }
    this.forwards.set(plan.service, list);
  }

  private async closeForwards(service: string): Promise<void> {
    const list = this.forwards.get(service);
    this.forwards.delete(service);
    for (const f of list ?? []) await f.close();
  }

  private publishedPorts(service: string): PublishedPort[] {
    return (this.forwards.get(service) ?? [])
      .filter((f) => f.address)
      .map((f) => ({
        hostIp: f.address!.host,
        hostPort: f.address!.port,
        containerPort: f.spec.remotePort,
        protocol: 'tcp' as const,
      }));
  }

  // ---- what the CLI, the TUI and the engine's sync call ----------------------------------

  /** Where a debugger attaches to `service` (its forwarded debug port), with path mappings for its sync rules. */
  debugEndpoint(project: ProjectSpec, service: string): DebugEndpoint | undefined {
    const plan = this.planFor(project, service);
    if (!plan.debug) return undefined;
    const f = (this.forwards.get(service) ?? []).find((x) => x.spec.remotePort === plan.debug!.port && x.address);
    if (!f?.address) return undefined;
    const rules = (project.services[service]?.develop?.watch ?? []).filter(
      (r) => r.target && r.action.startsWith('sync'),
    );
    return {
      type: plan.debug.type,
      protocol: DEBUG_PORT_NAME[plan.debug.type] === 'dap' ? 'dap' : 'cdp',
      hostIp: f.address.host,
      hostPort: f.address.port,
      pathMappings: rules.map((r) => ({ localRoot: r.path, remoteRoot: r.target! })),
    };
  }

  /** Keeps `sessions` (one service's sync rules) attached to its current pod, re-attaching with a full reconcile. */
  /**
   * The engine's hook: a link that follows the service's pods (re-attaching and reconciling
   * whenever a pod is replaced), so one link serves every instance of the service.
   */
  async attachSync(
    _instanceId: string,
    service: string,
    sessions: readonly SyncSession[],
    opts: { reconcile: boolean; onWarning: (message: string) => void },
  ): Promise<PodSyncLink> {
    if (!this.project) throw new Error('sync: the Kubernetes runtime has no project yet');
    return this.followSync(this.project.name, service, sessions, opts.onWarning);
  }

  async followSync(
    project: string,
    service: string,
    sessions: readonly SyncSession[],
    onWarning?: (m: string) => void,
  ): Promise<PodSyncLink> {
    const link = new PodSyncLink(this.kube(), {
      namespace: projectNamespace(project),
      selector: instanceSelector(project, service),
      container: objectName(service),
      sessions,
      ...(onWarning ? { onWarning } : {}),
      onAttached: (pod, sent) =>
        this.log(service, `sync attached to pod ${pod} (${sent} file${sent === 1 ? '' : 's'} reconciled)`),
    });
    this.links.add(link);
    await link.start();
    return link;
  }

  /** `ProjectStatus.cluster`: the cluster and each Application's sync status and health. */
  async clusterStatus(project: string): Promise<NonNullable<ProjectStatus['cluster']>> {
    const apps = await this.kube().listApplications(`${LABEL.project}=${labelValue(project)}`);
    return { name: this.cluster?.name ?? this.context, context: this.context, argocd: applicationStatuses(apps) };
  }

  /** `devenv argocd password`: the initial admin password Argo CD generated. */
  async argocdPassword(): Promise<string> {
    const data = await this.kube().readSecret(ARGOCD_NAMESPACE, 'argocd-initial-admin-secret');
    if (!data?.password) {
      throw new UserError({
        code: 'kubernetes.argocd-no-password',
        message: 'the secret argocd-initial-admin-secret is gone (Argo CD removes nothing, so someone deleted it)',
        hint: 'set a new password with `argocd account update-password`, or reset the cluster (`devenv reset --hard`)',
      });
    }
    return data.password;
  }

  /** `devenv argocd ui`: the Argo CD UI on 127.0.0.1 (port 8080 in the pod serves HTTPS). */
  async forwardArgoCdUi(localPort = 0): Promise<{ url: string; close: () => Promise<void> }> {
    const f = new PortForwarder(this.kube(), {
      namespace: ARGOCD_NAMESPACE,
      selector: 'app.kubernetes.io/name=argocd-server',
      remotePort: 8080,
      host: '127.0.0.1',
      localPort,
    });
    const addr = await f.start();
    return { url: `https://127.0.0.1:${addr.port}`, close: () => f.close() };
  }

  /**
   * `devenv reset`: soft recreates the project's namespace and Applications (the next `up`
   * deploys everything again); hard deletes and recreates the cluster, keeping the registry and
   * its images. Volumes go in both.
   */
  async reset(project: ProjectSpec, mode: ResetMode, sink: EventSink): Promise<void> {
    this.sink = sink;
    for (const link of this.links) await link.close();
    this.links.clear();
    for (const service of [...this.forwards.keys()]) await this.closeForwards(service);
    this.desired = {};
    this.touched.clear();
    this.pushed = false;
    await rm(path.join(this.stateDir, 'snapshot.json'), { force: true });
    await rm(path.join(this.stateDir, 'tree'), { recursive: true, force: true });
    if (mode === 'hard') {
      if (!this.cluster) {
        throw new UserError({
          code: 'kubernetes.reset-shared',
          message: `a hard reset deletes the cluster, and devenv did not create the one of context ${this.context}`,
          hint: 'use `devenv reset --soft` on a shared cluster',
        });
      }
      await recreateCluster(this.runner, this.cluster, this.stateDir, sink);
      this.api = undefined;
      return;
    }
    for (const cmd of downSteps(
      this.context,
      rootAppName(project.name),
      appProjectName(project.name),
      projectNamespace(project.name),
      true,
    )) {
      await this.runner.run(cmd, { timeoutMs: 330_000 });
    }
  }

  private log(service: string, line: string): void {
    this.sink({ kind: 'log', ts: now(), service, stream: 'system', line });
  }
}

export function formatId(ref: InstanceRef): string {
  return `${ref.project}/${ref.service}/${ref.kind}/${ref.name}`;
}

export function parseId(id: string): InstanceRef {
  const [project, service, kind, name] = id.split('/');
  if (!project || !service || !name || (kind !== 'Deployment' && kind !== 'Job' && kind !== 'StatefulSet')) {
    throw new Error(`not a Kubernetes instance id: ${id}`);
  }
  return { project, service, kind, name };
}

/** Spec hash as the engine computes it (for tests and the plan). */
export function kubernetesSpecHash(input: unknown): string {
  return hashOf({ runtime: 'kubernetes', spec: input });
}

// Re-exported for the CLI, which builds the bootstrap view of `--dry-run` from the same objects.
export { appProject, rootApplication };

function toList(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
