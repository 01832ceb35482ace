// What a service's container asks of the kernel: sysctls, resource limits (ulimits, OOM, the
// size of /dev/shm) and host devices, each checked at its position (a sysctl a container cannot
// set, a limit that does not exist, a device mapping that does not parse).

import type { ContainerSpec } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isMap, isScalar, text } from './config-node.js';
import type { ContainerDraft } from './container-draft.js';
import { closest } from './edit-distance.js';
import { asMapping } from './merge.js';
import type { NormaliseContext } from './normalise-context.js';
import { isUlimitName, parseInteger, ULIMIT_NAME_LIST } from './units.js';
import { boolValue, intValue, sizeValue } from './value-checks.js';

/** Sysctls a container may set: those the kernel keeps per network or IPC namespace. */
const NAMESPACED_SYSCTLS = [
  /^net\./,
  /^fs\.mqueue\./,
  /^kernel\.(msgmax|msgmnb|msgmni|sem|shmall|shmmax|shmmni|shm_rmid_forced)$/,
];

/** `oom_kill_disable`, `oom_score_adj`, `shm_size`, `sysctls`, `ulimits`. */
export function limitKeys(d: ContainerDraft): void {
  const oomKill = boolValue(d.get('oom_kill_disable'), d.ctx, d.what('oom_kill_disable'));
  if (oomKill !== undefined) d.set('oomKillDisable', oomKill);
  d.set('oomScoreAdj', intValue(d.get('oom_score_adj'), d.ctx, d.what('oom_score_adj'), { min: -1000, max: 1000 }));
  d.set('shmSize', sizeValue(d.get('shm_size'), d.ctx, d.what('shm_size')));
  sysctlsKey(d);
  const ulimits = ulimitsValue(d.get('ulimits'), d.ctx, d.what('ulimits'));
  if (ulimits && Object.keys(ulimits).length > 0) d.set('ulimits', ulimits);
}

function sysctlsKey(d: ContainerDraft): void {
  const sysctlsNode = d.get('sysctls');
  if (!sysctlsNode) return;
  const mapping = asMapping(sysctlsNode);
  for (const [key, entry] of mapping?.entries ?? []) {
    const value = isScalar(entry.value) && entry.value.value !== null ? String(entry.value.value) : undefined;
    if (!/^[a-z0-9_]+(\.[a-zA-Z0-9_-]+)+$/.test(key) || value === undefined) {
      d.error(
        ConfigCode.invalidSysctl,
        `${d.what('sysctls')} entry \`${key}\` needs a name like \`net.core.somaxconn\` and a value`,
        entry.keyLoc,
        'write `name: value`, e.g. `net.core.somaxconn: 1024`',
      );
      continue;
    }
    if (!NAMESPACED_SYSCTLS.some((re) => re.test(key))) {
      d.error(
        ConfigCode.invalidSysctl,
        `${d.what('sysctls')}: \`${key}\` is not kept per container, so a container cannot set it`,
        entry.keyLoc,
        'set it on the host (`sysctl -w`), or keep only net.*, kernel.shm*, kernel.msg*, kernel.sem and fs.mqueue.* here',
      );
      continue;
    }
    d.spec.sysctls[key] = value;
    d.touched = true;
  }
}

/** `devices` and `device_cgroup_rules`. */
export function deviceKeys(d: ContainerDraft): void {
  for (const item of d.items('devices')) {
    const device = parseDevice(item);
    if (typeof device === 'string') {
      d.error(
        ConfigCode.invalidDevice,
        `${d.what('devices')}: ${device}`,
        item.loc,
        'write `/dev/host-path[:/dev/container-path[:rwm]]`, e.g. `/dev/fuse:/dev/fuse:rwm`',
      );
      continue;
    }
    d.spec.devices.push(device);
    d.touched = true;
  }
  d.spec.deviceCgroupRules = d.validEntries(
    'device_cgroup_rules',
    (r) => /^[abc] (\d+|\*):(\d+|\*) [rwm]{1,3}$/.test(r),
    ConfigCode.invalidDevice,
    'a device rule',
    'write `TYPE MAJOR:MINOR ACCESS`, e.g. `c 1:3 mr` or `a *:* rwm`',
  );
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

/** `ulimits`: `name: N` or `name: {soft, hard}` per limit, checked (a service's, or its build's). */
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
      ctx.diagnostics.error(
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
      ctx.diagnostics.error(
        ConfigCode.invalidUlimit,
        `${what}: \`${limit}\` needs a whole number, or \`soft\` and \`hard\` numbers`,
        entry.value.loc,
        `write \`${limit}: 65536\` or \`${limit}: {soft: 1024, hard: 65536}\` (-1 for unlimited)`,
      );
      continue;
    }
    if (hard !== -1 && (soft === -1 || soft > hard)) {
      ctx.diagnostics.error(
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

function scalarOf(node: ConfigNode | undefined): unknown {
  return isScalar(node) ? node.value : undefined;
}
