// Ownership labels on everything the Docker runtime creates. They are the truth about what
// devenv started (no state file can go stale): containers are found again by project and
// service, and reused only when their spec hash matches.
//
// Images carry their own keys (`dev.devenv.image.*`), never the container ones: a container
// inherits its image's labels, and one that somebody starts by hand from a devenv-built image
// (`docker run myproject-backend …`) must not be taken for the project's service container and
// replaced. Containers are matched on the project label *and* the spec hash, which only devenv
// sets on a container, so images built by an older devenv with the container keys are harmless too.

import { IMAGE_LABEL } from '../shared/image-labels.js';

export { builtImageTag } from '../shared/image-labels.js';

export const LABEL = {
  project: 'dev.devenv.project',
  service: 'dev.devenv.service',
  specHash: 'dev.devenv.spec-hash',
  buildHash: IMAGE_LABEL.buildHash,
  version: 'dev.devenv.version',
  volume: 'dev.devenv.volume',
  network: 'dev.devenv.network',
  imageProject: IMAGE_LABEL.project,
  imageService: IMAGE_LABEL.service,
  /** Which instance of a service with several (`scale`): `<n>/<count>`, from 1. */
  replica: 'dev.devenv.replica',
  /** The healthcheck's `start_interval` in ms, which engines before API 1.44 do not keep. */
  startInterval: 'dev.devenv.start-interval',
  /** The service's `post_start` / `pre_stop` hooks (JSON), so any daemon that starts or stops it runs them. */
  postStart: 'dev.devenv.post-start',
  preStop: 'dev.devenv.pre-stop',
  /** Networks: a digest of the settings they were created with. */
  configHash: 'dev.devenv.config-hash',
} as const;

/** Docker label filters that match the containers devenv created for `project`, and no other. */
export function ownedContainerFilters(project: string): string[] {
  return [`${LABEL.project}=${project}`, LABEL.specHash];
}

export const DEVENV_VERSION = '0.1.0';

export function containerName(project: string, service: string, replica = 1): string {
  return `${project}-${service}-${replica}`;
}

export function networkName(project: string, network = 'default'): string {
  return `${project}_${network}`;
}

export function volumeName(project: string, volume: string): string {
  return `${project}_${volume}`;
}
