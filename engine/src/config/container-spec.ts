// A service's container settings (capabilities, namespaces, DNS, devices, logging, …) → the
// ContainerSpec the runtimes read, each value checked and reported at its position: a
// capability Linux does not have, a sysctl a container cannot set, a device mapping that does
// not parse, an address that is not one.

import { isAbsolute, resolve } from 'node:path';
import { type ContainerSpec, emptyContainerSpec, type NamespaceRef, type SourceLocation } from '../model/spec.js';
import { isHostname, isIP, isMacAddress, parseExtraHost } from './addresses.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isMap, isScalar, isSeq, type MapNode, text } from './config-node.js';
import { closest } from './edit-distance.js';
import { asMapping } from './merge.js';
import { stringMap } from './node-values.js';
import type { NormaliseContext } from './normalise-context.js';
import { isUlimitName, parseInteger, ULIMIT_NAME_LIST } from './units.js';
import { boolValue, intValue, sizeValue } from './value-checks.js';

/** A reference to another service found in a container setting, checked once every service is known. */
export interface ServiceRef {
  service: string;
  /** The key it was found in, e.g. `network_mode`. */
  key: string;
  loc: SourceLocation;
}

export interface NormalisedContainer {
  container?: ContainerSpec;
  /** Services this one needs started first (network_mode/pid/ipc `service:`, links, volumes_from). */
  refs: ServiceRef[];
}

const CAPABILITIES = [
  'ALL',
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'BPF',
  'CHECKPOINT_RESTORE',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'PERFMON',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'SYSLOG',
  'WAKE_ALARM',
];

/** Sysctls a container may set: those the kernel keeps per network or IPC namespace. */
const NAMESPACED_SYSCTLS = [
  /^net\./,
  /^fs\.mqueue\./,
  /^kernel\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)$/,
];

const SECURITY_OPTS =
  /^(label[=:](user|role|type|level):.+|label[=:]disable|label[=:]nested|apparmor[=:].+|seccomp[=:].+|no-new-privileges([=:](true|false))?|systempaths=unconfined|writable-cgroups=(true|false))$/;

function error(ctx: NormaliseContext, code: string, message: string, loc: SourceLocation, hint: string): void {
  ctx.diagnostics.error(code, message, loc, hint);
}

function items(node: ConfigNode | undefined): ConfigNode[] {
  return isSeq(node) ? node.items : node !== undefined && isScalar(node) && node.value !== null ? [node] : [];
}

