// The Docker runtime (dockerode). Builds images, creates the project network and volumes,
// and runs one labelled container per service. dockerode is imported only under this folder.

import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type { Health, PublishedPort } from '../../model/status.js';
import type {
  Artifact,
  CreateContext,
  Disposable,
  ExecResult,
  InstanceState,
  LogLine,
  ObservedInstance,
  Runtime,
  RuntimeChange,
  RuntimeInfo,
  SyncLink,
} from '../../runtime/runtime.js';
import { openDockerChannel } from '../../sync/docker-transport.js';
import type { SyncSession } from '../../sync/session.js';
import { type DockerEndpoint, resolveDockerEndpoint } from '../shared/docker-endpoint.js';
import { dockerEngineVersion, dockerErrorMessage as errMessage } from '../shared/docker-engine.js';
import DockerodeClient from '../shared/dockerode-client.js';
import { ImageBuilder } from '../shared/image-builder.js';
import { LogDecoder } from '../shared/log-decoder.js';
import { keepWatching } from '../shared/watch-reconnect.js';
import { containerCreateOptions, resolveVolume } from './container-config.js';
import { probeEarly } from './early-health.js';
import { LABEL, networkName, ownedContainerFilters } from './labels.js';

const watchedEvents = new Set(['start', 'die', 'restart', 'destroy', 'oom', 'pause', 'unpause', 'stop']);

