// Moves built images to where the cluster pulls from: `docker push` to the local registry (skipped
// when the registry already has the tag, so an image is pushed once and survives resets), `kind
// load` / `k3d image import` without a registry, or a push to the registry a shared cluster uses.

import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import type { Artifact } from '../../runtime-interface/runtime.js';
import type { ImageBuilder } from '../shared/image-builder.js';
import { noRegistry } from './cluster-bootstrap.js';
import type { CommandRunner } from './command-runner.js';
import type { ImageConfig } from './compose-to-k8s.js';
import { type ImageTarget, serviceImageRef, tagOf } from './image-target.js';
import { imageLoadCommand, imagePushSteps } from './procedure.js';

export interface PublishResult {
  ref: string;
  /** False when the registry already had it. */
  transferred: boolean;
}

/** Whether the local registry already holds `ref` (Docker Registry HTTP API v2, on 127.0.0.1). */
export async function registryHasTag(hostPort: number, ref: string, fetchFn: typeof fetch = fetch): Promise<boolean> {
  const slash = ref.indexOf('/');
  const colon = ref.lastIndexOf(':');
  const repository = ref.slice(slash + 1, colon);
  const tag = ref.slice(colon + 1);
  try {
    const res = await fetchFn(`http://127.0.0.1:${hostPort}/v2/${repository}/manifests/${tag}`, {
      method: 'HEAD',
      headers: {
        accept: [
          'application/vnd.docker.distribution.manifest.v2+json',
          'application/vnd.oci.image.manifest.v1+json',
          'application/vnd.docker.distribution.manifest.list.v2+json',
          'application/vnd.oci.image.index.v1+json',
        ].join(', '),
      },
      signal: AbortSignal.timeout(5000),
    });
    return res.status === 200;
  } catch {
    return false;
  }
}

export async function publishImage(
  runner: CommandRunner,
  target: ImageTarget,
  source: string,
  ref: string,
  opts: { fetchFn?: typeof fetch; signal?: AbortSignal } = {},
): Promise<PublishResult> {
  if (target.kind === 'registry' && (await registryHasTag(target.hostPort, ref, opts.fetchFn))) {
    return { ref, transferred: false };
  }
  if (target.kind === 'load') {
    await runner.run({ argv: ['docker', 'tag', source, ref] });
    await runner.run(imageLoadCommand(target.cluster, ref), {
      timeoutMs: 600_000,
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return { ref, transferred: true };
  }
  for (const cmd of imagePushSteps(source, ref)) {
    await runner.run(cmd, { timeoutMs: 600_000, ...(opts.signal ? { signal: opts.signal } : {}) });
  }
  return { ref, transferred: true };
}

export interface ArtifactPublishing {
  images: ImageBuilder;
  runner: CommandRunner;
  target: ImageTarget | undefined;
  context: string;
  fetchFn?: typeof fetch;
  /** Filled with what each built image runs and exposes (for the manifests). */
  imageConfigs: Record<string, ImageConfig>;
}

/**
 * The Runtime interface's prepareArtifacts on Kubernetes: each service's image built (or pulled)
 * by the shared builder, then published where the cluster pulls from under a tag of its id.
 */
export function prepareAndPublish(
  p: ArtifactPublishing,
  services: ServiceSpec[],
  project: ProjectSpec,
  sink: EventSink,
  signal: AbortSignal,
  opts: { force: string[] },
): Record<string, Promise<Artifact | undefined>> {
  const built = p.images.prepareArtifacts(services, project, sink, signal, opts);
  const out: Record<string, Promise<Artifact | undefined>> = {};
  for (const [service, promise] of Object.entries(built)) {
    out[service] = promise.then(async (artifact) => {
      if (!artifact) return undefined;
      if (!p.target) throw noRegistry(p.context, project.name);
      const facts = await p.images.facts(artifact.id);
      p.imageConfigs[service] = {
        ...(facts?.defaults.entrypoint ? { entrypoint: facts.defaults.entrypoint } : {}),
        ...(facts?.defaults.cmd ? { cmd: facts.defaults.cmd } : {}),
        exposedPorts: facts?.exposedPorts ?? [],
      };
      const ref = serviceImageRef(p.target, project.name, service, tagOf(artifact.id));
      const id = `push:${service}`;
      const title = `image ${service}`;
      sink({ kind: 'progress', ts: now(), id, service, title, message: `→ ${ref}` });
      const result = await publishImage(p.runner, p.target, artifact.ref, ref, {
        ...(p.fetchFn ? { fetchFn: p.fetchFn } : {}),
        signal,
      });
      const message = result.transferred ? 'pushed' : 'already in the registry';
      sink({ kind: 'progress', ts: now(), id, service, title, message, done: true });
      return { ref, id: artifact.id, ...(artifact.config ? { config: artifact.config } : {}) };
    });
    out[service].catch(() => undefined);
  }
  return out;
}
