// The top-level `networks:` and `volumes:` (drivers, options, IPAM, external ones, their own
// names) and each service's attachments to its networks (aliases, fixed addresses, priority).
// Addresses are checked against the network's subnets, which Docker only allows when the
// subnet is configured.

import type { NetworkAttachmentSpec, NetworkSpec, SourceLocation, VolumeSpec } from '../model/spec.js';
import { inSubnet, isCidr, isHostname, isIP, isIPv4, isIPv6, isMacAddress } from './addresses.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isMap, isScalar, isSeq, text } from './config-node.js';
import { asMapping } from './merge.js';
import { stringMap } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';
import { boolValue, numberValue } from './value-checks.js';

function optionsMap(node: ConfigNode | undefined): Record<string, string> | undefined {
  if (!isMap(node)) return undefined;
  const out: Record<string, string> = {};
  for (const [key, entry] of node.entries) {
    if (isScalar(entry.value) && entry.value.value !== null) out[key] = String(entry.value.value);
  }
  return out;
}

function external(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
): { external: boolean; name?: string } {
  const ext = child(node, 'external');
  if (isMap(ext)) {
    const name = text(child(ext, 'name'));
    return name === undefined ? { external: true } : { external: true, name };
  }
  return { external: boolValue(ext, ctx, `\`external\` of ${what}`) ?? false };
}

export function declaredVolumes(node: ConfigNode | undefined, ctx: NormaliseContext): Record<string, VolumeSpec> {
  const out: Record<string, VolumeSpec> = {};
  for (const [name, entry] of isMap(node) ? node.entries : []) {
    const what = `volume \`${name}\``;
    const ext = external(entry.value, ctx, what);
    const spec: VolumeSpec = {
      name,
      external: ext.external,
      labels: stringMap(child(entry.value, 'labels'), ctx, false),
    };
    const driver = text(child(entry.value, 'driver'));
    if (driver !== undefined) spec.driver = driver;
    const realName = text(child(entry.value, 'name')) ?? ext.name;
    if (realName !== undefined) spec.realName = realName;
    const driverOpts = optionsMap(child(entry.value, 'driver_opts'));
    if (driverOpts) spec.driverOpts = driverOpts;
    out[name] = spec;
  }
  return out;
}

export function declaredNetworks(node: ConfigNode | undefined, ctx: NormaliseContext): Record<string, NetworkSpec> {
  const out: Record<string, NetworkSpec> = {};
  for (const [name, entry] of isMap(node) ? node.entries : []) {
    const n = entry.value;
    const what = `network \`${name}\``;
    const ext = external(n, ctx, what);
    const spec: NetworkSpec = { name, external: ext.external };
    const driver = text(child(n, 'driver'));
    if (driver !== undefined) spec.driver = driver;
    const realName = text(child(n, 'name')) ?? ext.name;
    if (realName !== undefined) spec.realName = realName;
    const driverOpts = optionsMap(child(n, 'driver_opts'));
    if (driverOpts) spec.driverOpts = driverOpts;
    const labels = stringMap(child(n, 'labels'), ctx, false);
    if (Object.keys(labels).length > 0) spec.labels = labels;
    for (const [key, field] of [
      ['internal', 'internal'],
      ['attachable', 'attachable'],
      ['enable_ipv6', 'enableIpv6'],
      ['enable_ipv4', 'enableIpv4'],
    ] as const) {
      const value = boolValue(child(n, key), ctx, `\`${key}\` of ${what}`);
      if (value !== undefined) spec[field] = value;
    }
    const ipam = child(n, 'ipam');
    if (isMap(ipam)) {
      const config: NonNullable<NetworkSpec['ipam']>['config'] = [];
      const configNode = child(ipam, 'config');
      for (const item of isSeq(configNode) ? configNode.items : []) {
        const pool: (typeof config)[number] = {};
        const subnet = addressField(item, 'subnet', isCidr, 'a subnet like `10.5.0.0/16`', what, ctx);
        const ipRange = addressField(item, 'ip_range', isCidr, 'a range like `10.5.1.0/24`', what, ctx);
        const gateway = addressField(item, 'gateway', isIP, 'an address like `10.5.0.1`', what, ctx);
        if (subnet) pool.subnet = subnet;
        if (ipRange) pool.ipRange = ipRange;
        if (gateway) pool.gateway = gateway;
        for (const [field, value, node] of [
          ['ip_range', ipRange, child(item, 'ip_range')],
          ['gateway', gateway, child(item, 'gateway')],
        ] as const) {
          if (subnet && value && node && inSubnet(value.split('/')[0] as string, subnet) === false) {
            ctx.diagnostics.error(
              ConfigCode.invalidAddress,
              `\`${field}\` ${value} of ${what} is outside its subnet ${subnet}`,
              node.loc,
              `pick ${field === 'gateway' ? 'an address' : 'a range'} inside ${subnet}`,
            );
          }
        }
        const aux = child(item, 'aux_addresses');
        const auxMap: Record<string, string> = {};
        for (const [host, auxEntry] of isMap(aux) ? aux.entries : []) {
          const addr = text(auxEntry.value) ?? '';
          if (isIP(addr)) auxMap[host] = addr;
          else
            ctx.diagnostics.error(
              ConfigCode.invalidAddress,
              `\`aux_addresses.${host}\` of ${what} is not an IP address: \`${addr}\``,
              auxEntry.value.loc,
              'write an address inside the subnet, e.g. `10.5.0.3`',
            );
        }
        if (Object.keys(auxMap).length > 0) pool.auxAddresses = auxMap;
        config.push(pool);
      }
      spec.ipam = { config };
      const ipamDriver = text(child(ipam, 'driver'));
      if (ipamDriver !== undefined) spec.ipam.driver = ipamDriver;
      const options = optionsMap(child(ipam, 'options'));
      if (options) spec.ipam.options = options;
    }
    out[name] = spec;
  }
  return out;
}

