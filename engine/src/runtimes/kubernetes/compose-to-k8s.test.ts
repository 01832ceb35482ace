import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, service } from '../../../../test/kubernetes/helpers/specs.js';
import {
  analyseProject,
  baseObjects,
  dependencyDepths,
  dockerfileExposedPorts,
  imageName,
  looksSecret,
  readinessProbe,
  splitEnvironment,
} from './compose-to-k8s.js';
import { validateObjects } from './validate-objects.js';

const dep = (condition: 'service_started' | 'service_healthy' | 'service_completed_successfully') => ({
  condition,
  required: true,
  restart: false,
});

describe('environment', () => {
  it('puts what looks like a secret in the Secret', () => {
    expect(looksSecret('POSTGRES_PASSWORD', 'x')).toBe(true);
    expect(looksSecret('GITHUB_TOKEN', 'x')).toBe(true);
    expect(looksSecret('STRIPE_API_KEY', 'x')).toBe(true);
    expect(looksSecret('DATABASE_URL', 'postgresql://app:pw@db:5432/app')).toBe(true);
    expect(looksSecret('DATABASE_URL', 'postgresql://app@db:5432/app')).toBe(false);
    expect(looksSecret('REDIS_URL', 'redis://redis:6379/0')).toBe(false);
    expect(looksSecret('PASSPORT_COUNTRY', 'FR')).toBe(false);
    expect(splitEnvironment({ B: '1', A_SECRET: 's', A: '2' })).toEqual({
      config: { A: '2', B: '1' },
      secret: { A_SECRET: 's' },
    });
  });
});

describe('depends_on → sync waves', () => {
  it('is the topological depth', () => {
    const p = project([
      service('db'),
      service('cache'),
      service('migrate', { dependsOn: { db: dep('service_healthy') } }),
      service('api', { dependsOn: { db: dep('service_healthy'), migrate: dep('service_completed_successfully') } }),
      service('web', { dependsOn: { api: dep('service_started'), cache: dep('service_started') } }),
    ]);
    expect(dependencyDepths(p)).toEqual({ db: 0, cache: 0, migrate: 1, api: 2, web: 3 });
  });
});

describe('analyseProject', () => {
  it('makes a one-shot that others wait for a PreSync hook Job, and only that', () => {
    const p = project([
      service('db'),
      service('migrate', { restart: { name: 'no' }, dependsOn: { db: dep('service_healthy') } }),
      service('seed', { restart: { name: 'no' } }),
      service('api', { dependsOn: { migrate: dep('service_completed_successfully') } }),
    ]);
    const plans = Object.fromEntries(analyseProject(p).services.map((s) => [s.service, s]));
    expect(plans.migrate).toMatchObject({ workload: 'Job', hook: 'PreSync', wave: 1 });
    expect(plans.seed).toMatchObject({ workload: 'Deployment' });
    expect(plans.api).toMatchObject({ workload: 'Deployment', wave: 2, appName: 'demo-api' });
  });

  it('says what does not carry over to a cluster', () => {
    const p = project([
      service('Web_1', {
        user: 'www-data',
        volumes: [{ type: 'bind', source: '/src', target: '/app', readOnly: false }],
      }),
    ]);
    expect(analyseProject(p).problems.map((x) => x.code)).toEqual([
      'kubernetes.renamed-service',
      'kubernetes.bind-mount',
      'kubernetes.user-name',
    ]);
  });

  it('lists Service ports from ports: and the Dockerfile EXPOSE lines, and plans a smoke test from an HTTP healthcheck', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'k8s-df-'));
    writeFileSync(
      path.join(dir, 'Dockerfile'),
      ['FROM x', 'EXPOSE 8000/tcp \\', '  9000', 'EXPOSE 53/udp $PORT', ''].join('\n'),
    );
    const p = project([
      service('api', {
        build: { context: dir, dockerfile: 'Dockerfile', args: {} },
        ports: [{ hostIp: '127.0.0.1', published: 8080, target: 8080, protocol: 'tcp', hostIpExplicit: false }],
        healthcheck: {
          test: ['CMD', 'curl', '-f', 'http://localhost:8000/health'],
          intervalMs: 1000,
          timeoutMs: 1000,
          retries: 3,
          startPeriodMs: 0,
        },
      }),
    ]);
    const plan = analyseProject(p).services[0]!;
    expect(dockerfileExposedPorts(p.services.api!)).toEqual([
      { port: 8000, protocol: 'tcp' },
      { port: 9000, protocol: 'tcp' },
      { port: 53, protocol: 'udp' },
    ]);
    expect(plan.containerPorts.map((c) => `${c.port}/${c.protocol}`)).toEqual([
      '53/udp',
      '8000/tcp',
      '8080/tcp',
      '9000/tcp',
    ]);
    expect(plan.smoke).toEqual({ url: 'http://api:8000/health', hostHeader: 'localhost:8000' });
  });
});

