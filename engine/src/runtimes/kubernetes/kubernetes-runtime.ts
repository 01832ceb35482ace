// The Kubernetes runtime: kind or k3d (or any kube context), Argo CD, the stack as Applications.
// Instances are a service's workload (Deployment, or the PreSync Job of a one-shot), found again
// by labels; every change goes through git (gitops-publisher.ts) so Argo CD's self-heal keeps
// what devenv wants instead of reverting it. What a project needs in the cluster first is
// cluster-bootstrap.ts; ports are service-forwards.ts; logs, watch and sync go through the API.

import path from 'node:path';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type { ClusterStatus } from '../../model/status.js';
import type {
  ArgoCdAccess,
  Artifact,
  CreateContext,
  Disposable,
  InstanceState,
  LogLine,
  ObservedInstance,
  Runtime,
  RuntimeChange,
  RuntimeInfo,
} from '../../runtime-interface/runtime.js';
import { firstLine } from '../../shared/error-text.js';
import { sleep, withTimeout } from '../../shared/timing.js';
import type { SyncSession } from '../../sync/session.js';
import { dockerEngine, dockerEngineVersion } from '../shared/docker-engine.js';
import { ImageBuilder } from '../shared/image-builder.js';
import { applicationStatuses } from './application-status.js';
import type { ArgoContext } from './argocd.js';
import { argocdPassword, forwardArgoCdUi } from './argocd-access.js';
import { ClusterBootstrap } from './cluster-bootstrap.js';
import { type ClusterSpec, ownClusterSpec } from './cluster-config.js';
import { watchApplicationStatus, watchProjectPods } from './cluster-watch.js';
import { type CommandRunner, ExecaRunner } from './command-runner.js';
import { analyseProject, type ImageConfig, instanceSelector, type ProjectAnalysis } from './compose-to-k8s.js';
import { parseForwards } from './dev-overlay.js';
import { execOnce, PodSyncLink } from './exec-channel.js';
import { inClusterRepoURL, toolsImageTag } from './git-server.js';
import { GitOpsPublisher } from './gitops-publisher.js';
import { type ImageTarget, imageTarget, toolsImageRef } from './image-target.js';
import { prepareAndPublish } from './images.js';
import { RESTART_IN_PLACE } from './in-place-restart.js';
import { appTarget, formatId, type InstanceRef, parseId, podSelector } from './instance-id.js';
import { ClientNodeKubeApi, type KubeApi, type WorkloadView } from './kube-api.js';
import { ANNOTATION, LABEL, labelValue, objectName, projectNamespace, rootAppName } from './names.js';
import { podLogs } from './pod-logs.js';
import { currentPod, instanceState, podProblem } from './pod-state.js';
import { projectApplySteps } from './procedure.js';
import { recreateOwnCluster, takeProjectDown } from './project-reset.js';
import { ServiceForwards } from './service-forwards.js';
import { removeService, setReplicas } from './tree-edits.js';
import {
  bootstrapObjects,
  type KubernetesProvider,
  projectLayout,
  projectManifestDigests,
  serviceHashInput,
} from './up-plan.js';

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
  /** The project's own manifests (default: discovered, see up-plan.ts). */
  manifestsDir?: string;
  runner?: CommandRunner;
  /** The image builder (default: one on the Docker engine the docker CLI would use). */
  images?: ImageBuilder;
  api?: KubeApi;
  fetchFn?: typeof fetch;
  /** How long to wait for Argo CD to apply a change (default 5 min). */
  syncTimeoutMs?: number;
  /** Poll interval while waiting for Argo CD (default 1 s). */
  pollMs?: number;
}

export type ResetMode = 'soft' | 'hard';

export class KubernetesRuntime implements Runtime {
  readonly kind = 'kubernetes' as const;
  readonly provider: KubernetesProvider;
  readonly cluster: ClusterSpec | undefined;
  readonly context: string;
  readonly stateDir: string;
  readonly argocd: ArgoCdAccess;
  private readonly runner: CommandRunner;
  private readonly images: ImageBuilder;
  private readonly target: ImageTarget | undefined;
  private readonly toolsImage: string;
  private readonly bootstrap: ClusterBootstrap;
  private readonly publisher: GitOpsPublisher;
  private readonly forwards: ServiceForwards;
  private api: KubeApi | undefined;
  private sink: EventSink = () => {};
  /** The project as its file writes it. */
  private project: ProjectSpec | undefined;
  /** Each service as the engine runs it (debugger, reloader), from hashInput and create. */
  private readonly specs: Record<string, ServiceSpec> = {};
  private digests: Record<string, string> = {};
  private readonly imageConfigs: Record<string, ImageConfig> = {};
  private readonly watches = new Set<Disposable>();
  private clusterWatch: Disposable | undefined;
  private readonly links = new Set<PodSyncLink>();

