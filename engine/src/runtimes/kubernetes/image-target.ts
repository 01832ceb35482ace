// Where images go so the cluster can run them: the local registry (pushed once, cached across
// resets), the nodes themselves (kind load / k3d image import), or a registry the user names for
// a shared cluster. Pure: names only; images.ts moves the bytes.

import type { ClusterSpec } from './cluster-config.js';
import { dnsLabel } from './names.js';

export type ImageTarget =
  | { kind: 'registry'; host: string; hostPort: number }
  | { kind: 'load'; cluster: ClusterSpec }
  | { kind: 'remote'; prefix: string };

export function imageTarget(cluster: ClusterSpec | undefined, imageRegistry?: string): ImageTarget | undefined {
  if (cluster?.registry) return { kind: 'registry', host: cluster.registry.host, hostPort: cluster.registry.hostPort };
  if (cluster) return { kind: 'load', cluster };
  if (imageRegistry) return { kind: 'remote', prefix: imageRegistry.replace(/\/+$/, '') };
  return undefined;
}

/** Tag from an image id (`sha256:abc…` → `abc…` 12 chars): same image, same tag, pushed once. */
export function tagOf(imageId: string): string {
  return imageId.replace(/^sha256:/, '').slice(0, 12);
}

export function serviceImageRef(
  target: ImageTarget | undefined,
  project: string,
  service: string,
  tag: string,
): string {
  const p = dnsLabel(project);
  const s = dnsLabel(service);
  if (!target || target.kind === 'load') return `devenv.local/${p}/${s}:${tag}`;
  if (target.kind === 'registry') return `${target.host}/${p}/${s}:${tag}`;
  return `${target.prefix}/${p}-${s}:${tag}`;
}

export function toolsImageRef(target: ImageTarget | undefined, tag: string): string {
  if (!target || target.kind === 'load') return `devenv.local/devenv/tools:${tag}`;
  if (target.kind === 'registry') return `${target.host}/devenv/tools:${tag}`;
  return `${target.prefix}/devenv-tools:${tag}`;
}