describe('baseObjects', () => {
  it('generates valid objects: env split, PVC for named volumes, emptyDir otherwise, stop signal as preStop', () => {
    const p = project(
      [
        service('db', {
          environment: { POSTGRES_PASSWORD: 'pw', POSTGRES_DB: 'app' },
          volumes: [
            { type: 'volume', source: 'data', target: '/var/lib/data', readOnly: false },
            { type: 'tmpfs', target: '/run', readOnly: false },
            { type: 'volume', target: '/scratch', readOnly: false },
          ],
          stopSignal: 'SIGINT',
          stopGracePeriodMs: 20_000,
          user: '999:999',
        }),
      ],
      { volumes: { data: { name: 'data', external: false, labels: {} } } },
    );
    const analysis = analyseProject(p);
    const objects = baseObjects(analysis.services[0]!, {
      project: p,
      namespace: 'demo',
      analysis,
      toolsImage: 'tools:1',
    });
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'ConfigMap/db-env',
      'Secret/db-env',
      'PersistentVolumeClaim/data',
      'Deployment/db',
    ]);
    expect(validateObjects(objects).problems).toEqual([]);
    const pod = (objects[3]!.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    expect(pod.terminationGracePeriodSeconds).toBe(20);
    expect(pod.enableServiceLinks).toBe(false);
    expect(pod.volumes).toEqual([
      { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
      { name: 'scratch-1', emptyDir: { medium: 'Memory' } },
      { name: 'scratch-2', emptyDir: {} },
    ]);
    const c = (pod.containers as Record<string, unknown>[])[0]!;
    expect(c.lifecycle).toEqual({ preStop: { exec: { command: ['/bin/sh', '-c', 'kill -INT 1'] } } });
    expect(c.securityContext).toEqual({ runAsUser: 999, runAsGroup: 999 });
    expect((objects[3]!.spec as { strategy: unknown }).strategy).toEqual({ type: 'Recreate' });
  });

  it('maps healthcheck forms to exec probes', () => {
    const h = { intervalMs: 2500, timeoutMs: 500, retries: 0, startPeriodMs: 0 };
    expect(readinessProbe(service('a', { healthcheck: { ...h, test: ['CMD-SHELL', 'pg_isready'] } }))).toEqual({
      exec: { command: ['/bin/sh', '-c', 'pg_isready'] },
      periodSeconds: 3,
      timeoutSeconds: 1,
      failureThreshold: 1,
      successThreshold: 1,
    });
    expect(readinessProbe(service('a', { healthcheck: { ...h, test: ['CMD', 'true'] } }))?.exec).toEqual({
      command: ['true'],
    });
    expect(readinessProbe(service('a', { healthcheck: { ...h, test: ['NONE'] } }))).toBeUndefined();
  });

  it('names images the way kustomize matches them', () => {
    expect(imageName('localhost:5001/a/b:tag')).toBe('localhost:5001/a/b');
    expect(imageName('redis@sha256:abc')).toBe('redis');
    expect(imageName('demo-api')).toBe('demo-api');
  });
});
