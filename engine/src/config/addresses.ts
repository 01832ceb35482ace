// Network values in Compose files: IP addresses, subnets, MAC addresses, host names and the
// `extra_hosts` entries (`host:ip`, `host=ip`, `host:[::1]`, `host:host-gateway`). Pure checks;
// the callers report a bad value at its position.

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

export function isIPv6(text: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(text) || !text.includes(':')) return false;
  let rest = text;
  let groups = 8;
  const lastColon = rest.lastIndexOf(':');
  const tail = rest.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    rest = `${rest.slice(0, lastColon + 1)}0:0`;
  }
  const halves = rest.split('::');
  if (halves.length > 2) return false;
  const count = (s: string) => (s === '' ? [] : s.split(':'));
  const head = count(halves[0] as string);
  const back = halves.length === 2 ? count(halves[1] as string) : [];
  if ([...head, ...back].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  if (halves.length === 2) return head.length + back.length < groups;
  groups = head.length;
  return groups === 8;
}

export function isIP(text: string): boolean {
  return isIPv4(text) || isIPv6(text);
}

/** `10.5.0.0/16`, `fd00::/64`. */
export function isCidr(text: string): boolean {
  const slash = text.lastIndexOf('/');
  if (slash < 0) return false;
  const ip = text.slice(0, slash);
  const bits = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bits)) return false;
  if (isIPv4(ip)) return Number(bits) <= 32;
  return isIPv6(ip) && Number(bits) <= 128;
}

export function isMacAddress(text: string): boolean {
  return /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(text);
}

/** A host name as Linux takes one: dot-separated labels of letters, digits and `-`, at most 253 characters. */
export function isHostname(text: string): boolean {
  if (text.length === 0 || text.length > 253) return false;
  return text.split('.').every((label) => /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(label));
}

/** Does an IPv4 or IPv6 address fall inside a subnet? Undefined when either does not parse. */
export function inSubnet(address: string, subnet: string): boolean | undefined {
  if (!isCidr(subnet)) return undefined;
  const [net, bitsText] = subnet.split('/') as [string, string];
  const a = toBits(address);
  const n = toBits(net);
  if (!a || !n || a.length !== n.length) return undefined;
  const bits = Number(bitsText);
  return a.slice(0, bits) === n.slice(0, bits);
}

function toBits(ip: string): string | undefined {
  if (isIPv4(ip))
    return ip
      .split('.')
      .map((o) => Number(o).toString(2).padStart(8, '0'))
      .join('');
  if (!isIPv6(ip)) return undefined;
  let text = ip;
  const last = text.lastIndexOf(':');
  const tail = text.slice(last + 1);
  if (tail.includes('.')) {
    const o = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, last + 1)}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
  }
  const [head = '', back] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const b = back === undefined || back === '' ? [] : back.split(':');
  const groups = [...h, ...Array(8 - h.length - b.length).fill('0'), ...b];
  return groups.map((g) => Number.parseInt(g, 16).toString(2).padStart(16, '0')).join('');
}

export type ExtraHost = { ok: true; host: string; address: string } | { ok: false; message: string };

/** One `extra_hosts` entry: `host:ip`, `host=ip`, `host:[ipv6]`, `host:host-gateway`. */
export function parseExtraHost(entry: string): ExtraHost {
  const eq = entry.indexOf('=');
  const colon = entry.indexOf(':');
  const at = eq >= 0 && (colon < 0 || eq < colon) ? eq : colon;
  if (at <= 0) return { ok: false, message: `\`${entry}\` is not \`host:address\`` };
  const host = entry.slice(0, at).trim();
  let address = entry.slice(at + 1).trim();
  if (address.startsWith('[') && address.endsWith(']')) address = address.slice(1, -1);
  if (!isHostname(host)) return { ok: false, message: `\`${host}\` in \`${entry}\` is not a host name` };
  if (address !== 'host-gateway' && !isIP(address)) {
    return { ok: false, message: `\`${address}\` in \`${entry}\` is not an IP address (or \`host-gateway\`)` };
  }
  return { ok: true, host, address };
}