/** The service's container settings; `container` is undefined when the service sets none. */
export function normaliseContainer(node: MapNode, ctx: NormaliseContext, service: string): NormalisedContainer {
  const get = (key: string) => child(node, key);
  const what = (key: string) => `\`${key}\` of service \`${service}\``;
  const refs: ServiceRef[] = [];
  const c = emptyContainerSpec();
  let any = false;
  const set = <K extends keyof ContainerSpec>(key: K, value: ContainerSpec[K] | undefined) => {
    if (value === undefined) return;
    c[key] = value;
    any = true;
  };

  const name = get('container_name');
  if (isScalar(name) && name.value !== null) {
    const value = String(name.value);
    if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/.test(value)) set('containerName', value);
    else
      error(
        ctx,
        ConfigCode.invalidValue,
        `${what('container_name')} \`${value}\` is not a container name`,
        name.loc,
        `start with a letter or digit, then letters, digits, \`_\`, \`.\` or \`-\`, e.g. \`${value.replace(/[^a-zA-Z0-9_.-]+/g, '-').replace(/^[^a-zA-Z0-9]+/, '') || 'my-container'}\``,
      );
  }
  for (const key of ['hostname', 'domainname'] as const) {
    const n = get(key);
    const v = text(n);
    if (v === undefined || !n) continue;
    if (isHostname(v)) set(key, v);
    else
      error(
        ctx,
        ConfigCode.invalidHostname,
        `${what(key)} \`${v}\` is not a host name`,
        n.loc,
        'use letters, digits and `-` in dot-separated parts of at most 63 characters, e.g. `db-primary`',
      );
  }

  for (const item of items(get('expose'))) {
    const raw = text(item) ?? '';
    const m = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(raw.trim());
    const from = m ? Number(m[1]) : 0;
    const to = m?.[2] ? Number(m[2]) : from;
    if (!m || from < 1 || to > 65535 || to < from) {
      error(
        ctx,
        ConfigCode.invalidPort,
        `${what('expose')} entry \`${raw}\` is not a port or port range`,
        item.loc,
        'write a container port like `3000`, `3000/udp` or a range `3000-3005` (1 to 65535)',
      );
      continue;
    }
    const protocol = (m[3]?.toLowerCase() ?? 'tcp') as 'tcp' | 'udp' | 'sctp';
    for (let p = from; p <= to; p++) c.expose.push({ port: p, protocol });
    any = true;
  }

  for (const key of ['cap_add', 'cap_drop'] as const) {
    const out: string[] = [];
    for (const item of items(get(key))) {
      const raw = text(item) ?? '';
      const cap = raw.toUpperCase().replace(/^CAP_/, '');
      if (CAPABILITIES.includes(cap)) out.push(cap === 'ALL' ? 'ALL' : `CAP_${cap}`);
      else {
        const guess = closest(cap, CAPABILITIES);
        error(
          ctx,
          ConfigCode.invalidCapability,
          `${what(key)} lists \`${raw}\`, which is not a Linux capability`,
          item.loc,
          guess ? `did you mean \`${guess}\`?` : 'see `man 7 capabilities` for the names (e.g. NET_ADMIN, SYS_PTRACE)',
        );
      }
    }
    if (out.length > 0) set(key === 'cap_add' ? 'capAdd' : 'capDrop', out);
  }

  const privileged = boolValue(get('privileged'), ctx, what('privileged'));
  if (privileged !== undefined) set('privileged', privileged);
  const readOnly = boolValue(get('read_only'), ctx, what('read_only'));
  if (readOnly !== undefined) set('readOnly', readOnly);
  const init = boolValue(get('init'), ctx, what('init'));
  if (init !== undefined) set('init', init);
  const oomKill = boolValue(get('oom_kill_disable'), ctx, what('oom_kill_disable'));
  if (oomKill !== undefined) set('oomKillDisable', oomKill);
  const useSocket = boolValue(get('use_api_socket'), ctx, what('use_api_socket'));
  if (useSocket !== undefined) set('useApiSocket', useSocket);
  set('oomScoreAdj', intValue(get('oom_score_adj'), ctx, what('oom_score_adj'), { min: -1000, max: 1000 }));
  set('shmSize', sizeValue(get('shm_size'), ctx, what('shm_size')));

  const securityOpt: string[] = [];
  for (const item of items(get('security_opt'))) {
    const raw = text(item) ?? '';
    if (!SECURITY_OPTS.test(raw)) {
      error(
        ctx,
        ConfigCode.invalidSecurityOpt,
        `${what('security_opt')} entry \`${raw}\` is not a security option`,
        item.loc,
        'use `no-new-privileges:true`, `seccomp=unconfined` (or a profile file), `apparmor=PROFILE`, `label=type:TYPE` or `label=disable`',
      );
      continue;
    }
    const seccomp = /^seccomp[=:](.+)$/.exec(raw)?.[1];
    if (seccomp && seccomp !== 'unconfined' && seccomp !== 'builtin') {
      // Docker takes the profile's JSON, not its path: read it here, as the docker CLI does.
      const path = isAbsolute(seccomp) ? seccomp : resolve(ctx.projectDir, seccomp);
      const profile = ctx.fs.isFile(path) ? ctx.fs.readText(path) : undefined;
      if (profile === undefined) {
        error(
          ctx,
          ConfigCode.invalidSecurityOpt,
          `${what('security_opt')}: the seccomp profile ${path} does not exist`,
          item.loc,
          'give the path of a seccomp profile (JSON), relative to the project directory, or `seccomp=unconfined`',
        );
        continue;
      }
      securityOpt.push(`seccomp=${profile.trim()}`);
      continue;
    }
    securityOpt.push(raw.replace(/^(label|apparmor|seccomp|no-new-privileges):/, '$1='));
  }
  if (securityOpt.length > 0) set('securityOpt', securityOpt);

  const sysctlsNode = get('sysctls');
  if (sysctlsNode) {
    const mapping = asMapping(sysctlsNode);
    for (const [key, entry] of mapping?.entries ?? []) {
      const value = isScalar(entry.value) && entry.value.value !== null ? String(entry.value.value) : undefined;
      if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$/.test(key) || value === undefined) {
        error(
          ctx,
          ConfigCode.invalidSysctl,
          `${what('sysctls')} entry \`${key}\` needs a name like \`net.core.somaxconn\` and a value`,
          entry.keyLoc,
          'write `name: value`, e.g. `net.core.somaxconn: 1024`',
        );
        continue;
      }
      if (!NAMESPACED_SYSCTLS.some((re) => re.test(key))) {
        error(
          ctx,
          ConfigCode.invalidSysctl,
          `${what('sysctls')}: \`${key}\` is not kept per container, so a container cannot set it`,
          entry.keyLoc,
          'set it on the host (`sysctl -w`), or keep only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* here',
        );
        continue;
      }
      c.sysctls[key] = value;
      any = true;
    }
  }

  const ulimits = ulimitsValue(get('ulimits'), ctx, what('ulimits'));
  if (ulimits && Object.keys(ulimits).length > 0) set('ulimits', ulimits);

  const platform = get('platform');
  const platformText = text(platform);
  if (platform && platformText !== undefined) {
    if (/^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/.test(platformText)) set('platform', platformText);
    else
      error(
        ctx,
        ConfigCode.invalidPlatform,
        `${what('platform')} \`${platformText}\` is not a platform`,
        platform.loc,
        'write os/architecture, e.g. `linux/amd64` or `linux/arm64/v8`',
      );
  }
  const runtime = get('runtime');
  const runtimeText = text(runtime);
  if (runtime && runtimeText !== undefined) {
    if (/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(runtimeText)) set('runtime', runtimeText);
    else
      error(
        ctx,
        ConfigCode.invalidValue,
        `${what('runtime')} \`${runtimeText}\` is not an OCI runtime name`,
        runtime.loc,
        'name a runtime the engine knows (`docker info` lists them), e.g. `runc`',
      );
  }

  const networkMode = get('network_mode');
  const mode = text(networkMode);
  if (networkMode && mode !== undefined) {
    const ref = namespaceRef(mode, ['host', 'none', 'bridge', 'default']);
    if (!ref) {
      error(
        ctx,
        ConfigCode.invalidNamespace,
        `${what('network_mode')} \`${mode}\` is not a network mode`,
        networkMode.loc,
        'use `host`, `none`, `bridge`, `service:NAME` or `container:NAME` (or `networks:` to join project networks)',
      );
    } else {
      set(
        'networkMode',
        ref.kind === 'mode'
          ? ({ kind: ref.mode === 'default' ? 'bridge' : ref.mode } as ContainerSpec['networkMode'])
          : ref,
      );
      if (ref.kind === 'service') refs.push({ service: ref.service, key: 'network_mode', loc: networkMode.loc });
      checkNetworkModeConflicts(node, ctx, service, ref);
    }
  }
  const namespaces: [string, 'pid' | 'ipc', string[], string][] = [
    ['pid', 'pid', ['host'], 'a PID'],
    ['ipc', 'ipc', ['host', 'private', 'shareable', 'none'], 'an IPC'],
  ];
  for (const [key, field, modes, kind] of namespaces) {
    const n = get(key);
    const v = text(n);
    if (!n || v === undefined) continue;
    const ref = namespaceRef(v, modes);
    if (!ref) {
      error(
        ctx,
        ConfigCode.invalidNamespace,
        `${what(key)} \`${v}\` is not ${kind} mode`,
        n.loc,
        `use ${modes.map((m) => `\`${m}\``).join(', ')}, \`service:NAME\` or \`container:NAME\``,
      );
      continue;
    }
    set(field, ref);
    if (ref.kind === 'service') refs.push({ service: ref.service, key, loc: n.loc });
  }
  for (const [key, field, allowed] of [
    ['uts', 'uts', ['host']],
    ['userns_mode', 'usernsMode', ['host']],
  ] as const) {
    const n = get(key);
    const v = text(n);
    if (!n || v === undefined) continue;
    if ((allowed as readonly string[]).includes(v)) set(field, v as 'host');
    else
      error(
        ctx,
        ConfigCode.invalidNamespace,
        `${what(key)} \`${v}\` is not a mode devenv knows`,
        n.loc,
        'the only value is `host`',
      );
  }
  const cgroup = text(get('cgroup'));
  if (cgroup === 'host' || cgroup === 'private') set('cgroup', cgroup);
  const cgroupParent = text(get('cgroup_parent'));
  if (cgroupParent !== undefined) set('cgroupParent', cgroupParent);

  for (const item of items(get('devices'))) {
    const device = parseDevice(item);
    if (typeof device === 'string') {
      error(
        ctx,
        ConfigCode.invalidDevice,
        `${what('devices')}: ${device}`,
        item.loc,
        'write `/dev/host-path[:/dev/container-path[:rwm]]`, e.g. `/dev/fuse:/dev/fuse:rwm`',
      );
      continue;
    }
    c.devices.push(device);
    any = true;
  }
  /** The entries of a list key that pass `valid`; each other one reported at its position. */
  const validEntries = (key: string, valid: (entry: string) => boolean, code: string, isNot: string, hint: string) => {
    const out: string[] = [];
    for (const item of items(get(key))) {
      const raw = text(item) ?? '';
      if (valid(raw)) out.push(raw);
      else error(ctx, code, `${what(key)} entry \`${raw}\` is not ${isNot}`, item.loc, hint);
    }
    if (out.length > 0) any = true;
    return out;
  };
  c.deviceCgroupRules = validEntries(
    'device_cgroup_rules',
    (r) => /^[abc] (\d+|\*):(\d+|\*) [rwm]{1,3}$/.test(r),
    ConfigCode.invalidDevice,
    'a device rule',
    'write `TYPE MAJOR:MINOR ACCESS`, e.g. `c 1:3 mr` or `a *:* rwm`',
  );
  c.groupAdd = validEntries(
    'group_add',
    (g) => /^(\d+|[a-z_][a-z0-9_-]*\$?)$/i.test(g),
    ConfigCode.invalidValue,
    'a group',
    'write a group name or a numeric gid, e.g. `audio` or `1001`',
  );
  c.dns = validEntries(
    'dns',
    isIP,
    ConfigCode.invalidAddress,
    'an IP address',
    'give the address of a DNS server, e.g. `1.1.1.1`',
  );
  c.dnsSearch = validEntries(
    'dns_search',
    (d) => d === '.' || isHostname(d),
    ConfigCode.invalidHostname,
    'a domain',
    'write a domain name, e.g. `example.internal`',
  );
  c.dnsOpt = validEntries(
    'dns_opt',
    (o) => /^[a-z][a-z0-9-]*(:\d+)?$/i.test(o),
    ConfigCode.invalidValue,
    'a resolver option',
    'write an option of resolv.conf, e.g. `ndots:2`, `timeout:1`, `use-vc`',
  );

  const extraHosts = extraHostsValue(get('extra_hosts'), ctx, what('extra_hosts'));
  if (extraHosts.length > 0) set('extraHosts', extraHosts);

  const annotations = stringMap(get('annotations'), ctx, false);
  if (Object.keys(annotations).length > 0) set('annotations', annotations);

  const logging = get('logging');
  if (isMap(logging)) {
    const driver = text(child(logging, 'driver'));
    const options: Record<string, string> = {};
    const optionsNode = child(logging, 'options');
    for (const [key, entry] of isMap(optionsNode) ? optionsNode.entries : []) {
      if (isScalar(entry.value) && entry.value.value !== null) options[key] = String(entry.value.value);
    }
    const driverNode = child(logging, 'driver');
    if (driver !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_./:-]*$/.test(driver) && driverNode) {
      error(
        ctx,
        ConfigCode.invalidValue,
        `${what('logging.driver')} \`${driver}\` is not a logging driver name`,
        driverNode.loc,
        'use e.g. `json-file`, `local`, `journald` or `none`',
      );
    } else set('logging', driver === undefined ? { options } : { driver, options });
  }

  for (const item of items(get('links'))) {
    const raw = text(item) ?? '';
    const [target = '', alias = target, ...rest] = raw.split(':');
    if (!target || rest.length > 0 || !isHostname(alias)) {
      error(
        ctx,
        ConfigCode.invalidValue,
        `${what('links')} entry \`${raw}\` is not \`SERVICE\` or \`SERVICE:ALIAS\``,
        item.loc,
        'write `db` or `db:database`',
      );
      continue;
    }
    c.links.push({ service: target, alias });
    refs.push({ service: target, key: 'links', loc: item.loc });
    any = true;
  }
  for (const item of items(get('external_links'))) {
    const raw = text(item) ?? '';
    const [container = '', alias = container, ...rest] = raw.split(':');
    if (!container || rest.length > 0 || !isHostname(alias)) {
      error(
        ctx,
        ConfigCode.invalidValue,
        `${what('external_links')} entry \`${raw}\` is not \`CONTAINER\` or \`CONTAINER:ALIAS\``,
        item.loc,
        'write `shared-redis` or `shared-redis:redis`',
      );
      continue;
    }
    c.externalLinks.push({ container, alias });
    any = true;
  }
  for (const item of items(get('volumes_from'))) {
    const raw = text(item) ?? '';
    const m = /^(?:(container):)?([a-zA-Z0-9][a-zA-Z0-9_.-]*)(?::(ro|rw))?$/.exec(raw);
    if (!m) {
      error(
        ctx,
        ConfigCode.invalidNamespace,
        `${what('volumes_from')} entry \`${raw}\` is not \`SERVICE[:ro]\` or \`container:NAME[:ro]\``,
        item.loc,
        'write `data` or `container:shared-data:ro`',
      );
      continue;
    }
    const from: NamespaceRef = m[1]
      ? { kind: 'container', container: m[2] as string }
      : { kind: 'service', service: m[2] as string };
    if (from.kind === 'service') refs.push({ service: from.service, key: 'volumes_from', loc: item.loc });
    c.volumesFrom.push({ from, readOnly: m[3] === 'ro' });
    any = true;
  }

  const mac = get('mac_address');
  const macText = text(mac);
  if (mac && macText !== undefined) {
    if (isMacAddress(macText)) set('macAddress', macText);
    else
      error(
        ctx,
        ConfigCode.invalidAddress,
        `${what('mac_address')} \`${macText}\` is not a MAC address`,
        mac.loc,
        'write six hex pairs, e.g. `02:42:ac:11:00:02`',
      );
  }
  return any ? { container: c, refs } : { refs };
}

