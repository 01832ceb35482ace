// The kernel namespaces a service's container joins or shares: its network stack, PIDs, IPC,
// UTS, user namespace and cgroup. `service:NAME` makes the other service start first; a shared
// network stack refuses the keys Docker would refuse beside it, at their position.

import type { ContainerSpec, NamespaceRef } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type MapNode, text } from './config-node.js';
import type { ContainerDraft } from './container-draft.js';
import type { NormaliseContext } from './normalise-context.js';

/** `network_mode`, `pid`, `ipc`, `uts`, `userns_mode`, `cgroup`, `cgroup_parent`. */
export function namespaceKeys(d: ContainerDraft): void {
  networkModeKey(d);
  const namespaces: [string, 'pid' | 'ipc', string[], string][] = [
    ['pid', 'pid', ['host'], 'a PID'],
    ['ipc', 'ipc', ['host', 'private', 'shareable', 'none'], 'an IPC'],
  ];
  for (const [key, field, modes, kind] of namespaces) {
    const n = d.get(key);
    const v = text(n);
    if (!n || v === undefined) continue;
    const ref = namespaceRef(v, modes);
    if (!ref) {
      d.error(
        ConfigCode.invalidNamespace,
        `${d.what(key)} \`${v}\` is not ${kind} mode`,
        n.loc,
        `use ${modes.map((m) => `\`${m}\``).join(', ')}, \`service:NAME\` or \`container:NAME\``,
      );
      continue;
    }
    d.set(field, ref);
    if (ref.kind === 'service') d.refs.push({ service: ref.service, key, loc: n.loc });
  }
  for (const [key, field, allowed] of [
    ['uts', 'uts', ['host']],
    ['userns_mode', 'usernsMode', ['host']],
  ] as const) {
    const n = d.get(key);
    const v = text(n);
    if (!n || v === undefined) continue;
    if ((allowed as readonly string[]).includes(v)) d.set(field, v as 'host');
    else
      d.error(
        ConfigCode.invalidNamespace,
        `${d.what(key)} \`${v}\` is not a mode devenv knows`,
        n.loc,
        'the only value is `host`',
      );
  }
  const cgroup = text(d.get('cgroup'));
  if (cgroup === 'host' || cgroup === 'private') d.set('cgroup', cgroup);
  const cgroupParent = text(d.get('cgroup_parent'));
  if (cgroupParent !== undefined) d.set('cgroupParent', cgroupParent);
}

function networkModeKey(d: ContainerDraft): void {
  const networkMode = d.get('network_mode');
  const mode = text(networkMode);
  if (!networkMode || mode === undefined) return;
  const ref = namespaceRef(mode, ['host', 'none', 'bridge', 'default']);
  if (!ref) {
    d.error(
      ConfigCode.invalidNamespace,
      `${d.what('network_mode')} \`${mode}\` is not a network mode`,
      networkMode.loc,
      'use `host`, `none`, `bridge`, `service:NAME` or `container:NAME` (or `networks:` to join project networks)',
    );
    return;
  }
  d.set(
    'networkMode',
    ref.kind === 'mode'
      ? ({ kind: ref.mode === 'default' ? 'bridge' : ref.mode } as ContainerSpec['networkMode'])
      : ref,
  );
  if (ref.kind === 'service') d.refs.push({ service: ref.service, key: 'network_mode', loc: networkMode.loc });
  checkNetworkModeConflicts(d.node, d.ctx, d.service, ref);
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
