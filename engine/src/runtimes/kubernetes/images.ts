// Moves built images to where the cluster pulls from: `docker push` to the local registry (skipped
// when the registry already has the tag, so an image is pushed once and survives resets), `kind
// load` / `k3d image import` without a registry, or a push to the registry a shared cluster uses.

import type { CommandRunner } from './command-runner.js';
import type { ImageTarget } from './image-target.js';
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