function namespaceRef(value: string, modes: string[]): NamespaceRef | undefined {
  if (modes.includes(value)) return value === 'host' ? { kind: 'host' } : { kind: 'mode', mode: value };
  const m = /^(service|container):([a-zA-Z0-9][a-zA-Z0-9_.-]*)$/.exec(value);
  if (!m) return undefined;
  return m[1] === 'service'
    ? { kind: 'service', service: m[2] as string }
    : { kind: 'container', container: m[2] as string };
}

/** Docker refuses these beside a shared network stack; say so while loading, at the key. */
function checkNetworkModeConflicts(node: MapNode, ctx: NormaliseContext, service: string, ref: NamespaceRef): void {
  const shared = ref.kind === 'service' || ref.kind === 'container';
  const conflicts = shared
    ? ['networks', 'ports', 'hostname', 'dns', 'dns_search', 'dns_opt', 'extra_hosts', 'mac_address', 'links', 'expose']
    : ['networks'];
  for (const key of conflicts) {
    const entry = node.entries.get(key);
    if (!entry) continue;
    ctx.diagnostics.error(
      ConfigCode.invalidNamespace,
      `service \`${service}\` sets \`${key}\` and \`network_mode\`; ${shared ? 'a service that shares another’s network stack has that one’s ports, name and DNS' : '`network_mode` replaces the project networks'}`,
      entry.keyLoc,
      shared
        ? `set \`${key}\` on the service whose network it shares, or drop \`network_mode\``
        : 'keep one of `network_mode` and `networks`',
    );
  }
}