function addressField(
  item: ConfigNode,
  key: string,
  valid: (s: string) => boolean,
  example: string,
  what: string,
  ctx: NormaliseContext,
): string | undefined {
  const node = child(item, key);
  const value = text(node);
  if (value === undefined || !node) return undefined;
  if (valid(value)) return value;
  ctx.diagnostics.error(
    ConfigCode.invalidAddress,
    `\`ipam.config.${key}\` of ${what} is not ${example.split(' like ')[0]}: \`${value}\``,
    node.loc,
    `write ${example}`,
  );
  return undefined;
}

export interface ServiceNetworks {
  names: string[];
  attachments?: Record<string, NetworkAttachmentSpec>;
  /** Where each fixed address was written, for the check against the network's subnets. */
  addressAt: Map<string, SourceLocation>;
}

/** A service's `networks:` (list or mapping) with each attachment's settings checked. */
export function serviceNetworks(node: ConfigNode | undefined, ctx: NormaliseContext, service: string): ServiceNetworks {
  const mapping = node === undefined ? undefined : asMapping(node, 'networks');
  const out: ServiceNetworks = { names: [], addressAt: new Map() };
  if (!mapping) return out;
  const attachments: Record<string, NetworkAttachmentSpec> = {};
  for (const [name, entry] of mapping.entries) {
    out.names.push(name);
    const n = entry.value;
    if (!isMap(n)) continue;
    const what = (key: string) => `\`networks.${name}.${key}\` of service \`${service}\``;
    const a: NetworkAttachmentSpec = {
      aliases: [],
      linkLocalIps: [],
      driverOpts: optionsMap(child(n, 'driver_opts')) ?? {},
    };
    const aliases = child(n, 'aliases');
    for (const item of isSeq(aliases) ? aliases.items : []) {
      const alias = text(item) ?? '';
      if (isHostname(alias)) a.aliases.push(alias);
      else
        ctx.diagnostics.error(
          ConfigCode.invalidHostname,
          `${what('aliases')} entry \`${alias}\` is not a host name`,
          item.loc,
          'use letters, digits and `-` (other services reach it by this name)',
        );
    }
    for (const [key, field, valid, example] of [
      ['ipv4_address', 'ipv4Address', isIPv4, '`10.5.0.10`'],
      ['ipv6_address', 'ipv6Address', isIPv6, '`fd00::10`'],
      ['mac_address', 'macAddress', isMacAddress, '`02:42:ac:11:00:02`'],
    ] as const) {
      const vNode = child(n, key);
      const value = text(vNode);
      if (value === undefined || !vNode) continue;
      if (!valid(value)) {
        ctx.diagnostics.error(
          ConfigCode.invalidAddress,
          `${what(key)} \`${value}\` is not valid`,
          vNode.loc,
          `write e.g. ${example}`,
        );
        continue;
      }
      a[field] = value;
      if (key !== 'mac_address') out.addressAt.set(`${name}|${key}`, vNode.loc);
    }
    const linkLocal = child(n, 'link_local_ips');
    for (const item of isSeq(linkLocal) ? linkLocal.items : []) {
      const ip = text(item) ?? '';
      if (isIP(ip)) a.linkLocalIps.push(ip);
      else
        ctx.diagnostics.error(
          ConfigCode.invalidAddress,
          `${what('link_local_ips')} entry \`${ip}\` is not an IP address`,
          item.loc,
          'write e.g. `169.254.8.8`',
        );
    }
    const priority = numberValue(child(n, 'priority'), ctx, what('priority'));
    if (priority !== undefined) a.priority = priority;
    const gwPriority = numberValue(child(n, 'gw_priority'), ctx, what('gw_priority'));
    if (gwPriority !== undefined) a.gwPriority = gwPriority;
    const iface = text(child(n, 'interface_name'));
    if (iface !== undefined) a.interfaceName = iface;
    attachments[name] = a;
  }
  if (Object.keys(attachments).length > 0) out.attachments = attachments;
  return out;
}

