// The Compose keys the key table honours on Kubernetes, each shown in the generated manifests,
// which must pass the Kubernetes schemas (validateObjects), as the dry-run does.

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { project, service } from '../../../../test/kubernetes/helpers/specs.js';
import { type ContainerSpec, emptyContainerSpec } from '../../model/spec.js';
import { analyseProject, baseObjects } from './compose-to-k8s.js';
import type { K8sObject } from './k8s-object.js';
import { validateObjects } from './validate-objects.js';

const container = (extra: Partial<ContainerSpec>): ContainerSpec => ({ ...emptyContainerSpec(), ...extra });

function objectsOf(p: ReturnType<typeof project>, name: string): K8sObject[] {
  const analysis = analyseProject(p);
  const plan = analysis.services.find((s) => s.service === name)!;
  return baseObjects(plan, { project: p, namespace: 'demo', analysis, toolsImage: 'tools:1' });
}

const find = (objects: K8sObject[], kind: string, name?: string) =>
  objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name)) as K8sObject & {
    spec: Record<string, unknown>;
  };

describe('Compose keys in the generated manifests', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'k8s-keys-'));
  writeFileSync(path.join(dir, 'db_password.txt'), 'from-a-file');
  const api = service('api', {
    replicas: 3,
    ports: [{ hostIp: '127.0.0.1', published: 8080, target: 8080, protocol: 'tcp', hostIpExplicit: false }],
    labels: { 'com.example.team': 'payments' },
    files: [
      {
        kind: 'secret',
        source: 'db_password',
        target: '/run/secrets/db_password',
        file: path.join(dir, 'db_password.txt'),
        mode: 0o400,
      },
      { kind: 'config', source: 'app_config', target: '/etc/app/config.yaml', content: 'debug: true\n' },
    ],
    resources: { cpus: 0.5, memoryLimit: 256 * 1024 * 1024, memoryReservation: 64 * 1024 * 1024, cpuReservation: 0.25 },
    pullPolicy: { kind: 'always' },
    hooks: { postStart: [{ command: ['touch', '/tmp/started'], privileged: false, environment: {} }], preStop: [] },
    networkAttachments: { default: { aliases: ['payments'], linkLocalIps: [], driverOpts: {} } },
    container: container({
      hostname: 'api-host',
      expose: [{ port: 9100, protocol: 'tcp' }],
      capAdd: ['CAP_NET_ADMIN'],
      capDrop: ['CAP_CHOWN'],
      readOnly: true,
      securityOpt: ['no-new-privileges=true', 'seccomp=unconfined', 'apparmor=unconfined', 'label=type:svirt_t'],
      sysctls: { 'net.ipv4.ip_unprivileged_port_start': '0' },
      groupAdd: ['1001'],
      dns: ['1.1.1.1'],
      dnsSearch: ['example.internal'],
      dnsOpt: ['ndots:2'],
      extraHosts: [{ host: 'legacy.local', address: '10.0.0.5' }],
      shmSize: 64 * 1024 * 1024,
      init: true,
      platform: 'linux/arm64',
      containerName: 'api-main',
      annotations: { 'com.example/owner': 'team-a' },
    }),
  });
  const web = service('web', {
    container: container({ links: [{ service: 'api', alias: 'backend' }] }),
  });
  const p = project([api, web]);
  const objects = objectsOf(p, 'api');

  it('passes the Kubernetes schemas', () => {
    expect(validateObjects([...objects, ...objectsOf(p, 'web')]).problems).toEqual([]);
    expect(analyseProject(p).problems).toEqual([]);
  });

  it('carries replicas, resources, hostname, DNS, hosts, security, init, platform, pull policy and hooks', () => {
    const deployment = find(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    const template = deployment.spec.template as {
      metadata: { annotations: Record<string, string> };
      spec: Record<string, unknown>;
    };
    const pod = template.spec;
    const c = (pod.containers as Record<string, unknown>[])[0]!;
    expect(c.resources).toEqual({
      limits: { cpu: '500m', memory: '268435456' },
      requests: { cpu: '250m', memory: '67108864' },
    });
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.securityContext).toEqual({
      capabilities: { add: ['NET_ADMIN'], drop: ['CHOWN'] },
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      seccompProfile: { type: 'Unconfined' },
      appArmorProfile: { type: 'Unconfined' },
      seLinuxOptions: { type: 'svirt_t' },
    });
    expect(c.lifecycle).toEqual({ postStart: { exec: { command: ['touch', '/tmp/started'] } } });
    expect(pod).toMatchObject({
      hostname: 'api-host',
      shareProcessNamespace: true,
      nodeSelector: { 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'arm64' },
      dnsConfig: { nameservers: ['1.1.1.1'], searches: ['example.internal'], options: [{ name: 'ndots', value: '2' }] },
      hostAliases: [{ ip: '10.0.0.5', hostnames: ['legacy.local'] }],
      securityContext: {
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
        supplementalGroups: [1001],
      },
    });
    expect(template.metadata.annotations).toEqual({ 'com.example.team': 'payments', 'com.example/owner': 'team-a' });
    expect(c.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'dshm', mountPath: '/dev/shm' },
        { name: 'secret-0', mountPath: '/run/secrets/db_password', subPath: 'content', readOnly: true },
        { name: 'config-1', mountPath: '/etc/app/config.yaml', subPath: 'content', readOnly: true },
      ]),
    );
  });

  it('makes a Secret of each secret and a ConfigMap of each config, with the content and mode', () => {
    expect(find(objects, 'Secret', 'api-secret-db-password')).toMatchObject({ stringData: { content: 'from-a-file' } });
    expect(find(objects, 'ConfigMap', 'api-config-app-config')).toMatchObject({ data: { content: 'debug: true\n' } });
    const volumes = find(objects, 'Deployment').spec.template as { spec: { volumes: Record<string, unknown>[] } };
    expect(volumes.spec.volumes).toEqual(
      expect.arrayContaining([
        {
          name: 'secret-0',
          secret: {
            secretName: 'api-secret-db-password',
            items: [{ key: 'content', path: 'content', mode: 0o400 }],
            defaultMode: 0o444,
          },
        },
      ]),
    );
  });

  it('reaches the service by its container_name, its aliases and the aliases links give it, with its exposed ports', () => {
    const services = objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
    expect(services).toEqual(['api', 'api-main', 'payments']);
    expect(find(objects, 'Service', 'api').spec.ports).toEqual([
      { name: 'tcp-8080', port: 8080, targetPort: 8080, protocol: 'TCP' },
      { name: 'tcp-9100', port: 9100, targetPort: 9100, protocol: 'TCP' },
    ]);
    const link = find(objectsOf(p, 'web'), 'Service', 'backend');
    expect(link.spec.selector).toEqual(find(objects, 'Service', 'api').spec.selector);
  });

  it('runs the service’s pre_stop hooks before the stop signal', () => {
    const q = project([
      service('db', {
        stopSignal: 'SIGINT',
        hooks: { postStart: [], preStop: [{ command: ['pg_ctl', 'stop'], privileged: false, environment: {} }] },
      }),
    ]);
    const template = find(objectsOf(q, 'db'), 'Deployment').spec.template as {
      spec: { containers: { lifecycle: unknown }[] };
    };
    const c = template.spec.containers[0]!;
    expect(c.lifecycle).toEqual({ preStop: { exec: { command: ['/bin/sh', '-c', "'pg_ctl' 'stop'; kill -INT 1"] } } });
  });
});