  constructor(private readonly opts: KubernetesRuntimeOptions) {
    this.provider = opts.provider;
    this.cluster = ownClusterSpec(opts);
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
    this.images = opts.images ?? new ImageBuilder(dockerEngine().docker);
    this.target = imageTarget(this.cluster, opts.imageRegistry);
    this.toolsImage = toolsImageRef(this.target, toolsImageTag());
    if (opts.api) this.api = opts.api;
    const kube = () => this.kube();
    this.bootstrap = new ClusterBootstrap({
      runner: this.runner,
      kube,
      context: this.context,
      stateDir: this.stateDir,
      cluster: this.cluster,
      target: this.target,
      toolsImage: this.toolsImage,
      images: this.images,
      ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
    });
    this.publisher = new GitOpsPublisher({
      runner: this.runner,
      kube,
      context: this.context,
      stateDir: this.stateDir,
      devenvDir: opts.stateDir,
      toolsImage: this.toolsImage,
      ...(opts.manifestsDir ? { manifestsDir: opts.manifestsDir } : {}),
      ...(opts.syncTimeoutMs ? { syncTimeoutMs: opts.syncTimeoutMs } : {}),
      ...(opts.pollMs ? { pollMs: opts.pollMs } : {}),
      sink: () => this.sink,
      analyse: (p) => this.analyse(p),
      imageConfigs: this.imageConfigs,
    });
    this.forwards = new ServiceForwards(kube, (service, line) => this.log(service, line));
    this.argocd = {
      password: () => argocdPassword(this.kube()),
      forwardUi: (port) => forwardArgoCdUi(this.kube(), port),
      plannedChanges: (sink) => this.bootstrap.findings(sink),
      install: (project, sink) => this.installArgoCd(project, sink),
    };
  }

  /** The API client, made on first use: the cluster (and its kube context) may not exist before `up`. */
  kube(): KubeApi {
    this.api ??= ClientNodeKubeApi.forContext(this.context);
    return this.api;
  }

