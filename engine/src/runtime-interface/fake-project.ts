// Specs for tests on the FakeRuntime: a service with every required field filled in, and a
// project around a few of them, so a test states only what it is about.

import type { DependsOnCondition, HealthcheckSpec, ProjectSpec, ServiceSpec } from '../model/spec.js';

export interface FakeServiceOptions extends Partial<Omit<ServiceSpec, 'dependsOn'>> {
  /** Dependencies by name, each with its condition (default `service_started`). */
  dependsOn?: Record<string, DependsOnCondition | Partial<ServiceSpec['dependsOn'][string]>>;
}

export const fakeHealthcheck: HealthcheckSpec = {
  test: ['CMD', 'true'],
  intervalMs: 1_000,
  timeoutMs: 1_000,
  retries: 3,
  startPeriodMs: 0,
};

export function fakeService(name: string, opts: FakeServiceOptions = {}): ServiceSpec {
  const { dependsOn = {}, ...rest } = opts;
  return {
    name,
    image: `${name}:latest`,
    environment: {},
    ports: [],
    volumes: [],
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
    ...rest,
    dependsOn: Object.fromEntries(
      Object.entries(dependsOn).map(([dep, d]) => [
        dep,
        typeof d === 'string'
          ? { condition: d, required: true, restart: false }
          : { condition: 'service_started' as const, required: true, restart: false, ...d },
      ]),
    ),
  };
}

export function fakeProject(services: ServiceSpec[], opts: { name?: string; projectDir?: string } = {}): ProjectSpec {
  return {
    name: opts.name ?? 'demo',
    projectDir: opts.projectDir ?? '/nonexistent/demo',
    configFiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    volumes: {},
    networks: {},
    devenv: {},
  };
}