function parseDevice(item: ConfigNode): ContainerSpec['devices'][number] | string {
  let source: string | undefined;
  let target: string | undefined;
  let permissions = 'rwm';
  if (isMap(item)) {
    source = text(child(item, 'source'));
    target = text(child(item, 'target')) ?? source;
    permissions = text(child(item, 'permissions')) ?? 'rwm';
  } else {
    const raw = text(item) ?? '';
    if (/^[a-z0-9.-]+\/[a-z0-9.-]+=/.test(raw))
      return `\`${raw}\` is a CDI device name, which needs Docker Engine 25 (API 1.44); devenv passes host device paths only`;
    const parts = raw.split(':');
    if (parts.length > 3) return `\`${raw}\` has too many \`:\``;
    [source, target = parts[0], permissions = 'rwm'] = parts as [string, string?, string?];
    if (parts.length === 2 && /^[rwm]{1,3}$/.test(parts[1] as string)) {
      target = source;
      permissions = parts[1] as string;
    }
  }
  if (!source?.startsWith('/')) return `\`${source ?? ''}\` is not an absolute host device path`;
  if (!target?.startsWith('/')) return `\`${target ?? ''}\` is not an absolute container path`;
  if (!/^[rwm]{1,3}$/.test(permissions)) return `permissions \`${permissions}\` are not made of r, w and m`;
  return { source, target, permissions };
}

