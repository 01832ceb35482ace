// Images for the runtimes that run them from Docker's store or push them from there (docker,
// kubernetes): builds with the classic builder (two at a time, one build shared by services with
// the same build section, skipped when the inputs' digest matches the image's label), and pulls
// of images that are only named. Each service gets a promise, so it starts as soon as its own
// image is ready.

import type Dockerode from 'dockerode';
import { canonicalJson } from '../../engine/spec-hash.js';
import { RuntimeFailure } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { BuildSpec, ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type { Artifact, ImageDefaults } from '../../runtime/runtime.js';
import { packContext, scanContext } from './build-context.js';
import { dockerErrorMessage } from './docker-engine.js';
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
        `cannot read build context ${build.context}: ${dockerErrorMessage(err)}`,
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
      const stream = await this.docker.buildImage(packContext(context), {
        t: tag,
        dockerfile: build.dockerfile,
        buildargs: build.args,
        ...(build.target ? { target: build.target } : {}),
        labels: {
          [IMAGE_LABEL.project]: project.name,
          [IMAGE_LABEL.service]: svc.name,
          [IMAGE_LABEL.buildHash]: context.digest,
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
        progress({ message: dockerErrorMessage(err), done: true, failed: true });
        throw new RuntimeFailure('docker.build-failed', `building ${svc.name} failed: ${dockerErrorMessage(err)}`, {
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
        hint: `check the image name, your registry login and network; or build it (\`build:\`). Cause: ${dockerErrorMessage(err)}`,
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
