// Ownership labels on everything the Docker runtime creates. They are the truth about what
// devenv started (no state file can go stale): containers are found again by project and
// service, and reused only when their spec hash matches.

export const LABEL = {
  project: 'dev.devenv.project',
  service: 'dev.devenv.service',
  specHash: 'dev.devenv.spec-hash',
  buildHash: 'dev.devenv.build-hash',
  version: 'dev.devenv.version',
  volume: 'dev.devenv.volume',
  network: 'dev.devenv.network',
} as const;

export const DEVENV_VERSION = '0.1.0';

export function containerName(project: string, service: string): string {
  return `${project}-${service}-1`;
}

export function networkName(project: string, network = 'default'): string {
  return `${project}_${network}`;
}

export function volumeName(project: string, volume: string): string {
  return `${project}_${volume}`;
}

/** Tag for an image built for a service that names no `image:` (Compose's convention). */
export function builtImageTag(project: string, service: string): string {
  return `${project}-${service}:latest`;
}
