// Images for the runtimes that run them from Docker's store or push them from there (docker,
// kubernetes): builds with the classic builder (two at a time, one build shared by services with
// the same build section, skipped when the inputs' digest matches the image's label), tags for the
// services that share a build, and an image-only service's image made present as its
// `pull_policy` asks (pulled with progress when missing or stale; a clear error naming the image
// when it cannot be pulled and is not present). Each service gets a promise, so it starts as soon
// as its own image is ready.

import type Dockerode from 'dockerode';
import { RuntimeFailure } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { BuildSpec, ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { canonicalJson } from '../../model/spec-hash.js';
import type { Artifact, ImageDefaults } from '../../runtime-interface/runtime.js';
import { INLINE_DOCKERFILE, packContext, scanContext } from './build-context.js';
import { dockerErrorMessage as errMessage } from './docker-engine.js';
import { builtImageTag, IMAGE_LABEL } from './image-labels.js';

/** What an image says about itself beyond its defaults: the ports its Dockerfile EXPOSEs. */
export interface ImageFacts {
  defaults: ImageDefaults;
  exposedPorts: { port: number; protocol: 'tcp' | 'udp' }[];
}

export function imageDefaults(config: { Entrypoint?: unknown; Cmd?: unknown; WorkingDir?: unknown } | undefined) {
  const list = (v: unknown) => (typeof v === 'string' ? [v] : Array.isArray(v) ? (v as string[]) : undefined);
  const out: ImageDefaults = {};
  const entrypoint = list(config?.Entrypoint);
  const cmd = list(config?.Cmd);
  if (entrypoint) out.entrypoint = entrypoint;
  if (cmd) out.cmd = cmd;
  if (typeof config?.WorkingDir === 'string' && config.WorkingDir) out.workingDir = config.WorkingDir;
  return out;
}

function splitTag(ref: string): [string, string] {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}

type ImageInfo = Dockerode.ImageInspectInfo & { Metadata?: { LastTagTime?: string }; Variant?: string };

export class ImageBuilder {
  private buildSlots: number;
  private readonly buildWaiters: (() => void)[] = [];

  constructor(
    private readonly docker: Dockerode,
    opts: { buildConcurrency?: number } = {},
  ) {
    this.buildSlots = opts.buildConcurrency ?? 2;
  }

  /** The Runtime interface's prepareArtifacts, for runtimes whose images live in Docker. */
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
      // `pull_policy: build` rebuilds on every `up`, as in Compose.
      const force = opts.force.includes(svc.name) || svc.pullPolicy?.kind === 'build';
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
        out[svc.name] = byImage.get(svc.image) ?? this.ensure(svc, sink);
      }
    }
    for (const p of Object.values(out)) p.catch(() => undefined);
    return out;
  }

  /** Defaults and exposed ports of an image in the store; undefined when it is not there. */
  async facts(ref: string): Promise<ImageFacts | undefined> {
    const info = await this.docker
      .getImage(ref)
      .inspect()
      .catch(() => undefined);
    if (!info) return undefined;
    const exposedPorts = Object.keys(info.Config?.ExposedPorts ?? {})
      .map((k) => /^(\d+)\/(tcp|udp)$/.exec(k))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ port: Number(m[1]), protocol: m[2] as 'tcp' | 'udp' }));
    return { defaults: imageDefaults(info.Config), exposedPorts };
  }

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
      if (existing && existing.Config?.Labels?.[IMAGE_LABEL.buildHash] === context.digest) {
        progress({ message: 'up to date', done: true });
        return { ref: tag, id: existing.Id, config: imageDefaults(existing.Config) };
      }
    }
    await this.acquireBuildSlot();
    try {
      progress({ current: 0, message: `sending context (${context.entries.length} entries)` });
      const options: Record<string, unknown> = {
        t: tag,
        dockerfile: build.dockerfileInline !== undefined ? INLINE_DOCKERFILE : build.dockerfile,
        buildargs: build.args,
        ...(build.target ? { target: build.target } : {}),
        labels: {
          ...build.labels,
          [IMAGE_LABEL.project]: project.name,
          [IMAGE_LABEL.service]: svc.name,
          [IMAGE_LABEL.buildHash]: context.digest,
        },
        rm: true,
        forcerm: true,
        abortSignal: signal,
      };
      if (build.cacheFrom?.length) options.cachefrom = JSON.stringify(build.cacheFrom);
      if (build.noCache) options.nocache = true;
      if (build.pull) options.pull = true;
      if (build.network) options.networkmode = build.network;
      if (build.shmSize !== undefined) options.shmsize = build.shmSize;
      if (build.extraHosts?.length) options.extrahosts = build.extraHosts.join(',');
      if (build.ulimits)
        options.ulimits = JSON.stringify(
          Object.entries(build.ulimits).map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard })),
        );
      if (svc.container?.platform) options.platform = svc.container.platform;
      const stream = await this.docker.buildImage(packContext(context, build), options as Dockerode.ImageBuildOptions);
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
      for (const extra of build.tags ?? []) {
        const [repo, version] = splitTag(extra);
        await this.docker.getImage(image.Id).tag({ repo, tag: version });
      }
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

  /** The image of a service without `build`, pulled when its pull policy says so. */
  private async ensure(svc: ServiceSpec, sink: EventSink): Promise<Artifact> {
    const ref = svc.image as string;
    const policy = svc.pullPolicy ?? { kind: 'missing' };
    const platform = svc.container?.platform;
    const existing = (await this.docker
      .getImage(ref)
      .inspect()
      .catch(() => undefined)) as ImageInfo | undefined;
    const fits = existing !== undefined && (!platform || platformOf(existing).startsWith(platform));
    const artifact = (info: ImageInfo): Artifact => ({ ref, id: info.Id, config: imageDefaults(info.Config) });
    if (policy.kind === 'never') {
      if (existing && fits) return artifact(existing);
      throw new RuntimeFailure(
        'docker.image-missing',
        existing
          ? `image ${ref} is ${platformOf(existing)}, not ${platform}, and \`pull_policy: never\` forbids pulling it`
          : `image ${ref} is not present locally, and \`pull_policy: never\` forbids pulling it`,
        {
          service: svc.name,
          hint: `load it (\`docker pull ${ref}\` or \`docker load\`), or allow pulling with \`pull_policy: missing\``,
        },
      );
    }
    const stale =
      policy.kind === 'always' ||
      (policy.kind === 'every' && existing !== undefined && age(existing) > policy.ms) ||
      (existing !== undefined && !fits);
    if (existing && fits && !stale) return artifact(existing);
    try {
      await this.pull(ref, platform, svc.name, sink);
    } catch (err) {
      if (existing && fits) {
        // A refresh that fails offline keeps the local copy: development goes on.
        sink({
          kind: 'diagnostic',
          ts: now(),
          severity: 'warning',
          code: 'docker.pull-failed',
          service: svc.name,
          message: `${svc.name}: could not pull a newer ${ref} (${errMessage(err)}); using the local copy`,
          hint: 'check your network and registry login',
        });
        return artifact(existing);
      }
      throw new RuntimeFailure(
        'docker.pull-failed',
        existing
          ? `image ${ref} is present only for ${platformOf(existing)}, and ${platform} could not be pulled: ${errMessage(err)}`
          : `image ${ref} is not present locally and could not be pulled: ${errMessage(err)}`,
        {
          service: svc.name,
          hint: `check the image name, your network and registry login (\`docker pull ${platform ? `--platform ${platform} ` : ''}${ref}\`), load it with \`docker load\`, or build it (\`build:\`)`,
        },
      );
    }
    return artifact((await this.docker.getImage(ref).inspect()) as ImageInfo);
  }

  /** `docker pull`, reporting bytes downloaded across layers as progress. */
  private async pull(ref: string, platform: string | undefined, service: string, sink: EventSink): Promise<void> {
    const id = `pull:${service}`;
    const title = `pull ${ref}`;
    sink({ kind: 'progress', ts: now(), id, service, title, message: 'pulling' });
    const layers = new Map<string, { current: number; total: number }>();
    try {
      const stream = await this.docker.pull(ref, platform ? { platform } : {});
      let last = 0;
      await new Promise<void>((resolve, reject) =>
        this.docker.modem.followProgress(
          stream,
          (err: Error | null) => (err ? reject(err) : resolve()),
          (ev: {
            id?: string;
            status?: string;
            error?: string;
            progressDetail?: { current?: number; total?: number };
          }) => {
            if (ev.error) {
              reject(new Error(ev.error));
              return;
            }
            const d = ev.progressDetail;
            if (ev.id && ev.status === 'Downloading' && d?.total)
              layers.set(ev.id, { current: d.current ?? 0, total: d.total });
            if (ev.id && (ev.status === 'Download complete' || ev.status === 'Already exists')) {
              const l = layers.get(ev.id);
              if (l) l.current = l.total;
            }
            const at = Date.now();
            if (at - last < 200) return;
            last = at;
            let current = 0;
            let total = 0;
            for (const l of layers.values()) {
              current += l.current;
              total += l.total;
            }
            sink({
              kind: 'progress',
              ts: now(),
              id,
              service,
              title,
              unit: 'bytes',
              current,
              total,
              message: ev.status ?? 'pulling',
            });
          },
        ),
      );
    } catch (err) {
      sink({ kind: 'progress', ts: now(), id, service, title, done: true, failed: true, message: errMessage(err) });
      throw err;
    }
    sink({ kind: 'progress', ts: now(), id, service, title, done: true, message: 'pulled' });
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

function platformOf(info: ImageInfo): string {
  return [info.Os, info.Architecture, info.Variant].filter(Boolean).join('/');
}

function age(info: ImageInfo): number {
  // Images that were never pulled or tagged here (loaded, imported) say year 1: their creation counts.
  const lastTag = info.Metadata?.LastTagTime;
  const tagged = lastTag && !lastTag.startsWith('0001') ? Date.parse(lastTag) : Date.parse(info.Created);
  return Number.isFinite(tagged) ? Date.now() - tagged : Number.POSITIVE_INFINITY;
}
