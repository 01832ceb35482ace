// The Kubernetes API as the runtime uses it: reads, watches, logs, port-forwards and exec
// streams. @kubernetes/client-node is imported only here; everything else works on the small
// views below, so pod-state.ts stays pure and tests can serve the API from a local server.

import { type Duplex, PassThrough, type Readable, type Writable } from 'node:stream';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  CustomObjectsApi,
  Exec,
  KubeConfig,
  Log,
  PortForward,
  type V1Deployment,
  type V1Job,
  type V1Pod,
  type V1StatefulSet,
  type V1Status,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
// Not re-exported by the package index (it has no `exports` map, so the file is reachable).
import { WebSocketHandler } from '@kubernetes/client-node/dist/web-socket-handler.js';
import { UserError } from '../../errors.js';
import { ARGOCD_NAMESPACE } from './names.js';

export interface ContainerView {
  name: string;
  ready: boolean;
  restartCount: number;
  running?: { startedAt?: string };
  waiting?: { reason?: string; message?: string };
  terminated?: { exitCode: number; reason?: string; startedAt?: string; finishedAt?: string };
  hasReadinessProbe: boolean;
}

export interface PodView {
  name: string;
  uid: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createdAt: string;
  deleting: boolean;
  phase: string;
  ready: boolean;
  containers: ContainerView[];
}

export interface WorkloadView {
  kind: 'Deployment' | 'StatefulSet' | 'Job';
  name: string;
  namespace: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Deployments and StatefulSets. */
  replicas?: number;
  readyReplicas?: number;
  /** Jobs. */
  succeeded?: number;
  failed?: number;
  active?: number;
}

export interface LogOptions {
  follow: boolean;
  tailLines?: number;
  sinceSeconds?: number;
}

export interface StreamHandle {
  /** Resolves when the stream ends, with the error that ended it, if any. */
  closed: Promise<Error | undefined>;
  close(): void;
}

export interface ExecIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /** The command's exit status, as the API reports it on the status channel. */
  onStatus?: (status: { status?: string; message?: string; exitCode?: number }) => void;
}

export interface KubeApi {
  readonly context: string;
  /** The server's version (`/version`, readable by any authenticated user), e.g. `v1.31.5+k3s1`. */
  serverVersion(): Promise<string>;
  listPods(namespace: string, labelSelector: string): Promise<PodView[]>;
  listWorkloads(namespace: string, labelSelector?: string): Promise<WorkloadView[]>;
  getWorkload(namespace: string, kind: WorkloadView['kind'], name: string): Promise<WorkloadView | undefined>;
  listApplications(labelSelector: string): Promise<Record<string, unknown>[]>;
  getApplication(name: string): Promise<Record<string, unknown> | undefined>;
  /** Decoded `data` of a Secret. */
  readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  deletePod(namespace: string, name: string): Promise<void>;
  watchPods(
    namespace: string,
    labelSelector: string,
    onEvent: (type: string, pod: PodView) => void,
  ): Promise<StreamHandle>;
  /** Argo CD Applications in `argocd` matching the selector, as they change. */
  watchApplications(
    labelSelector: string,
    onEvent: (type: string, app: Record<string, unknown>) => void,
  ): Promise<StreamHandle>;
  logs(namespace: string, pod: string, container: string, opts: LogOptions, out: Writable): Promise<StreamHandle>;
  /** Carries one TCP connection (`socket`) to `port` of the pod. */
  portForward(namespace: string, pod: string, port: number, socket: Duplex): Promise<StreamHandle>;
  exec(namespace: string, pod: string, container: string, command: string[], io: ExecIO): Promise<StreamHandle>;
}