export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  readonly docker: Dockerode;
  readonly endpoint: DockerEndpoint;
  private readonly images: ImageBuilder;
  private readonly closers = new Set<() => void>();
  /** Containers whose healthcheck passed an early probe while Docker still says `starting`. */
  private readonly earlyHealthy = new Set<string>();
  private readonly earlyProbes = new Map<string, AbortController>();

  constructor(opts: { endpoint?: DockerEndpoint; buildConcurrency?: number } = {}) {
    this.endpoint = opts.endpoint ?? resolveDockerEndpoint();
    this.docker = new DockerodeClient(this.endpoint.options);
    this.images = new ImageBuilder(this.docker, opts);
  }

  async connect(): Promise<RuntimeInfo> {
    return { kind: 'docker', detail: await dockerEngineVersion(this.docker, this.endpoint) };
  }

  hasHealthcheck(service: ServiceSpec): boolean {
    return service.healthcheck !== undefined && service.healthcheck.test[0] !== 'NONE';
  }

  hashInput(service: ServiceSpec, project: ProjectSpec, artifact?: Artifact): unknown {
    const image = artifact?.ref ?? service.image ?? '';
    const { name: _name, ...options } = containerCreateOptions(service, project, image, '');
    return { options, imageId: artifact?.id ?? null };
  }

  async observe(project: string): Promise<ObservedInstance[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: JSON.stringify({ label: ownedContainerFilters(project) }),
    });
    const out: ObservedInstance[] = [];
    for (const c of list) {
      const service = c.Labels[LABEL.service];
      if (!service) continue;
      out.push({ id: c.Id, service, specHash: c.Labels[LABEL.specHash] ?? '', state: await this.inspect(c.Id) });
    }
    return out;
  }

  async ensureProjectResources(project: ProjectSpec, sink: EventSink): Promise<void> {
    const wanted = new Set<string>(['default']);
    for (const svc of Object.values(project.services)) for (const n of svc.networks) wanted.add(n);
    for (const name of wanted) {
      const spec = project.networks[name];
      if (spec?.external) {
        await this.docker
          .getNetwork(spec.name)
          .inspect()
          .catch(() => {
            throw new UserError({
              code: 'docker.external-network-missing',
              message: `external network ${spec.name} does not exist`,
              hint: `create it with \`docker network create ${spec.name}\` or drop \`external: true\``,
            });
          });
        continue;
      }
      const full = networkName(project.name, name);
      const existing = await this.docker.listNetworks({ filters: JSON.stringify({ name: [full] }) });
      if (existing.some((n) => n.Name === full)) continue;
      sink({ kind: 'log', ts: now(), service: 'devenv', stream: 'system', line: `creating network ${full}` });
      await this.docker.createNetwork({
        Name: full,
        Driver: spec?.driver ?? 'bridge',
        Labels: { [LABEL.project]: project.name, [LABEL.network]: name },
        CheckDuplicate: true,
      });
    }
    for (const [name, spec] of Object.entries(project.volumes)) {
      const full = resolveVolume(project, name);
      const exists = await this.docker
        .getVolume(full)
        .inspect()
        .then(() => true)
        .catch(() => false);
      if (exists) continue;
      if (spec.external) {
        throw new UserError({
          code: 'docker.external-volume-missing',
          message: `external volume ${full} does not exist`,
          hint: `create it with \`docker volume create ${full}\` or drop \`external: true\``,
        });
      }
      sink({ kind: 'log', ts: now(), service: 'devenv', stream: 'system', line: `creating volume ${full}` });
      await this.docker.createVolume({
        Name: full,
        Driver: spec.driver ?? 'local',
        Labels: { ...spec.labels, [LABEL.project]: project.name, [LABEL.volume]: name },
      });
    }
  }

  prepareArtifacts(
    services: ServiceSpec[],
    project: ProjectSpec,
    sink: EventSink,
    signal: AbortSignal,
    opts: { force: string[] },
  ): Record<string, Promise<Artifact | undefined>> {
    return this.images.prepareArtifacts(services, project, sink, signal, opts);
  }

  async create(service: ServiceSpec, ctx: CreateContext): Promise<string> {
    const image = ctx.artifact?.ref ?? service.image ?? '';
    const options = containerCreateOptions(service, ctx.project, image, ctx.specHash);
    try {
      const container = await this.docker.createContainer(options);
      return container.id;
    } catch (err) {
      if (statusOf(err) === 409) {
        throw new RuntimeFailure('docker.name-conflict', `a container named ${options.name} already exists`, {
          service: service.name,
          hint: `it was not created by devenv for this project: remove it with \`docker rm -f ${options.name}\`, or use another project name with \`-p\``,
        });
      }
      throw new RuntimeFailure('docker.create-failed', `cannot create ${service.name}: ${errMessage(err)}`, {
        service: service.name,
        cause: err,
      });
    }
  }

  async start(instanceId: string): Promise<void> {
    try {
      await this.docker.getContainer(instanceId).start();
    } catch (err) {
      if (statusOf(err) === 304) return;
      const msg = errMessage(err);
      const busy = /port is already allocated|address already in use/i.exec(msg);
      throw new RuntimeFailure(busy ? 'docker.port-busy' : 'docker.start-failed', `cannot start: ${msg}`, {
        hint: busy
          ? 'another process holds a published port: `devenv doctor` shows which; stop it or change the port'
          : 'see the service log above (`devenv logs SERVICE`)',
        cause: err,
      });
    }
  }

  async stop(instanceId: string, timeoutMs: number): Promise<void> {
    try {
      await this.docker.getContainer(instanceId).stop({ t: Math.ceil(timeoutMs / 1000) });
    } catch (err) {
      const status = statusOf(err);
      if (status !== 304 && status !== 404) throw err;
    }
  }

  async remove(instanceId: string): Promise<void> {
    try {
      await this.docker.getContainer(instanceId).remove({ force: true });
    } catch (err) {
      if (statusOf(err) !== 404) throw err;
    }
  }

  async inspect(instanceId: string): Promise<InstanceState> {
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(instanceId).inspect();
    } catch (err) {
      if (statusOf(err) === 404) return { status: 'missing', health: 'none', restartCount: 0, ports: [] };
      throw err;
    }
    const s = info.State;
    const status: InstanceState['status'] = s.Restarting
      ? 'restarting'
      : s.Running
        ? 'running'
        : s.Status === 'created'
          ? 'created'
          : s.Status === 'dead'
            ? 'dead'
            : 'exited';
    const healthStatus = s.Health?.Status;
    let health: Health =
      healthStatus === 'healthy' || healthStatus === 'unhealthy' || healthStatus === 'starting' ? healthStatus : 'none';
    if (health === 'starting' && s.Running && this.earlyHealthy.has(instanceId)) health = 'healthy';
    const ports: PublishedPort[] = [];
    for (const [key, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
      const [port, proto] = key.split('/');
      for (const b of bindings ?? []) {
        ports.push({
          hostIp: b.HostIp,
          hostPort: Number(b.HostPort),
          containerPort: Number(port),
          protocol: proto === 'udp' ? 'udp' : 'tcp',
        });
      }
    }
    ports.sort((a, b) => a.containerPort - b.containerPort || a.hostIp.localeCompare(b.hostIp));
    const state: InstanceState = { status, health, restartCount: info.RestartCount ?? 0, ports };
    if (status === 'exited' || status === 'dead') state.exitCode = s.ExitCode;
    if (s.StartedAt && !s.StartedAt.startsWith('0001')) state.startedAt = s.StartedAt;
    return state;
  }

  async *logs(
    instanceId: string,
    opts: { follow: boolean; tail?: number; since?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine> {
    const container = this.docker.getContainer(instanceId);
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

  /** One sync channel per container (the agent over a long-lived exec, or the archive fallback), one target per rule. */
  async attachSync(
    instanceId: string,
    _service: string,
    sessions: readonly SyncSession[],
    opts: { reconcile: boolean; onWarning: (message: string) => void },
  ): Promise<SyncLink> {
    const channel = await openDockerChannel(this.docker, instanceId, { onWarning: opts.onWarning });
    try {
      for (const session of sessions) {
        if (!session.rule.target) continue;
        await session.attach(await channel.target(session.rule.target), opts.reconcile ? { reconcile: true } : {});
      }
    } catch (err) {
      for (const session of sessions) session.detach();
      await channel.close();
      throw err;
    }
    return {
      close: async () => {
        for (const session of sessions) session.detach();
        await channel.close();
      },
    };
  }

  async exec(instanceId: string, command: string[], opts: { user?: string; workingDir?: string }): Promise<ExecResult> {
    const exec = await this.docker.getContainer(instanceId).exec({
      Cmd: command,
      AttachStdout: true,
      AttachStderr: true,
      ...(opts.user ? { User: opts.user } : {}),
      ...(opts.workingDir ? { WorkingDir: opts.workingDir } : {}),
    });
    const stream = await exec.start({ hijack: true, stdin: false });
    const decoder = new LogDecoder(true);
    const lines: string[] = [];
    for await (const chunk of stream as unknown as AsyncIterable<Buffer>) {
      for (const l of decoder.push(chunk)) lines.push(l.line);
    }
    for (const l of decoder.flush()) lines.push(l.line);
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, output: lines.join('\n') };
  }

  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable {
    let since = Math.floor(Date.now() / 1000);
    // A broken event stream (engine restarted, socket closed) reopens from the last event's time.
    const watch = keepWatching(async (signal) => {
      const stream = (await this.docker.getEvents({
        since,
        filters: JSON.stringify({ type: ['container'], label: ownedContainerFilters(project) }),
      })) as unknown as Readable;
      if (signal.aborted) return void stream.destroy();
      signal.addEventListener('abort', () => stream.destroy(), { once: true });
      let buffer = '';
      for await (const chunk of stream) {
        buffer += (chunk as Buffer).toString('utf8');
        let nl = buffer.indexOf('\n');
        while (nl >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          nl = buffer.indexOf('\n');
          if (!line) continue;
          const ev = JSON.parse(line) as {
            status?: string;
            Action?: string;
            id?: string;
            time?: number;
            Actor?: { Attributes?: Record<string, string> };
          };
          if (ev.time) since = ev.time;
          const action = ev.Action ?? ev.status ?? '';
          const verb = action.split(':')[0]!.trim();
          if (!watchedEvents.has(verb) && verb !== 'health_status') continue;
          const service = ev.Actor?.Attributes?.[LABEL.service];
          if (!service || !ev.id) continue;
          if (verb === 'start') this.probeEarly(ev.id, service, onChange);
          if (verb === 'die' || verb === 'stop' || verb === 'destroy') this.forgetEarly(ev.id);
          const exit = ev.Actor?.Attributes?.exitCode;
          onChange({
            instanceId: ev.id,
            service,
            reason: exit === undefined ? action : `${action} (exit ${exit})`,
          });
        }
      }
    });
    const dispose = () => watch.dispose();
    this.closers.add(dispose);
    return {
      dispose: () => {
        this.closers.delete(dispose);
        dispose();
      },
    };
  }

  async removeProjectResources(project: ProjectSpec, opts: { volumes: boolean }): Promise<void> {
    const networks = await this.docker.listNetworks({
      filters: JSON.stringify({ label: [`${LABEL.project}=${project.name}`] }),
    });
    for (const n of networks) {
      await this.docker
        .getNetwork(n.Id)
        .remove()
        .catch((err: unknown) => {
          if (statusOf(err) !== 404) throw err;
        });
    }
    if (!opts.volumes) return;
    const { Volumes } = await this.docker.listVolumes({
      filters: JSON.stringify({ label: [`${LABEL.project}=${project.name}`] }),
    });
    for (const v of Volumes ?? []) {
      await this.docker
        .getVolume(v.Name)
        .remove()
        .catch((err: unknown) => {
          if (statusOf(err) !== 404) throw err;
        });
    }
  }

  async close(): Promise<void> {
    for (const close of this.closers) close();
    this.closers.clear();
    for (const id of [...this.earlyProbes.keys()]) this.forgetEarly(id);
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
      const interval = (hc.Interval ?? 30_000 * ns) / ns;
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
      onChange({ instanceId: id, service, reason: 'healthcheck passed (early probe)' });
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

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}
