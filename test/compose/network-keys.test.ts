// Networks and network modes on real Docker (test/fixtures/compose/network-keys): several networks
// per service in priority order with aliases and fixed addresses, an internal network with IPAM,
// an attachable one with its own name, labels and driver options, an external network, links and
// external links, and the network modes service:, container:, none and bridge.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/cli.js';
import { docker, dockerAvailable, imageExists } from '../helpers/docker.js';
import { stack } from './helpers.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'compose', 'network-keys');
const haveDocker = dockerAvailable() && imageExists('debian:bookworm-slim');
const extNet = `devenvtest-extnet-${process.pid}`;
const extContainer = `devenvtest-ext-${process.pid}`;
const frontName = `devenvtest-front-${process.pid}`;
const s = stack(fixture, 'network-keys', { EXT_NET: extNet, EXT_CONTAINER: extContainer, FRONT_NAME: frontName });

interface Endpoint {
  IPAddress: string;
  Aliases: string[] | null;
  Links: string[] | null;
  IPAMConfig: { IPv4Address?: string; LinkLocalIPs?: string[] } | null;
  DriverOpts: Record<string, string> | null;
}
interface Inspect {
  Id: string;
  HostConfig: { NetworkMode: string };
  NetworkSettings: { Networks: Record<string, Endpoint> };
}
const networkInspect = (name: string) =>
  JSON.parse(docker(['network', 'inspect', name]))[0] as {
    Internal: boolean;
    Attachable: boolean;
    Labels: Record<string, string>;
    Options: Record<string, string>;
    IPAM: { Driver: string; Config: Record<string, unknown>[] };
  };

describe.skipIf(!haveDocker)('network keys on Docker (needs Docker and debian:bookworm-slim)', () => {
  beforeAll(async () => {
    await s.down();
    docker(['network', 'create', extNet]);
    docker(['run', '-d', '--name', extContainer, '--network', extNet, 'debian:bookworm-slim', 'sleep', 'infinity']);
    const r = await s.up();
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
  });
  afterAll(async () => {
    await s.down();
    docker(['rm', '-f', extContainer]);
    docker(['network', 'rm', extNet]);
  });

  it('joins every network of the service, the highest priority first, with its aliases', () => {
    const api = s.inspect<Inspect>('api');
    expect(api.HostConfig.NetworkMode).toBe(frontName);
    const nets = api.NetworkSettings.Networks;
    expect(Object.keys(nets).sort()).toEqual([`${s.project}_back`, extNet, frontName].sort());
    expect(nets[frontName]?.Aliases).toEqual(expect.arrayContaining(['api', 'api.front']));
    expect(nets[`${s.project}_back`]?.Aliases).toEqual(expect.arrayContaining(['api', 'api.back', 'legacy-api']));
    expect(s.sh('web', 'getent hosts api.front')).toContain(nets[frontName]?.IPAddress);
  });

  it('fixed addresses, link-local addresses and endpoint driver options', () => {
    const back = `${s.project}_back`;
    expect(s.inspect<Inspect>('api').NetworkSettings.Networks[back]?.IPAddress).toBe('10.231.7.10');
    const db = s.inspect<Inspect>('db').NetworkSettings.Networks[back]!;
    expect(db.IPAddress).toBe('10.231.7.20');
    expect(db.IPAMConfig?.LinkLocalIPs).toEqual(['169.254.7.20']);
    expect(db.DriverOpts).toEqual({ 'com.example.opt': '1' });
    expect(s.sh('api', 'getent hosts db')).toMatch(/^10\.231\.7\.20\s+db$/);
  });

  it('an internal network with IPAM subnet, range, gateway and aux addresses; an attachable one with its own name, labels and driver options', () => {
    const back = networkInspect(`${s.project}_back`);
    expect(back.Internal).toBe(true);
    expect(back.IPAM.Config).toEqual([
      {
        Subnet: '10.231.7.0/24',
        IPRange: '10.231.7.128/25',
        Gateway: '10.231.7.1',
        AuxiliaryAddresses: { reserved: '10.231.7.2' },
      },
    ]);
    const front = networkInspect(frontName);
    expect(front.Attachable).toBe(true);
    expect(front.Labels['com.example.net']).toBe('front');
    expect(front.Options['com.docker.network.bridge.enable_icc']).toBe('true');
    // `web` is on `front` only: the internal network's services stay out of its reach.
    expect(s.sh('web', 'getent hosts db || echo unreachable')).toBe('unreachable');
  });

  it('an external network, external_links and links', () => {
    const ext = s.inspect<Inspect>('api').NetworkSettings.Networks[extNet]!;
    expect(ext.Links).toEqual([`${extContainer}:shared-cache`]);
    const extIp = JSON.parse(docker(['inspect', extContainer]))[0].NetworkSettings.Networks[extNet].IPAddress;
    expect(s.sh('api', 'getent hosts shared-cache')).toMatch(
      new RegExp(`^${extIp.replaceAll('.', '\\.')}\\s+shared-cache`),
    );
    const apiFront = s.inspect<Inspect>('api').NetworkSettings.Networks[frontName]!.IPAddress;
    expect(s.sh('web', 'getent hosts backend')).toMatch(new RegExp(`^${apiFront.replaceAll('.', '\\.')}\\s+backend`));
    // links start the linked service first, as Compose does.
    const started = (svc: string) => docker(['inspect', '--format', '{{.State.StartedAt}}', s.container(svc)]);
    expect(started('api') < started('web')).toBe(true);
  });

  it('network_mode service:, container:, none and bridge', () => {
    const api = s.inspect<Inspect>('api');
    expect(s.inspect<Inspect>('sidecar').HostConfig.NetworkMode).toBe(`container:${api.Id}`);
    expect(s.sh('sidecar', 'cat /etc/hostname')).toBe(api.Id.slice(0, 12));
    const ext = JSON.parse(docker(['inspect', extContainer]))[0] as { Id: string };
    expect(s.inspect<Inspect>('attached').HostConfig.NetworkMode).toBe(`container:${ext.Id}`);
    expect(s.sh('attached', 'cat /etc/hostname')).toBe(ext.Id.slice(0, 12));
    expect(s.sh('isolated', 'ls /sys/class/net')).toBe('lo');
    expect(s.inspect<Inspect>('bridged').HostConfig.NetworkMode).toBe('bridge');
  });

  it('expose lists the port on the container without publishing it', () => {
    const web = s.inspect<{ Config: { ExposedPorts: Record<string, object> }; HostConfig: { PortBindings: object } }>(
      'web',
    );
    expect(Object.keys(web.Config.ExposedPorts)).toEqual(['8080/tcp']);
    expect(web.HostConfig.PortBindings).toEqual({});
  });
});