/**
 * A fixed address needs a network whose subnet is configured (Docker refuses it otherwise) and
 * must fall inside it; IPv6 needs `enable_ipv6`.
 */
export function checkFixedAddresses(
  service: string,
  attachments: Record<string, NetworkAttachmentSpec> | undefined,
  addressAt: ReadonlyMap<string, SourceLocation>,
  networks: Readonly<Record<string, NetworkSpec>>,
  ctx: Pick<NormaliseContext, 'diagnostics'>,
): void {
  for (const [name, a] of Object.entries(attachments ?? {})) {
    const net = networks[name];
    if (!net || net.external) continue;
    for (const [key, address] of [
      ['ipv4_address', a.ipv4Address],
      ['ipv6_address', a.ipv6Address],
    ] as const) {
      if (address === undefined) continue;
      const loc = addressAt.get(`${name}|${key}`);
      const subnets = (net.ipam?.config ?? []).map((c) => c.subnet).filter((s): s is string => s !== undefined);
      const family = subnets.filter((s) =>
        key === 'ipv4_address' ? isIPv4(s.split('/')[0] as string) : isIPv6(s.split('/')[0] as string),
      );
      if (key === 'ipv6_address' && !net.enableIpv6) {
        ctx.diagnostics.error(
          ConfigCode.invalidAddress,
          `service \`${service}\` has a fixed IPv6 address on network \`${name}\`, which does not enable IPv6`,
          loc,
          `add \`enable_ipv6: true\` (and an IPv6 subnet under \`ipam.config\`) to network \`${name}\``,
        );
        continue;
      }
      if (family.length === 0) {
        ctx.diagnostics.error(
          ConfigCode.invalidAddress,
          `service \`${service}\` has a fixed address on network \`${name}\`, whose subnet is not configured`,
          loc,
          `give network \`${name}\` a subnet:\n    networks:\n      ${name}:\n        ipam:\n          config:\n            - subnet: ${key === 'ipv4_address' ? '10.5.0.0/16' : 'fd00:5::/64'}`,
        );
        continue;
      }
      if (!family.some((s) => inSubnet(address, s))) {
        ctx.diagnostics.error(
          ConfigCode.invalidAddress,
          `the address ${address} of service \`${service}\` is outside the subnet${family.length > 1 ? 's' : ''} of network \`${name}\` (${family.join(', ')})`,
          loc,
          `pick an address inside ${family[0]}`,
        );
      }
    }
  }
}
