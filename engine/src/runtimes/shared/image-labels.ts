// The keys on images devenv builds, and the tag of an image built for a service that names none.
// Shared by every runtime that builds with Docker (the Docker runtime, and the Kubernetes runtime,
// which pushes what Docker built). Images carry their own keys (`dev.devenv.image.*`), never a
// container's: see docker/labels.ts for why.

export const IMAGE_LABEL = {
  /** Digest of the build's inputs (context after .dockerignore, Dockerfile, args): equal, no rebuild. */
  buildHash: 'dev.devenv.build-hash',
  project: 'dev.devenv.image.project',
  service: 'dev.devenv.image.service',
} as const;

/** Tag for an image built for a service that names no `image:` (Compose's convention). */
export function builtImageTag(project: string, service: string): string {
  return `${project}-${service}:latest`;
}