export class ClientNodeKubeApi implements KubeApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly batch: BatchV1Api;
  private readonly custom: CustomObjectsApi;

  constructor(
    readonly kc: KubeConfig,
    readonly context: string = kc.getCurrentContext(),
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.batch = kc.makeApiClient(BatchV1Api);
    this.custom = kc.makeApiClient(CustomObjectsApi);
  }

  /** The user's kubeconfig (KUBECONFIG or ~/.kube/config), switched to `context` without writing it. */
  static forContext(context?: string): ClientNodeKubeApi {
    const kc = new KubeConfig();
    kc.loadFromDefault();
    if (context) {
      if (!kc.getContextObject(context)) {
        throw new UserError(
          {
            code: 'kubernetes.no-context',
            message: `no kube context named ${context}`,
            hint: `known contexts: ${
              kc
                .getContexts()
                .map((c) => c.name)
                .join(', ') || 'none'
            }`,
          },
          ['kubectl config get-contexts'],
        );
      }
      kc.setCurrentContext(context);
    }
    return new ClientNodeKubeApi(kc, context ?? kc.getCurrentContext());
  }

  async serverVersion(): Promise<string> {
    return (await this.kc.makeApiClient(VersionApi).getCode()).gitVersion;
  }

  async listPods(namespace: string, labelSelector: string): Promise<PodView[]> {
    const list = await this.core.listNamespacedPod({ namespace, labelSelector });
    return list.items.map(podView);
  }

  async listWorkloads(namespace: string, labelSelector?: string): Promise<WorkloadView[]> {
    const q = { namespace, ...(labelSelector ? { labelSelector } : {}) };
    const [deployments, statefulSets, jobs] = await Promise.all([
      this.apps.listNamespacedDeployment(q),
      this.apps.listNamespacedStatefulSet(q),
      this.batch.listNamespacedJob(q),
    ]);
    return [
      ...deployments.items.map((d) => workloadView('Deployment', d)),
      ...statefulSets.items.map((s) => workloadView('StatefulSet', s)),
      ...jobs.items.map((j) => workloadView('Job', j)),
    ];
  }

  async getWorkload(namespace: string, kind: WorkloadView['kind'], name: string): Promise<WorkloadView | undefined> {
    try {
      if (kind === 'Deployment')
        return workloadView(kind, await this.apps.readNamespacedDeployment({ namespace, name }));
      if (kind === 'StatefulSet')
        return workloadView(kind, await this.apps.readNamespacedStatefulSet({ namespace, name }));
      return workloadView(kind, await this.batch.readNamespacedJob({ namespace, name }));
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async listApplications(labelSelector: string): Promise<Record<string, unknown>[]> {
    const list = (await this.custom.listNamespacedCustomObject({
      group: 'argoproj.io',
      version: 'v1alpha1',
      namespace: ARGOCD_NAMESPACE,
      plural: 'applications',
      labelSelector,
    })) as { items?: Record<string, unknown>[] };
    return list.items ?? [];
  }

  async getApplication(name: string): Promise<Record<string, unknown> | undefined> {
    try {
      return (await this.custom.getNamespacedCustomObject({
        group: 'argoproj.io',
        version: 'v1alpha1',
        namespace: ARGOCD_NAMESPACE,
        plural: 'applications',
        name,
      })) as Record<string, unknown>;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async readSecret(namespace: string, name: string): Promise<Record<string, string> | undefined> {
    try {
      const secret = await this.core.readNamespacedSecret({ namespace, name });
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(secret.data ?? {})) out[k] = Buffer.from(v, 'base64').toString('utf8');
      return out;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.core.deleteNamespacedPod({ namespace, name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async watchPods(
    namespace: string,
    labelSelector: string,
    onEvent: (type: string, pod: PodView) => void,
  ): Promise<StreamHandle> {
    let settle!: (err: Error | undefined) => void;
    const closed = new Promise<Error | undefined>((resolve) => {
      settle = resolve;
    });
    const controller = await new Watch(this.kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector },
      (type, obj) => onEvent(type, podView(obj as V1Pod)),
      (err) => settle(err ? toError(err) : undefined),
    );
    return { closed, close: () => controller.abort() };
  }

  async watchApplications(
    labelSelector: string,
    onEvent: (type: string, app: Record<string, unknown>) => void,
  ): Promise<StreamHandle> {
    let settle!: (err: Error | undefined) => void;
    const closed = new Promise<Error | undefined>((resolve) => {
      settle = resolve;
    });
    const controller = await new Watch(this.kc).watch(
      `/apis/argoproj.io/v1alpha1/namespaces/${ARGOCD_NAMESPACE}/applications`,
      { labelSelector },
      (type, obj) => onEvent(type, obj as Record<string, unknown>),
      (err) => settle(err ? toError(err) : undefined),
    );
    return { closed, close: () => controller.abort() };
  }

  async logs(
    namespace: string,
    pod: string,
    container: string,
    opts: LogOptions,
    out: Writable,
  ): Promise<StreamHandle> {
    const closed = new Promise<Error | undefined>((resolve) => {
      out.once('finish', () => resolve(undefined));
      out.once('close', () => resolve(undefined));
      out.once('error', (err) => resolve(err));
    });
    const controller = await new Log(this.kc).log(namespace, pod, container, out, {
      follow: opts.follow,
      timestamps: true,
      ...(opts.tailLines === undefined ? {} : { tailLines: opts.tailLines }),
      ...(opts.sinceSeconds === undefined ? {} : { sinceSeconds: Math.max(1, Math.ceil(opts.sinceSeconds)) }),
    });
    return { closed, close: () => controller.abort() };
  }

  async portForward(namespace: string, pod: string, port: number, socket: Duplex): Promise<StreamHandle> {
    const errors = new PassThrough();
    let firstError = '';
    errors.on('data', (d: Buffer) => {
      firstError ||= d.toString('utf8').trim();
    });
    // The handler's stream interface defaults to process.std*: give it streams of our own so a
    // close frame from the server never ends the daemon's stdout.
    const handler = new WebSocketHandler(this.kc, undefined, detachedStreams());
    const ws = (await new PortForward(this.kc, true, handler).portForward(
      namespace,
      pod,
      [port],
      socket,
      errors,
      socket,
    )) as unknown as WebSocketLike;
    const closed = new Promise<Error | undefined>((resolve) => {
      ws.on('close', () => {
        socket.destroy();
        resolve(firstError ? new Error(firstError) : undefined);
      });
      ws.on('error', (err: Error) => resolve(err));
    });
    socket.on('close', () => ws.close());
    socket.on('error', () => ws.close());
    return { closed, close: () => ws.close() };
  }

  async exec(namespace: string, pod: string, container: string, command: string[], io: ExecIO): Promise<StreamHandle> {
    const handler = new WebSocketHandler(this.kc, undefined, detachedStreams());
    const ws = (await new Exec(this.kc, handler).exec(
      namespace,
      pod,
      container,
      command,
      io.stdout,
      io.stderr,
      io.stdin,
      false,
      (status: V1Status) => io.onStatus?.(execStatus(status)),
    )) as unknown as WebSocketLike;
    const closed = new Promise<Error | undefined>((resolve) => {
      ws.on('close', () => resolve(undefined));
      ws.on('error', (err: Error) => resolve(err));
    });
    return { closed, close: () => ws.close() };
  }
}

interface WebSocketLike {
  on(event: 'close', cb: () => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  close(): void;
}

function detachedStreams() {
  return { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
}

function execStatus(status: V1Status): { status?: string; message?: string; exitCode?: number } {
  const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
  return {
    ...(status.status ? { status: status.status } : {}),
    ...(status.message ? { message: status.message } : {}),
    ...(cause?.message ? { exitCode: Number(cause.message) } : status.status === 'Success' ? { exitCode: 0 } : {}),
  };
}

function isNotFound(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: number }).code === 404;
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

function iso(value: Date | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value instanceof Date ? value.toISOString() : String(value);
}

export function podView(pod: V1Pod): PodView {
  const probes = new Map((pod.spec?.containers ?? []).map((c) => [c.name, c.readinessProbe !== undefined]));
  return {
    name: pod.metadata?.name ?? '',
    uid: pod.metadata?.uid ?? '',
    namespace: pod.metadata?.namespace ?? '',
    labels: pod.metadata?.labels ?? {},
    annotations: pod.metadata?.annotations ?? {},
    createdAt: iso(pod.metadata?.creationTimestamp) ?? '',
    deleting: pod.metadata?.deletionTimestamp !== undefined && pod.metadata?.deletionTimestamp !== null,
    phase: pod.status?.phase ?? 'Unknown',
    ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    containers: (pod.status?.containerStatuses ?? []).map((c) => {
      const view: ContainerView = {
        name: c.name,
        ready: c.ready,
        restartCount: c.restartCount,
        hasReadinessProbe: probes.get(c.name) ?? false,
      };
      const s = c.state;
      if (s?.running) view.running = { ...(s.running.startedAt ? { startedAt: iso(s.running.startedAt)! } : {}) };
      if (s?.waiting)
        view.waiting = {
          ...(s.waiting.reason ? { reason: s.waiting.reason } : {}),
          ...(s.waiting.message ? { message: s.waiting.message } : {}),
        };
      if (s?.terminated) {
        view.terminated = {
          exitCode: s.terminated.exitCode,
          ...(s.terminated.reason ? { reason: s.terminated.reason } : {}),
          ...(s.terminated.startedAt ? { startedAt: iso(s.terminated.startedAt)! } : {}),
          ...(s.terminated.finishedAt ? { finishedAt: iso(s.terminated.finishedAt)! } : {}),
        };
      }
      return view;
    }),
  };
}

export function workloadView(kind: WorkloadView['kind'], o: V1Deployment | V1StatefulSet | V1Job): WorkloadView {
  const base = {
    kind,
    name: o.metadata?.name ?? '',
    namespace: o.metadata?.namespace ?? '',
    labels: o.metadata?.labels ?? {},
    annotations: o.metadata?.annotations ?? {},
  };
  if (kind === 'Job') {
    const s = (o as V1Job).status;
    return { ...base, succeeded: s?.succeeded ?? 0, failed: s?.failed ?? 0, active: s?.active ?? 0 };
  }
  const w = o as V1Deployment | V1StatefulSet;
  return { ...base, replicas: w.spec?.replicas ?? 1, readyReplicas: w.status?.readyReplicas ?? 0 };
}
