import { describe, expect, it } from 'vitest';
import { project, service } from '../../../../test/kubernetes/helpers/specs.js';
import { DEBUG_PORT_LABEL, emptyContainerSpec } from '../../model/spec.js';
import { containerCreateOptions } from './container-config.js';
import { networkConfig } from './network-config.js';

describe('containerCreateOptions', () => {
  it('keeps the options of a service that sets none of the newer keys as they were (its spec hash too)', () => {
    const svc = service('web', {
      ports: [{ hostIp: '127.0.0.1', published: 8080, target: 80, protocol: 'tcp', hostIpExplicit: false }],
      volumes: [{ type: 'volume', source: 'data', target: '/data', readOnly: false }],
      environment: { B: '2', A: '1' },
    });
    const p = project([svc], { volumes: { data: { name: 'data', external: false, labels: {} } } });
    expect(containerCreateOptions(svc, p, 'web:1', 'hash')).toEqual({
      name: 'demo-web-1',
      Image: 'web:1',
      Env: ['A=1', 'B=2'],
      Labels: {
        'dev.devenv.project': 'demo',
        'dev.devenv.service': 'web',
        'dev.devenv.spec-hash': 'hash',
        'dev.devenv.version': '0.1.0',
      },
      Tty: false,
      OpenStdin: false,
      ExposedPorts: { '80/tcp': {} },
      HostConfig: {
        PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '8080' }] },
        Mounts: [{ Type: 'volume', Target: '/data', ReadOnly: false, Source: 'demo_data' }],
        RestartPolicy: { Name: 'unless-stopped' },
        NetworkMode: 'demo_default',
        Init: false,
      },
      NetworkingConfig: { EndpointsConfig: { demo_default: { Aliases: ['web'] } } },
    });
  });

  it('names each instance, labels its number, and publishes a debugger’s fixed port from the first only', () => {
    const svc = service('api', {
      replicas: 3,
      labels: { [DEBUG_PORT_LABEL]: '5678' },
      ports: [
        {
          hostIp: '127.0.0.1',
          published: 9000,
          publishedEnd: 9002,
          target: 80,
          protocol: 'tcp',
          hostIpExplicit: false,
        },
        { hostIp: '127.0.0.1', published: 15678, target: 5678, protocol: 'tcp', hostIpExplicit: false },
      ],
    });
    const p = project([svc]);
    const second = containerCreateOptions(svc, p, 'api:1', 'h', { replica: 2 });
    expect(second.name).toBe('demo-api-2');
    expect(second.Labels?.['dev.devenv.replica']).toBe('2/3');
    expect(second.HostConfig?.PortBindings).toEqual({ '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '9000-9002' }] });
    expect(Object.keys(second.ExposedPorts ?? {})).toEqual(['80/tcp', '5678/tcp']);
    const first = containerCreateOptions(svc, p, 'api:1', 'h', { replica: 1 });
    expect(Object.keys(first.HostConfig?.PortBindings ?? {})).toEqual(['80/tcp', '5678/tcp']);
  });

  it('binds the short syntax (created when missing), mounts file secrets read-only, and puts every tmpfs in HostConfig.Tmpfs', () => {
    const svc = service('app', {
      volumes: [
        { type: 'bind', source: '/src', target: '/app', readOnly: true, createHostPath: true, selinux: 'z' },
        {
          type: 'tmpfs',
          target: '/run',
          readOnly: false,
          tmpfsSize: 1024,
          tmpfsMode: 0o1777,
          tmpfsOptions: ['noexec'],
        },
      ],
      files: [
        { kind: 'secret', source: 's', target: '/run/secrets/s', file: '/p/s.txt' },
        { kind: 'secret', source: 't', target: '/run/secrets/t', content: 'x' },
      ],
    });
    const host = containerCreateOptions(svc, project([svc]), 'app', 'h').HostConfig as Record<string, unknown>;
    expect(host.Binds).toEqual(['/src:/app:ro,z']);
    expect(host.Tmpfs).toEqual({ '/run': 'size=1024,mode=1777,noexec' });
    expect(host.Mounts).toEqual([{ Type: 'bind', Source: '/p/s.txt', Target: '/run/secrets/s', ReadOnly: true }]);
  });

  it('joins the highest-priority network at create and the others after, each with its aliases and addresses', () => {
    const svc = service('app', {
      networks: ['back', 'front'],
      networkAttachments: {
        back: { aliases: ['db'], ipv4Address: '10.5.0.7', linkLocalIps: [], driverOpts: {} },
        front: { aliases: [], linkLocalIps: [], driverOpts: {}, priority: 10 },
      },
      container: { ...emptyContainerSpec(), links: [{ service: 'app', alias: 'self' }] },
    });
    const p = project([svc], {
      networks: { back: { name: 'back', external: false }, front: { name: 'front', external: true, realName: 'corp' } },
    });
    const n = networkConfig(svc, p, 1);
    expect(n.mode).toBe('corp');
    expect(Object.keys(n.endpoints)).toEqual(['corp']);
    expect(n.later).toEqual([
      {
        network: 'demo_back',
        endpoint: { Aliases: ['app', 'db'], IPAMConfig: { IPv4Address: '10.5.0.7' }, Links: ['demo-app-1:self'] },
      },
    ]);
    // A fixed address belongs to the first instance only.
    expect(networkConfig(svc, p, 2).later[0]?.endpoint.IPAMConfig).toBeUndefined();
  });
});
