// The Docker runtime (dockerode). Builds images, creates the project's networks and volumes,
// and runs each service as labelled containers: one, or N named <project>-<service>-1…N when it
// asks for several (`scale`, `deploy.replicas`). The engine sees a service's instances as one
// instance whose id is the first container's (replica-groups.ts); everything done to it is done
// to each. dockerode is imported only under this folder.

import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { RuntimeFailure, UserError } from '../../errors.js';
import type { EventSink } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type {
  Artifact,
  CreateContext,
  Disposable,
  ExecResult,
  InstanceState,
  LogLine,
  ObservedInstance,
  OneOffContext,
  Runtime,
  RuntimeChange,
  RuntimeInfo,
  SyncLink,
} from '../../runtime-interface/runtime.js';
import { signalName } from '../../shared/signals.js';
import { withTimeout } from '../../shared/timing.js';
import { openDockerChannel } from '../../sync/docker-transport.js';
import type { SyncSession } from '../../sync/session.js';
import type { SyncTransport } from '../../sync/transport.js';
import { type DockerEndpoint, resolveDockerEndpoint } from '../shared/docker-endpoint.js';
import DockerodeClient from '../shared/dockerode-client.js';
import { ImageBuilder } from '../shared/image-builder.js';
import { LogDecoder } from '../shared/log-decoder.js';
import { containerCreateOptions, type InstanceOptions } from './container-config.js';
import { followContainerEvents } from './container-events.js';
import { execInContainer } from './container-exec.js';
import { errMessage, statusOf } from './docker-errors.js';
import { probeEarly } from './early-health.js';
import { FanOutTransport } from './fan-out-transport.js';
import { copiedFilesHashInput, injectFiles } from './file-injection.js';
import { combinedState, MISSING, stateOf } from './instance-state.js';
import { LABEL, ownedContainerFilters } from './labels.js';
import { type ContainerHooks, hooksFromLabels, runHooks } from './lifecycle-hooks.js';
import { networkConfig } from './network-config.js';
import { runOneOffContainer } from './one-off.js';
import { ensureProjectResources, removeProjectResources } from './project-resources.js';
import { ReplicaGroups } from './replica-groups.js';
import { followReplica, mergeStreams } from './replica-logs.js';
import { stopGraceMs } from './stop-grace.js';

