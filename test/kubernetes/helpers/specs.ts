// Minimal specs for the Kubernetes runtime's unit tests (engine/src/runtimes/kubernetes/*.test.ts).

import type { ProjectSpec, ServiceSpec } from '../../../engine/src/model/spec.js';

export function service(name: string, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'unless-stopped' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
    image: `${name}:1`,
    ...extra,
  };
}

export function project(services: ServiceSpec[], extra: Partial<ProjectSpec> = {}): ProjectSpec {
  return {
    name: 'demo',
    projectDir: '/nonexistent/demo',
    configFiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    volumes: {},
    networks: {},
    devenv: {},
    ...extra,
  };
}