/** `ulimits`: `name: N` or `name: {soft, hard}` per limit, checked. */
export function ulimitsValue(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
): Record<string, { soft: number; hard: number }> | undefined {
  if (!isMap(node)) return undefined;
  const out: Record<string, { soft: number; hard: number }> = {};
  for (const [limit, entry] of node.entries) {
    if (!isUlimitName(limit)) {
      const guess = closest(limit, ULIMIT_NAME_LIST);
      error(
        ctx,
        ConfigCode.invalidUlimit,
        `${what}: \`${limit}\` is not a resource limit`,
        entry.keyLoc,
        guess ? `did you mean \`${guess}\`?` : `use one of ${ULIMIT_NAME_LIST.join(', ')}`,
      );
      continue;
    }
    const single = parseInteger(scalarOf(entry.value));
    const soft = single ?? parseInteger(scalarOf(child(entry.value, 'soft')));
    const hard = single ?? parseInteger(scalarOf(child(entry.value, 'hard')));
    if (soft === undefined || hard === undefined || soft < -1 || hard < -1) {
      error(
        ctx,
        ConfigCode.invalidUlimit,
        `${what}: \`${limit}\` needs a whole number, or \`soft\` and \`hard\` numbers`,
        entry.value.loc,
        `write \`${limit}: 65536\` or \`${limit}: {soft: 1024, hard: 65536}\` (-1 for unlimited)`,
      );
      continue;
    }
    if (hard !== -1 && (soft === -1 || soft > hard)) {
      error(
        ctx,
        ConfigCode.invalidUlimit,
        `${what}: the soft limit of \`${limit}\` (${soft}) is above its hard limit (${hard})`,
        entry.value.loc,
        'make `soft` at most `hard`',
      );
      continue;
    }
    out[limit] = { soft, hard };
  }
  return out;
}

/** `extra_hosts` as a list (`host:ip`, `host=ip`) or a mapping (`host: ip` or a list of ips), checked. */
export function extraHostsValue(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
): { host: string; address: string }[] {
  const out: { host: string; address: string }[] = [];
  const add = (entry: string, loc: SourceLocation) => {
    const parsed = parseExtraHost(entry);
    if (!parsed.ok) {
      error(
        ctx,
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
  } else for (const item of items(node)) add(text(item) ?? '', item.loc);
  return out;
}

function scalarOf(node: ConfigNode | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}