export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  readonly docker: Dockerode;
  readonly endpoint: DockerEndpoint;
  private readonly images: ImageBuilder;
  private readonly groups = new ReplicaGroups();
  /** post_start/pre_stop of each container, from its labels. */
  private readonly hooks = new Map<string, ContainerHooks>();
  private readonly closers = new Set<() => void>();
  /** Containers whose healthcheck passed an early probe while Docker still says `starting`. */
  private readonly earlyHealthy = new Set<string>();
  private readonly earlyProbes = new Map<string, AbortController>();
  /**
   * The first signal a container was sent through the engine since its last start (a `kill`
   * event: `docker stop` sends the stop signal first, `docker kill` SIGKILL), so its exit is
   * known for what it was. Learnt from the event stream while it is watched.
   */
  private readonly signalled = new Map<string, string>();

  constructor(opts: { endpoint?: DockerEndpoint; buildConcurrency?: number } = {}) {
    this.endpoint = opts.endpoint ?? resolveDockerEndpoint();
    this.docker = new DockerodeClient(this.endpoint.options);
    this.images = new ImageBuilder(this.docker, opts);
  }

  async connect(): Promise<RuntimeInfo> {
    try {
      const v = await withTimeout(this.docker.version(), 5000, 'the Docker engine did not answer within 5 s');
      return { kind: 'docker', detail: `Docker ${v.Version} (API ${v.ApiVersion})`, apiVersion: v.ApiVersion };
    } catch (err) {
      throw new UserError(
        {
          code: 'docker.unreachable',
          message: `cannot reach a Docker engine at ${this.endpoint.description} (${this.endpoint.source}): ${errMessage(err)}`,
          hint: 'start Docker (Docker Desktop, colima, or `sudo systemctl start docker`), or run with `--runtime process`',
        },
        ['devenv doctor'],
      );
    }
  }

  async ping(): Promise<void> {
    await withTimeout(this.docker.ping(), 3000, 'the Docker engine did not answer within 3 s');
  }

  hasHealthcheck(service: ServiceSpec): boolean {
    return service.healthcheck !== undefined && service.healthcheck.test[0] !== 'NONE';
  }

  hashInput(service: ServiceSpec, project: ProjectSpec, artifact?: Artifact): unknown {
    const image = artifact?.ref ?? service.image ?? '';
    const { name: _name, ...options } = containerCreateOptions(service, project, image, '', this.instance(1));
    const later = networkConfig(service, project, 1).later;
    const files = copiedFilesHashInput(service);
    return {
      options,
      imageId: artifact?.id ?? null,
      ...(later.length > 0 ? { networks: later } : {}),
      ...((service.replicas ?? 1) > 1 ? { replicas: service.replicas } : {}),
      ...((files as unknown[]).length > 0 ? { files } : {}),
    };
  }

  async observe(project: string): Promise<ObservedInstance[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: ownedContainerFilters(project) }),
    });
    for (const c of list) this.hooks.set(c.Id, hooksFromLabels(c.Labels));
    const out: ObservedInstance[] = [];
    for (const group of this.groups.fromContainers(list)) {
      const state = await this.inspect(group.leader);
      out.push({ id: group.leader, service: group.service, specHash: group.complete ? group.specHash : '', state });
    }
    return out;
  }

  ensureProjectResources(project: ProjectSpec, sink: EventSink): Promise<void> {
    return ensureProjectResources(this.docker, project, sink);
  }

  prepareArtifacts(...args: Parameters<Runtime['prepareArtifacts']>): ReturnType<Runtime['prepareArtifacts']> {
    return this.images.prepareArtifacts(...args);
  }

  /** Creates every instance of the service (connected to its networks, its files copied in); the first's id stands for them. */
  async create(service: ServiceSpec, ctx: CreateContext): Promise<string> {
    const image = ctx.artifact?.ref ?? service.image ?? '';
    if (service.container?.useApiSocket && !this.endpoint.options.socketPath) {
      throw new RuntimeFailure(
        'docker.api-socket-unavailable',
        `service ${service.name} asks for the engine's socket (use_api_socket), but devenv reaches the engine at ${this.endpoint.description}`,
        { service: service.name, hint: 'use a local engine (a unix socket), or remove `use_api_socket`' },
      );
    }
    const created: string[] = [];
    try {
      for (let replica = 1; replica <= (service.replicas ?? 1); replica++) {
        created.push(await this.createOne(service, ctx, image, this.instance(replica)));
      }
    } catch (err) {
      await Promise.all(
        created.map((id) =>
          this.docker
            .getContainer(id)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
      throw err;
    }
    this.groups.set(created);
    return created[0] as string;
  }

  private instance(replica: number): InstanceOptions {
    const socket = this.endpoint.options.socketPath;
    return typeof socket === 'string' ? { replica, apiSocket: socket } : { replica };
  }

  private async createOne(service: ServiceSpec, ctx: CreateContext, image: string, instance: InstanceOptions) {
    const { name, ...body } = containerCreateOptions(service, ctx.project, image, ctx.specHash, instance);
    const platform = service.container?.platform;
    let container: Dockerode.Container;
    try {
      // Name and platform travel in the query string; the rest is the body.
      container = await this.docker.createContainer({
        _query: { name, ...(platform ? { platform } : {}) },
        _body: body,
      } as unknown as Dockerode.ContainerCreateOptions);
    } catch (err) {
      if (statusOf(err) === 409) {
        throw new RuntimeFailure('docker.name-conflict', `a container named ${name} already exists`, {
          service: service.name,
          hint: `it was not created by devenv for this project: remove it with \`docker rm -f ${name}\`, or use another project name with \`-p\``,
        });
      }
      throw new RuntimeFailure('docker.create-failed', `cannot create ${service.name}: ${errMessage(err)}`, {
        service: service.name,
        cause: err,
      });
    }
    try {
      for (const { network, endpoint } of networkConfig(service, ctx.project, instance.replica).later) {
        await this.docker.getNetwork(network).connect({ Container: container.id, EndpointConfig: endpoint });
      }
      await injectFiles(container, service);
    } catch (err) {
      await container.remove({ force: true }).catch(() => undefined);
      if (err instanceof RuntimeFailure) throw err;
      throw new RuntimeFailure(
        'docker.create-failed',
        `cannot connect ${service.name} to its networks: ${errMessage(err)}`,
        {
          service: service.name,
          cause: err,
        },
      );
    }
    this.hooks.set(container.id, { postStart: service.hooks?.postStart ?? [], preStop: service.hooks?.preStop ?? [] });
    return container.id;
  }

  async start(instanceId: string): Promise<void> {
    // In order: a service's first instance may be another's network namespace.
    for (const id of this.groups.membersOf(instanceId)) {
      try {
        await this.docker.getContainer(id).start();
      } catch (err) {
        if (statusOf(err) === 304) continue;
        const msg = errMessage(err);
        const busy = /port is already allocated|address already in use/i.exec(msg);
        throw new RuntimeFailure(busy ? 'docker.port-busy' : 'docker.start-failed', `cannot start: ${msg}`, {
          hint: busy
            ? 'another process holds a published port: `devenv doctor` shows which; stop it or change the port'
            : 'see the service log above (`devenv logs SERVICE`)',
          cause: err,
        });
      }
      const hooks = await this.hooksOf(id);
      if (hooks.postStart.length > 0)
        await runHooks(this.docker, id, hooks.postStart, 'post_start', await this.serviceOf(id));
    }
  }

  async stop(instanceId: string, timeoutMs: number): Promise<void> {
    await Promise.all(
      this.groups.membersOf(instanceId).map(async (id) => {
        const hooks = await this.hooksOf(id);
        if (hooks.preStop.length > 0) {
          // A failing pre_stop hook must not keep the service running: stop it anyway.
          await runHooks(this.docker, id, hooks.preStop, 'pre_stop', await this.serviceOf(id)).catch(() => undefined);
        }
        try {
          const container = this.docker.getContainer(id);
          // No grace period for a PID 1 that cannot hear the stop signal (stop-grace.ts).
          await container.stop({ t: Math.ceil((await stopGraceMs(container, timeoutMs)) / 1000) });
        } catch (err) {
          const status = statusOf(err);
          if (status !== 304 && status !== 404 && status !== 409) throw err;
        }
      }),
    );
  }

  async remove(instanceId: string): Promise<void> {
    const members = this.groups.membersOf(instanceId);
    await Promise.all(
      members.map(async (id) => {
        try {
          await this.docker.getContainer(id).remove({ force: true });
        } catch (err) {
          if (statusOf(err) !== 404) throw err;
        }
        this.hooks.delete(id);
      }),
    );
    this.groups.forget(instanceId);
  }

  async inspect(instanceId: string): Promise<InstanceState> {
    const states = await Promise.all(this.groups.membersOf(instanceId).map((id) => this.inspectOne(id)));
    return combinedState(states);
  }

  private async inspectOne(id: string): Promise<InstanceState> {
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return MISSING;
      throw err;
    }
    const state = stateOf(info, this.earlyHealthy.has(id));
    const signal = this.signalled.get(id);
    if (signal && (state.status === 'exited' || state.status === 'dead')) state.signalled = signal;
    return state;
  }

  async *logs(
    instanceId: string,
    opts: { follow: boolean; tail?: number; since?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine> {
    const members = this.groups.membersOf(instanceId);
    if (members.length === 1) {
      yield* this.containerLogs(instanceId, opts, signal);
      return;
    }
    // Several instances: each line says which (`[2] …`), in the order they come.
    if (!opts.follow) {
      const all: LogLine[] = [];
      for (const [i, id] of members.entries())
        for await (const l of this.containerLogs(id, opts, signal))
          all.push({ ...l, line: `[${i + 1}] ${l.line}`, replica: i + 1 });
      all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      yield* all;
      return;
    }
    const first = {
      ...(opts.since === undefined ? {} : { since: opts.since }),
      ...(opts.tail === undefined ? {} : { tail: opts.tail }),
    };
    yield* mergeStreams(
      members.map((id, i) =>
        followReplica(
          {
            replica: i + 1,
            open: (from) => this.memberLogs(id, from, signal),
            state: async () => {
              const { status } = await this.inspectOne(id);
              return status === 'missing' ? 'gone' : status === 'running' ? 'running' : 'not-running';
            },
          },
          first,
          signal,
        ),
      ),
    );
  }

  /** One instance's followed log, or nothing once its container is gone. */
  private async *memberLogs(
    id: string,
    from: { since?: number; tail?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine> {
    try {
      yield* this.containerLogs(id, { follow: true, ...from }, signal);
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  private async *containerLogs(
    id: string,
    opts: { follow: boolean; tail?: number; since?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine> {
    const container = this.docker.getContainer(id);
    const info = await container.inspect();
    const decoder = new LogDecoder(!info.Config.Tty);
    const query = {
      stdout: true,
      stderr: true,
      timestamps: true,
      ...(opts.tail === undefined ? {} : { tail: opts.tail }),
      ...(opts.since === undefined ? {} : { since: opts.since }),
    };
    if (!opts.follow) {
      const buffer = (await container.logs({ ...query, follow: false })) as unknown as Buffer;
      yield* decoder.push(buffer);
      yield* decoder.flush();
      return;
    }
    const stream = (await container.logs({ ...query, follow: true })) as unknown as Readable;
    const onAbort = () => stream.destroy();
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of stream) {
        for (const line of decoder.push(chunk as Buffer)) yield line;
      }
      for (const line of decoder.flush()) yield line;
    } finally {
      signal.removeEventListener('abort', onAbort);
      stream.destroy();
    }
  }

  /** One sync channel per container (the agent over a long-lived exec, or the archive fallback), one target per rule, into every instance. */
  async attachSync(
    instanceId: string,
    _service: string,
    sessions: readonly SyncSession[],
    opts: { reconcile: boolean; onWarning: (message: string) => void },
  ): Promise<SyncLink> {
    const channels = await Promise.all(
      this.groups.membersOf(instanceId).map((id) => openDockerChannel(this.docker, id, { onWarning: opts.onWarning })),
    );
    let closing = false;
    const closeAll = async () => {
      closing = true;
      for (const session of sessions) session.detach();
      await Promise.all(channels.map((c) => c.close()));
    };
    // Any one channel ending by itself (the agent killed, its exec gone) breaks the link.
    const brokenBy: ((reason: string) => void)[] = [];
    let broken: string | undefined;
    for (const channel of channels) {
      channel.onClosed((err) => {
        if (closing || broken !== undefined) return;
        broken = err.message;
        for (const cb of brokenBy.splice(0)) cb(err.message);
      });
    }
    try {
      for (const session of sessions) {
        if (!session.rule.target) continue;
        const targets: SyncTransport[] = await Promise.all(
          channels.map((c) => c.target(session.rule.target as string)),
        );
        const transport = targets.length === 1 ? (targets[0] as SyncTransport) : new FanOutTransport(targets);
        await session.attach(transport, opts.reconcile ? { reconcile: true } : {});
      }
    } catch (err) {
      await closeAll();
      throw err;
    }
    return {
      close: closeAll,
      onClosed: (cb) => {
        if (broken !== undefined) cb(broken);
        else brokenBy.push(cb);
      },
    };
  }

  /** `sync+exec`: the command in every instance; the first failure's code (and everyone's output). */
  async exec(instanceId: string, command: string[], opts: { user?: string; workingDir?: string }): Promise<ExecResult> {
    const results = await Promise.all(this.groups.membersOf(instanceId).map((id) => this.execOne(id, command, opts)));
    if (results.length === 1) return results[0] as ExecResult;
    return {
      exitCode: results.find((r) => r.exitCode !== 0)?.exitCode ?? 0,
      output: results
        .map((r, i) =>
          r.output
            .split('\n')
            .map((l) => `[${i + 1}] ${l}`)
            .join('\n'),
        )
        .join('\n'),
    };
  }

  runOneOff(service: ServiceSpec, argv: string[], ctx: OneOffContext): Promise<ExecResult> {
    return runOneOffContainer(this.docker, ctx.artifact?.ref ?? service.image ?? '', service, argv, ctx.timeoutMs);
  }

  private async execOne(
    id: string,
    command: string[],
    opts: { user?: string; workingDir?: string },
  ): Promise<ExecResult> {
    const { exitCode, lines } = await execInContainer(this.docker, id, {
      Cmd: command,
      ...(opts.user ? { User: opts.user } : {}),
      ...(opts.workingDir ? { WorkingDir: opts.workingDir } : {}),
    });
    return { exitCode, output: lines.join('\n') };
  }

  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable {
    const dispose = followContainerEvents(this.docker, project, (e) => {
      if (e.verb === 'kill') {
        if (e.signal !== undefined && !this.signalled.has(e.containerId))
          this.signalled.set(e.containerId, signalName(e.signal) ?? `signal ${e.signal}`);
        return;
      }
      if (e.verb === 'start' || e.verb === 'destroy') this.signalled.delete(e.containerId);
      if (e.verb === 'start') this.probeEarly(e.containerId, e.service, onChange);
      if (e.verb === 'die' || e.verb === 'stop' || e.verb === 'destroy') this.forgetEarly(e.containerId);
      onChange({ instanceId: this.groups.leaderOf(e.containerId), service: e.service, reason: e.reason });
    });
    this.closers.add(dispose);
    return {
      dispose: () => {
        this.closers.delete(dispose);
        dispose();
      },
    };
  }

  removeProjectResources(project: ProjectSpec, opts: { volumes: boolean }): Promise<void> {
    return removeProjectResources(this.docker, project, opts);
  }

  async close(): Promise<void> {
    for (const close of this.closers) close();
    this.closers.clear();
    for (const id of [...this.earlyProbes.keys()]) this.forgetEarly(id);
  }

  private async hooksOf(id: string): Promise<ContainerHooks> {
    const known = this.hooks.get(id);
    if (known) return known;
    const info = await this.docker
      .getContainer(id)
      .inspect()
      .catch(() => undefined);
    const hooks = hooksFromLabels(info?.Config.Labels);
    this.hooks.set(id, hooks);
    return hooks;
  }

  private async serviceOf(id: string): Promise<string> {
    const info = await this.docker
      .getContainer(id)
      .inspect()
      .catch(() => undefined);
    return info?.Config.Labels?.[LABEL.service] ?? id.slice(0, 12);
  }

  /** See early-health.ts: probe a starting container's healthcheck ourselves, on signs of progress. */
  private probeEarly(id: string, service: string, onChange: (change: RuntimeChange) => void): void {
    this.forgetEarly(id);
    const controller = new AbortController();
    this.earlyProbes.set(id, controller);
    void (async () => {
      const info = await this.docker.getContainer(id).inspect();
      const hc = info.Config.Healthcheck;
      if (!hc?.Test || hc.Test[0] === 'NONE') return;
      const ns = 1_000_000;
      const startInterval = Number(info.Config.Labels?.[LABEL.startInterval]);
      const interval =
        Number.isFinite(startInterval) && startInterval > 0 ? startInterval : (hc.Interval ?? 30_000 * ns) / ns;
      const retries = hc.Retries ?? 3;
      const verdict = await probeEarly(
        this.docker,
        {
          containerId: id,
          test: hc.Test,
          timeoutMs: (hc.Timeout ?? 30_000 * ns) / ns,
          intervalMs: interval,
          budgetMs: (hc.StartPeriod ?? 0) / ns + interval * (retries + 1),
        },
        controller.signal,
      );
      if (verdict !== 'passed' || controller.signal.aborted) return;
      this.earlyHealthy.add(id);
      onChange({ instanceId: this.groups.leaderOf(id), service, reason: 'healthcheck passed (early probe)' });
    })()
      .catch(() => undefined)
      .finally(() => {
        if (this.earlyProbes.get(id) === controller) this.earlyProbes.delete(id);
      });
  }

  private forgetEarly(id: string): void {
    this.earlyProbes.get(id)?.abort();
    this.earlyProbes.delete(id);
    this.earlyHealthy.delete(id);
  }
}
