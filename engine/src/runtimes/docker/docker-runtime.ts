// The Docker runtime (dockerode). Builds images, creates the project network and volumes,
// and runs one labelled container per service. dockerode is imported only under this folder.

import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';
import { canonicalJson } from '../../engine/spec-hash.js';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { BuildSpec, ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type { Health, PublishedPort } from '../../model/status.js';
import type {
  Artifact,
  CreateContext,
  Disposable,
  ExecResult,
  ImageDefaults,
  InstanceState,
  LogLine,
  ObservedInstance,
  OneOffContext,
  Runtime,
  RuntimeChange,
  RuntimeInfo,
  SyncLink,
} from '../../runtime/runtime.js';
import { openDockerChannel } from '../../sync/docker-transport.js';
import type { SyncSession } from '../../sync/session.js';
import { packContext, scanContext } from './build-context.js';
import { containerCreateOptions, resolveVolume } from './container-config.js';
import { type DockerEndpoint, resolveDockerEndpoint } from './docker-endpoint.js';
import DockerodeClient from './dockerode-client.js';
import { probeEarly } from './early-health.js';
import { builtImageTag, LABEL, networkName, ownedContainerFilters } from './labels.js';
import { LogDecoder } from './log-stream.js';
import { runOneOffContainer } from './one-off.js';
import { stopGraceMs } from './stop-grace.js';

const watchedEvents = new Set(['start', 'die', 'restart', 'destroy', 'oom', 'pause', 'unpause', 'stop']);

function imageDefaults(config: { Entrypoint?: unknown; Cmd?: unknown; WorkingDir?: unknown } | undefined) {
  const list = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : undefined);
  const out: ImageDefaults = {};
  const entrypoint = list(config?.Entrypoint);
  const cmd = list(config?.Cmd);
  if (entrypoint) out.entrypoint = entrypoint;
  if (cmd) out.cmd = cmd;
  if (typeof config?.WorkingDir === 'string' && config.WorkingDir) out.workingDir = config.WorkingDir;
  return out;
}

export class DockerRuntime implements Runtime {
  readonly kind = 'docker' as const;
  readonly docker: Dockerode;
  readonly endpoint: DockerEndpoint;
  private buildSlots: number;
  private readonly buildWaiters: (() => void)[] = [];
  private readonly closers = new Set<() => void>();
  /** Containers whose healthcheck passed an early probe while Docker still says `starting`. */
  private readonly earlyHealthy = new Set<string>();
  private readonly earlyProbes = new Map<string, AbortController>();

  constructor(opts: { endpoint?: DockerEndpoint; buildConcurrency?: number } = {}) {
    this.endpoint = opts.endpoint ?? resolveDockerEndpoint();
    this.docker = new DockerodeClient(this.endpoint.options);
    this.buildSlots = opts.buildConcurrency ?? 2;
  }

