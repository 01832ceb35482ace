// The network identity of a service's container: its host and domain name, exposed ports, MAC
// address, DNS settings, extra /etc/hosts entries and legacy links, each checked at its position
// (a name that is not a host name, an address that is not one, a port range that does not parse).

import type { SourceLocation } from '../model/spec.js';
import { isHostname, isIP, isMacAddress, parseExtraHost } from './addresses.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, isMap, isSeq, text } from './config-node.js';
import { type ContainerDraft, listItems } from './container-draft.js';
import type { NormaliseContext } from './normalise-context.js';

/** `hostname`, `domainname`, `expose`, `mac_address`. */
export function hostKeys(d: ContainerDraft): void {
  for (const key of ['hostname', 'domainname'] as const) {
    const n = d.get(key);
    const v = text(n);
    if (v === undefined || !n) continue;
    if (isHostname(v)) d.set(key, v);
    else
      d.error(
        ConfigCode.invalidHostname,
        `${d.what(key)} \`${v}\` is not a host name`,
        n.loc,
        'use letters, digits and `-` in dot-separated parts of at most 63 characters, e.g. `db-primary`',
      );
  }
  for (const item of d.items('expose')) {
    const raw = text(item) ?? '';
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(raw.trim());
    const from = m ? Number(m[1]) : 0;
    const to = m?.[2] ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || to < from) {
      d.error(
        ConfigCode.invalidPort,
        `${d.what('expose')} entry \`${raw}\` is not a port or port range`,
        item.loc,
        'write a container port like `3000`, `3000/udp` or a range `3000-3005` (1 to 65535)',
      );
      continue;
    }
    const protocol = (m[3]?.toLowerCase() ?? 'tcp') as 'tcp' | 'udp' | 'sctp';
    for (let p = from; p <= to; p++) d.spec.expose.push({ port: p, protocol });
    d.touched = true;
  }
  const mac = d.get('mac_address');
  const macText = text(mac);
  if (mac && macText !== undefined) {
    if (isMacAddress(macText)) d.set('macAddress', macText);
    else
      d.error(
        ConfigCode.invalidAddress,
        `${d.what('mac_address')} \`${macText}\` is not a MAC address`,
        mac.loc,
        'write six hex pairs, e.g. `02:42:ac:11:00:02`',
      );
  }
}

/** `dns`, `dns_search`, `dns_opt`, `extra_hosts`. */
export function dnsKeys(d: ContainerDraft): void {
  d.spec.dns = d.validEntries(
    'dns',
    isIP,
    ConfigCode.invalidAddress,
    'an IP address',
    'give the address of a DNS server, e.g. `1.1.1.1`',
  );
  d.spec.dnsSearch = d.validEntries(
    'dns_search',
    (domain) => domain === '.' || isHostname(domain),
    ConfigCode.invalidHostname,
    'a domain',
    'write a domain name, e.g. `example.internal`',
  );
  d.spec.dnsOpt = d.validEntries(
    'dns_opt',
    (o) => /^[a-z][a-z0-9-]*(:\d+)?$/i.test(o),
    ConfigCode.invalidValue,
    'a resolver option',
    'write an option of resolv.conf, e.g. `ndots:2`, `timeout:1`, `use-vc`',
  );
  const extraHosts = extraHostsValue(d.get('extra_hosts'), d.ctx, d.what('extra_hosts'));
  if (extraHosts.length > 0) d.set('extraHosts', extraHosts);
}

/** `links` (to services, which then start first) and `external_links` (to containers). */
export function linkKeys(d: ContainerDraft): void {
  const keys = [
    { key: 'links', names: 'SERVICE', example: '`db` or `db:database`' },
    { key: 'external_links', names: 'CONTAINER', example: '`shared-redis` or `shared-redis:redis`' },
  ] as const;
  for (const { key, names, example } of keys) {
    for (const item of d.items(key)) {
      const raw = text(item) ?? '';
      const link = nameAndAlias(raw);
      if (!link) {
        d.error(
          ConfigCode.invalidValue,
          `${d.what(key)} entry \`${raw}\` is not \`${names}\` or \`${names}:ALIAS\``,
          item.loc,
          `write ${example}`,
        );
        continue;
      }
      if (key === 'links') {
        d.spec.links.push({ service: link.name, alias: link.alias });
        d.refs.push({ service: link.name, key, loc: item.loc });
      } else d.spec.externalLinks.push({ container: link.name, alias: link.alias });
      d.touched = true;
    }
  }
}

/** `NAME` or `NAME:ALIAS`, the alias a host name (as `links` and `external_links` write them). */
function nameAndAlias(raw: string): { name: string; alias: string } | undefined {
  const [name = '', alias = name, ...rest] = raw.split(':');
  return name && rest.length === 0 && isHostname(alias) ? { name, alias } : undefined;
}

/** `extra_hosts` as a list (`host:ip`, `host=ip`) or a mapping (`host: ip` or a list of ips), checked (a service's, or its build's). */
export function extraHostsValue(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
): { host: string; address: string }[] {
  const out: { host: string; address: string }[] = [];
  const add = (entry: string, loc: SourceLocation) => {
    const parsed = parseExtraHost(entry);
    if (!parsed.ok) {
      ctx.diagnostics.error(
        ConfigCode.invalidAddress,
        `${what}: ${parsed.message}`,
        loc,
        'write `host:address`, e.g. `db.local:10.0.0.5` or `host.docker.internal:host-gateway`',
      );
      return;
    }
    out.push({ host: parsed.host, address: parsed.address });
  };
  if (isMap(node)) {
    for (const [host, entry] of node.entries) {
      for (const addr of isSeq(entry.value) ? entry.value.items : [entry.value])
        add(`${host}=${text(addr) ?? ''}`, addr.loc);
    }
  } else for (const item of listItems(node)) add(text(item) ?? '', item.loc);
  return out;
}