  async connect(): Promise<RuntimeInfo> {
    if (this.cluster) {
      await this.runner.run({ argv: [this.cluster.provider, 'version'] });
      const { docker, endpoint } = dockerEngine();
      await dockerEngineVersion(docker, endpoint);
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
          hint: `check \`kubectl --context ${this.context} get nodes\`, your VPN, and the credentials in your kubeconfig`,
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

  /** The project with its services as the engine runs them (those known so far). */
  private running(project: ProjectSpec): ProjectSpec {
    const services = { ...project.services };
    for (const [name, spec] of Object.entries(this.specs)) if (services[name]) services[name] = spec;
    return { ...project, services };
  }

  /** A Compose healthcheck becomes the pod's readiness probe (compose-to-k8s.ts): readiness is health. */
  hasHealthcheck(service: ServiceSpec): boolean {
    return service.healthcheck !== undefined && service.healthcheck.test[0] !== 'NONE';
  }

  hashInput(service: ServiceSpec, project: ProjectSpec, artifact?: Artifact): unknown {
    this.project = project;
    this.specs[service.name] = service;
    const running = this.running(project);
    const analysis = this.analyse(running);
    const plan = analysis.services.find((s) => s.service === service.name);
    if (!plan) return null;
    const imageConfig = this.imageConfigs[service.name];
    const original = project.services[service.name];
    return serviceHashInput(plan, running, analysis, {
      namespace: projectNamespace(project.name),
      toolsImage: this.toolsImage,
      ...(artifact ? { imageId: artifact.id } : {}),
      ...(imageConfig ? { imageConfig } : {}),
      ...(original ? { original } : {}),
      ...(this.digests[service.name] ? { projectManifestsDigest: this.digests[service.name] } : {}),
    });
  }

  /** The project this runtime serves, for a daemon that re-adopts what runs without an `up`. */
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
    if (w.kind === 'Deployment' && (w.replicas ?? 1) > 0)
      await this.ensureForwards(ref, w).catch((err: unknown) => this.log(ref.service, firstLine(err)));
    const pods = await this.kube().listPods(projectNamespace(ref.project), podSelector(ref));
    const state = instanceState(w, pods, this.forwards.published(ref.service));
    const problem = podProblem(currentPod(pods));
    if (problem && state.status !== 'running') this.log(ref.service, problem);
    return state;
  }

  private async ensureForwards(ref: InstanceRef, w?: WorkloadView): Promise<void> {
    if (this.forwards.has(ref.service)) return;
    const workload = w ?? (await this.kube().getWorkload(projectNamespace(ref.project), ref.kind, ref.name));
    const ports = parseForwards(workload?.annotations[ANNOTATION.forwards]);
    if (ports.length > 0) await this.forwards.ensure(ref.project, ref.service, ports);
  }

  // ---- project resources -----------------------------------------------------------------

  async ensureProjectResources(project: ProjectSpec, sink: EventSink): Promise<void> {
    this.sink = sink;
    this.project = project;
    const namespace = projectNamespace(project.name);
    const argo: ArgoContext = { project: project.name, namespace, repoURL: inClusterRepoURL(project.name) };
    await this.bootstrap.ensure(project, bootstrapObjects(this.cluster, namespace, argo, this.toolsImage), sink);
    this.digests = await projectManifestDigests(this.analyse(project));
    await this.publisher.ensureBranch(this.running(project), project.services);
    for (const cmd of projectApplySteps(this.context, this.stateDir, rootAppName(project.name))) {
      await this.runner.run(cmd);
    }
    this.watchApplications(project.name);
  }

  /** `devenv argocd install`: on a cluster devenv did not create, the changes the user asked for. */
  private async installArgoCd(project: ProjectSpec, sink: EventSink): Promise<void> {
    const namespace = projectNamespace(project.name);
    const argo: ArgoContext = { project: project.name, namespace, repoURL: inClusterRepoURL(project.name) };
    await this.bootstrap.install(bootstrapObjects(this.cluster, namespace, argo, this.toolsImage), sink);
  }

  /** Every change of the project's Applications becomes a `cluster` event (sync, health, hooks). */
  private watchApplications(project: string): void {
    this.clusterWatch ??= watchApplicationStatus(
      () => this.kube(),
      project,
      () => this.clusterStatus(project),
      () => this.sink,
    );
  }

  // ---- artifacts -------------------------------------------------------------------------

  prepareArtifacts(...args: Parameters<Runtime['prepareArtifacts']>): ReturnType<Runtime['prepareArtifacts']> {
    return prepareAndPublish(
      {
        images: this.images,
        runner: this.runner,
        target: this.target,
        context: this.context,
        imageConfigs: this.imageConfigs,
        ...(this.opts.fetchFn ? { fetchFn: this.opts.fetchFn } : {}),
      },
      ...args,
    );
  }

  // ---- instances -------------------------------------------------------------------------

  async create(service: ServiceSpec, ctx: CreateContext): Promise<string> {
    this.project = ctx.project;
    this.specs[service.name] = service;
    const running = this.running(ctx.project);
    const plan = this.analyse(running).services.find((s) => s.service === service.name);
    if (!plan) throw new Error(`no plan for service ${service.name}`);
    const image = ctx.artifact?.ref ?? service.image;
    if (!image)
      throw new RuntimeFailure('kubernetes.no-image', `service ${service.name} has no image`, {
        service: service.name,
      });
    this.publisher.want(service.name, { specHash: ctx.specHash, image, replicas: service.replicas ?? 1 });
    const commit = await this.publisher.publish(running, ctx.project.services);
    const ref: InstanceRef = { project: ctx.project.name, service: service.name, kind: plan.workload, name: plan.name };
    await this.publisher.waitApplied(
      { ...ref, app: plan.appName },
      commit,
      (w) => w.annotations[ANNOTATION.specHash] === ctx.specHash,
    );
    if (plan.workload === 'Deployment') await this.ensureForwards(ref);
    return formatId(ref);
  }

  async start(instanceId: string): Promise<void> {
    const ref = parseId(instanceId);
    if (ref.kind !== 'Deployment') return;
    const commit = await this.publisher.publishEdit(ref.project, (files) =>
      setReplicas(files, ref.project, ref.name, this.project?.services[ref.service]?.replicas ?? 1),
    );
    if (commit) await this.publisher.waitApplied(appTarget(ref), commit, (w) => (w.replicas ?? 1) >= 1);
    await this.ensureForwards(ref);
  }

  async stop(instanceId: string, timeoutMs: number): Promise<void> {
    const ref = parseId(instanceId);
    if (ref.kind !== 'Deployment') return;
    await this.forwards.close(ref.service);
    const commit = await this.publisher.publishEdit(ref.project, (files) =>
      setReplicas(files, ref.project, ref.name, 0),
    );
    if (!commit) return;
    await this.publisher.waitApplied(appTarget(ref), commit, (w) => w.replicas === 0);
    const ns = projectNamespace(ref.project);
    const deadline = Date.now() + timeoutMs + 30_000;
    while (Date.now() < deadline && (await this.kube().listPods(ns, podSelector(ref))).length > 0) await sleep(1000);
  }

  /**
   * A service under the restart wrapper restarts its process inside the same container (synced
   * files stay); any other Deployment gets a new pod (the Deployment replaces a deleted pod: no
   * commit, nothing for self-heal to revert). A hook Job runs again with its Application's next sync.
   */
  async restart(instanceId: string, timeoutMs: number): Promise<void> {
    const ref = parseId(instanceId);
    if (ref.kind !== 'Deployment') return;
    const ns = projectNamespace(ref.project);
    const pod = currentPod(await this.kube().listPods(ns, podSelector(ref)));
    if (!pod) return;
    if (pod.annotations[ANNOTATION.restart] === 'in-place') {
      const target = { namespace: ns, pod: pod.name, container: ref.name };
      const result = await execOnce(this.kube(), target, RESTART_IN_PLACE, undefined, { timeoutMs: 10_000 });
      if (result.exitCode === 0) {
        this.log(ref.service, `restarted in place in pod ${pod.name} (synced files kept)`);
        return;
      }
      this.log(
        ref.service,
        `restart in place failed (${result.stderr.trim() || `exit ${result.exitCode ?? '?'}`}); replacing the pod`,
      );
    }
    await this.kube().deletePod(ns, pod.name);
    const deadline = Date.now() + timeoutMs + 60_000;
    while (Date.now() < deadline) {
      const pods = await this.kube().listPods(ns, podSelector(ref));
      if (pods.some((p) => p.name !== pod.name && !p.deleting)) return;
      await sleep(500);
    }
  }

  async remove(instanceId: string): Promise<void> {
    const ref = parseId(instanceId);
    await this.forwards.close(ref.service);
    this.publisher.drop(ref.service);
    const commit = await this.publisher.publishEdit(ref.project, (files) =>
      removeService(files, ref.project, ref.name),
    );
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
    const namespace = projectNamespace(ref.project);
    const pod = currentPod(await this.kube().listPods(namespace, podSelector(ref)));
    if (pod) yield* podLogs(this.kube(), { namespace, pod: pod.name, container: ref.name }, opts, signal);
  }

  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable {
    const watch = watchProjectPods(
      () => this.kube(),
      project,
      (service, pod, gone) => this.forwards.podsChanged(service, gone ? pod.name : undefined),
      onChange,
    );
    this.watches.add(watch);
    return {
      dispose: () => {
        this.watches.delete(watch);
        watch.dispose();
      },
    };
  }

  async removeProjectResources(project: ProjectSpec, opts: { volumes: boolean }): Promise<void> {
    await this.teardown(project, opts.volumes);
  }

  /** `down`: the root Application goes, cascading to every child and what it deployed. */
  private async teardown(project: ProjectSpec, volumes: boolean): Promise<void> {
    await this.detach();
    await takeProjectDown(this.runner, this.context, project, volumes);
    await this.publisher.forget();
  }

  /** Ends what follows the project's pods and Applications (sync links, forwards, the cluster watch). */
  private async detach(): Promise<void> {
    this.clusterWatch?.dispose();
    this.clusterWatch = undefined;
    for (const link of this.links) await link.close();
    this.links.clear();
    await this.forwards.closeAll();
  }

  async close(): Promise<void> {
    for (const w of this.watches) w.dispose();
    this.watches.clear();
    await this.detach();
  }

  // ---- what the engine's sync, the CLI and the TUI call ----------------------------------

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

  /** `ProjectStatus.cluster`: the cluster and each Application's sync, health, operation and hooks. */
  async clusterStatus(project: string): Promise<ClusterStatus> {
    const apps = await this.kube().listApplications(`${LABEL.project}=${labelValue(project)}`);
    return { name: this.cluster?.name ?? this.context, context: this.context, argocd: applicationStatuses(apps) };
  }

  /**
   * `devenv reset`: soft recreates the project's namespace and Applications (the next `up`
   * deploys everything again); hard deletes and recreates the cluster, keeping the registry and
   * its images. Volumes go in both.
   */
  async reset(project: ProjectSpec, mode: ResetMode, sink: EventSink): Promise<void> {
    this.sink = sink;
    if (mode === 'soft') return this.teardown(project, true);
    await this.detach();
    await this.publisher.forget();
    await recreateOwnCluster(this.runner, this.cluster, this.context, this.stateDir, sink);
    this.api = undefined;
  }

  private log(service: string, line: string): void {
    this.sink({ kind: 'log', ts: now(), service, stream: 'system', line });
  }
}