  async connect(): Promise<RuntimeInfo> {
    try {
      const v = await withTimeout(this.docker.version(), 5000, 'the Docker engine did not answer within 5 s');
      return { kind: 'docker', detail: `Docker ${v.Version} (API ${v.ApiVersion})` };
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
    const out: Record<string, Promise<Artifact | undefined>> = {};
    const byBuild = new Map<string, Promise<Artifact>>();
    const byImage = new Map<string, Promise<Artifact | undefined>>();
    // Images built by any service of the project (not only those in this `up`) can be named by others.
    for (const svc of Object.values(project.services)) {
      if (!svc.build) continue;
      const tag = svc.image ?? builtImageTag(project.name, svc.name);
      const key = canonicalJson(svc.build);
      const force = opts.force.includes(svc.name);
      let built = byBuild.get(key);
      if (!built) {
        built = this.build(svc, svc.build, tag, project, sink, signal, force);
        byBuild.set(key, built);
      } else {
        built = built.then((a) => this.tagAs(a, tag));
      }
      const result = built;
      if (services.some((s) => s.name === svc.name)) out[svc.name] = result;
      if (svc.image) byImage.set(svc.image, result);
    }
    for (const svc of services) {
      if (svc.build) continue;
      if (!svc.image) {
        out[svc.name] = Promise.reject(
          new RuntimeFailure('docker.no-image', `service ${svc.name} has neither image nor build`, {
            service: svc.name,
          }),
        );
      } else {
        out[svc.name] = byImage.get(svc.image) ?? this.ensureImage(svc, sink);
      }
    }
    for (const p of Object.values(out)) p.catch(() => undefined);
    return out;
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
      const container = this.docker.getContainer(instanceId);
      // No grace period for a PID 1 that cannot hear the stop signal (stop-grace.ts).
      await container.stop({ t: Math.ceil((await stopGraceMs(container, timeoutMs)) / 1000) });
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

  runOneOff(service: ServiceSpec, argv: string[], ctx: OneOffContext): Promise<ExecResult> {
    return runOneOffContainer(this.docker, ctx.artifact?.ref ?? service.image ?? '', service, argv, ctx.timeoutMs);
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
    let stopped = false;
    let current: Readable | undefined;
    let since = Math.floor(Date.now() / 1000);
    const connect = async (): Promise<void> => {
      while (!stopped) {
        try {
          const stream = (await this.docker.getEvents({
            since,
            filters: JSON.stringify({ type: ['container'], label: ownedContainerFilters(project) }),
          })) as unknown as Readable;
          current = stream;
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
        } catch {
          // The event stream broke (engine restarted, socket closed): reconnect from the last event's time.
        }
        if (!stopped) await sleep(1000);
      }
    };
    void connect();
    const dispose = () => {
      stopped = true;
      current?.destroy();
    };
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

  // ---- images ----------------------------------------------------------------------------

  private async build(
    svc: ServiceSpec,
    build: BuildSpec,
    tag: string,
    project: ProjectSpec,
    sink: EventSink,
    signal: AbortSignal,
    force: boolean,
  ): Promise<Artifact> {
    const id = `build:${svc.name}`;
    const progress = (p: { current?: number; total?: number; message?: string; done?: boolean; failed?: boolean }) =>
      sink({ kind: 'progress', ts: now(), id, service: svc.name, title: `build ${svc.name}`, unit: 'steps', ...p });
    const context = await scanContext(build).catch((err: unknown) => {
      throw new RuntimeFailure(
        'docker.build-context',
        `cannot read build context ${build.context}: ${errMessage(err)}`,
        {
          service: svc.name,
          hint: 'check `build.context` in the Compose file',
        },
      );
    });
    if (!force) {
      const existing = await this.docker
        .getImage(tag)
        .inspect()
        .catch(() => undefined);
      if (existing && existing.Config?.Labels?.[LABEL.buildHash] === context.digest) {
        progress({ message: 'up to date', done: true });
        return { ref: tag, id: existing.Id, config: imageDefaults(existing.Config) };
      }
    }
    await this.acquireBuildSlot();
    try {
      progress({ current: 0, message: `sending context (${context.entries.length} entries)` });
      const stream = await this.docker.buildImage(packContext(context), {
        t: tag,
        dockerfile: build.dockerfile,
        buildargs: build.args,
        ...(build.target ? { target: build.target } : {}),
        labels: {
          [LABEL.imageProject]: project.name,
          [LABEL.imageService]: svc.name,
          [LABEL.buildHash]: context.digest,
        },
        rm: true,
        forcerm: true,
        abortSignal: signal,
      } as Dockerode.ImageBuildOptions);
      const tail: string[] = [];
      let imageId: string | undefined;
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (ev: { stream?: string; error?: string; aux?: { ID?: string } }) => {
            if (ev.aux?.ID) imageId = ev.aux.ID;
            if (ev.error) {
              reject(new Error(ev.error));
              return;
            }
            for (const raw of (ev.stream ?? '').split('\n')) {
              const line = raw.trimEnd();
              if (!line) continue;
              tail.push(line);
              if (tail.length > 40) tail.shift();
              sink({ kind: 'log', ts: now(), service: svc.name, stream: 'system', line: `build | ${line}` });
              const step = /^Step (\d+)\/(\d+) : (.*)$/.exec(line);
              if (step) progress({ current: Number(step[1]), total: Number(step[2]), message: step[3]! });
            }
          },
        );
      }).catch((err: unknown) => {
        progress({ message: errMessage(err), done: true, failed: true });
        throw new RuntimeFailure('docker.build-failed', `building ${svc.name} failed: ${errMessage(err)}`, {
          service: svc.name,
          hint: `the last build output:\n    ${tail.slice(-15).join('\n    ')}`,
        });
      });
      const image = await this.docker.getImage(tag).inspect();
      progress({ message: 'built', done: true });
      return { ref: tag, id: imageId ?? image.Id, config: imageDefaults(image.Config) };
    } finally {
      this.releaseBuildSlot();
    }
  }

  private async tagAs(artifact: Artifact, tag: string): Promise<Artifact> {
    if (artifact.ref === tag) return artifact;
    const [repo, version] = splitTag(tag);
    await this.docker.getImage(artifact.id).tag({ repo, tag: version });
    return { ...artifact, ref: tag };
  }

  private async ensureImage(svc: ServiceSpec, sink: EventSink): Promise<Artifact> {
    const ref = svc.image!;
    const existing = await this.docker
      .getImage(ref)
      .inspect()
      .catch(() => undefined);
    if (existing) return { ref, id: existing.Id, config: imageDefaults(existing.Config) };
    const id = `pull:${svc.name}`;
    sink({ kind: 'progress', ts: now(), id, service: svc.name, title: `pull ${ref}`, message: 'pulling' });
    try {
      const stream = await this.docker.pull(ref);
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve())),
      );
    } catch (err) {
      sink({ kind: 'progress', ts: now(), id, service: svc.name, title: `pull ${ref}`, done: true, failed: true });
      throw new RuntimeFailure('docker.pull-failed', `image ${ref} is not present locally and could not be pulled`, {
        service: svc.name,
        hint: `check the image name, your registry login and network; or build it (\`build:\`). Cause: ${errMessage(err)}`,
      });
    }
    sink({ kind: 'progress', ts: now(), id, service: svc.name, title: `pull ${ref}`, done: true });
    const image = await this.docker.getImage(ref).inspect();
    return { ref, id: image.Id, config: imageDefaults(image.Config) };
  }

  private async acquireBuildSlot(): Promise<void> {
    if (this.buildSlots > 0) {
      this.buildSlots--;
      return;
    }
    await new Promise<void>((resolve) => this.buildWaiters.push(resolve));
  }

  private releaseBuildSlot(): void {
    const next = this.buildWaiters.shift();
    if (next) next();
    else this.buildSlots++;
  }
}

function splitTag(ref: string): [string, string] {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}

function statusOf(err: unknown): number | undefined {
  return typeof err === 'object' && err !== null && 'statusCode' in err
    ? (err as { statusCode?: number }).statusCode
    : undefined;
}

function errMessage(err: unknown): string {
  if (typeof err === 'object' && err !== null) {
    const json = (err as { json?: { message?: string } }).json;
    if (json?.message) return json.message;
    if (err instanceof Error) return err.message.replace(/^\(HTTP code \d+\)[^-]*- /, '');
  }
  return String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(message)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
