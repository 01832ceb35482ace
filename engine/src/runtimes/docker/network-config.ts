// How a service's containers are wired: the network mode (the project's networks, the host's,
// none, another service's or container's stack), the networks it joins in priority order with
// its aliases, fixed addresses and links, and the names Docker knows things by.

import type { NamespaceRef, NetworkAttachmentSpec, ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { containerName, networkName, volumeName } from './labels.js';

/** The engine's name of a project network: its own `name:`, or `<project>_<network>`. */
export function resolveNetwork(project: ProjectSpec, name: string): string {
  const spec = project.networks[name];
  if (spec?.realName) return spec.realName;
  return spec?.external ? spec.name : networkName(project.name, name);
}

/** The engine's name of a project volume: its own `name:`, or `<project>_<volume>`. */
export function resolveVolume(project: ProjectSpec, name: string): string {
  const spec = project.volumes[name];
  if (!spec) return name; // an anonymous or host-scoped volume name used as written
  if (spec.realName) return spec.realName;
  return spec.external ? spec.name : volumeName(project.name, name);
}

/** Container name of one instance: `container_name`, or `<project>-<service>-<n>`. */
export function instanceName(project: ProjectSpec, svc: ServiceSpec, replica = 1): string {
  return svc.container?.containerName ?? containerName(project.name, svc.name, replica);
}

/** What `service:NAME` (or `container:NAME`) means to Docker: `container:<its first instance>`. */
export function namespaceMode(ref: NamespaceRef, project: ProjectSpec): string {
  switch (ref.kind) {
    case 'host':
      return 'host';
    case 'mode':
      return ref.mode;
    case 'container':
      return `container:${ref.container}`;
    case 'service': {
      const target = project.services[ref.service] ?? project.disabledServices?.[ref.service];
      return `container:${target ? instanceName(project, target) : containerName(project.name, ref.service)}`;
    }
  }
}

/** The service's networks, the one with the highest `priority` first (then as written), as Compose connects them. */
export function orderedNetworks(svc: ServiceSpec): string[] {
  const names = svc.networks.length > 0 ? svc.networks : ['default'];
  const priority = (n: string) => svc.networkAttachments?.[n]?.priority ?? 0;
  return [...names].sort((a, b) => priority(b) - priority(a));
}

export interface EndpointConfig {
  Aliases: string[];
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
  Links?: string[];
  DriverOpts?: Record<string, string>;
  MacAddress?: string;
  GwPriority?: number;
}

function endpoint(svc: ServiceSpec, project: ProjectSpec, network: string, replica: number): EndpointConfig {
  const a: NetworkAttachmentSpec | undefined = svc.networkAttachments?.[network];
  const out: EndpointConfig = { Aliases: [svc.name, ...(a?.aliases ?? [])] };
  // A fixed address belongs to one container: with several instances, the first has it.
  const ipam: NonNullable<EndpointConfig['IPAMConfig']> = {};
  if (a?.ipv4Address && replica === 1) ipam.IPv4Address = a.ipv4Address;
  if (a?.ipv6Address && replica === 1) ipam.IPv6Address = a.ipv6Address;
  if (a?.linkLocalIps.length) ipam.LinkLocalIPs = a.linkLocalIps;
  if (Object.keys(ipam).length > 0) out.IPAMConfig = ipam;
  const links = [
    ...(svc.container?.links ?? []).map((l) => {
      const target = project.services[l.service];
      return `${target ? instanceName(project, target) : containerName(project.name, l.service)}:${l.alias}`;
    }),
    ...(svc.container?.externalLinks ?? []).map((l) => `${l.container}:${l.alias}`),
  ];
  if (links.length > 0) out.Links = links;
  if (a && Object.keys(a.driverOpts).length > 0) out.DriverOpts = a.driverOpts;
  if (a?.macAddress && replica === 1) out.MacAddress = a.macAddress;
  if (a?.gwPriority !== undefined) out.GwPriority = a.gwPriority;
  return out;
}

export interface NetworkConfig {
  /** HostConfig.NetworkMode. */
  mode: string;
  /** The endpoint given at create (Docker before API 1.44 takes one); the others are connected before start. */
  endpoints: Record<string, EndpointConfig>;
  /** Networks to connect after create, in order. */
  later: { network: string; endpoint: EndpointConfig }[];
  /** False when the container uses another's network stack (or the host's): it has that one's name. */
  ownStack: boolean;
}

export function networkConfig(svc: ServiceSpec, project: ProjectSpec, replica: number): NetworkConfig {
  const mode = svc.container?.networkMode;
  if (mode && mode.kind !== 'bridge') {
    const docker = mode.kind === 'none' ? 'none' : namespaceMode(mode, project);
    return { mode: docker, endpoints: {}, later: [], ownStack: mode.kind === 'none' };
  }
  if (mode?.kind === 'bridge') return { mode: 'bridge', endpoints: {}, later: [], ownStack: true };
  const [primary = 'default', ...rest] = orderedNetworks(svc);
  return {
    mode: resolveNetwork(project, primary),
    endpoints: { [resolveNetwork(project, primary)]: endpoint(svc, project, primary, replica) },
    later: rest.map((n) => ({ network: resolveNetwork(project, n), endpoint: endpoint(svc, project, n, replica) })),
    ownStack: true,
  };
}
