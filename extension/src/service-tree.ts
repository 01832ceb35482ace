// The services tree as plain data: one node per service (state icon, ports, debugger) with
// detail children. The VS Code TreeDataProvider only turns these into TreeItems.

import { type ProjectStatus, runtimeHealthWords, type ServiceStatus, syncLinkWords } from '@devenv/engine';
import { type Condition, condition, stateLabel } from './service-state.js';

export interface TreeNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id and an optional theme colour id. */
  icon: { id: string; color?: string };
  /** Drives the context menu: `service` plus `:url` and `:debug` when those actions apply. */
  contextValue?: string;
  service?: string;
  /** Opened when the node is clicked. */
  url?: string;
  children: TreeNode[];
}

const ICONS: Record<Condition, { id: string; color?: string }> = {
  healthy: { id: 'pass-filled', color: 'testing.iconPassed' },
  starting: { id: 'loading~spin' },
  failing: { id: 'error', color: 'testing.iconFailed' },
  completed: { id: 'check' },
  stopped: { id: 'circle-outline' },
};

export function serviceNodes(status: ProjectStatus | undefined): TreeNode[] {
  const services = (status?.services ?? []).map(serviceNode);
  const engine = runtimeHealthWords(status?.runtimeHealth);
  if (!engine) return services;
  // The runtime's engine is away (or just back): say so above the services it holds.
  const away = status?.runtimeHealth?.state === 'unavailable';
  const node: TreeNode = {
    id: 'runtime-health',
    label: engine,
    ...(status?.runtimeHealth?.message ? { tooltip: status.runtimeHealth.message } : {}),
    icon: away ? { id: 'warning', color: 'testing.iconFailed' } : { id: 'loading~spin' },
    children: [],
  };
  return [node, ...services];
}

export function serviceNode(s: ServiceStatus): TreeNode {
  const link = s.syncLink && s.syncLink.state !== 'live' ? syncLinkWords(s.syncLink) : undefined;
  const description = [
    stateLabel(s),
    ...(link ? [`sync ${link}`] : []),
    ...s.ports.filter((p) => !isDebugPort(s, p.hostPort)).map((p) => `${p.hostPort}`),
    ...(s.debug ? [`debug ${s.debug.hostPort}`] : []),
    ...(!s.debug && s.debugAbsent
      ? [s.debugAbsent.kind === 'unavailable' ? 'debugger unavailable' : 'debugger on request']
      : []),
  ].join(' · ');
  const children: TreeNode[] = [];
  if (s.message) children.push(leaf(s, 'message', s.message, 'info'));
  if (s.url) children.push({ ...leaf(s, 'url', s.url, 'globe'), url: s.url, contextValue: 'url' });
  for (const p of s.ports) {
    if (isDebugPort(s, p.hostPort)) continue;
    children.push(
      leaf(
        s,
        `port-${p.hostIp}-${p.hostPort}-${p.protocol}`,
        `${p.hostIp}:${p.hostPort} → ${p.containerPort}/${p.protocol}`,
        'plug',
      ),
    );
  }
  if (s.debug) {
    const d = s.debug;
    const what = d.type === 'python' ? 'debugpy (DAP)' : 'Node inspector (CDP)';
    const node = leaf(s, 'debug', `${what} ${d.hostIp}:${d.hostPort}`, 'debug');
    node.children = d.pathMappings.map((m, i) => leaf(s, `map-${i}`, `${m.localRoot} → ${m.remoteRoot}`, 'arrow-both'));
    children.push(node);
  }
  if (!s.debug && s.debugAbsent) {
    const a = s.debugAbsent;
    const node = leaf(
      s,
      'debug',
      a.kind === 'unavailable' ? `debugger unavailable: ${a.reason}` : `debugger on request: ${a.reason}`,
      a.kind === 'unavailable' ? 'debug-disconnect' : 'debug-start',
    );
    node.tooltip = `${a.kind === 'unavailable' ? 'To debug it' : 'Debug Service Now (or run)'}: ${a.fix}`;
    node.children = [leaf(s, 'debug-fix', a.fix, a.kind === 'unavailable' ? 'lightbulb' : 'terminal')];
    children.push(node);
  }
  if (s.sync || s.syncLink) {
    const figures = s.sync ? `${s.sync.files} file(s), last ${s.sync.lastMs} ms, p50 ${s.sync.p50Ms} ms` : '';
    const state = syncLinkWords(s.syncLink);
    const label = `sync: ${[state, figures].filter(Boolean).join(' · ')}`;
    children.push(leaf(s, 'sync', label, s.syncLink && s.syncLink.state !== 'live' ? 'sync-ignored' : 'sync'));
  }
  if (s.restartCount > 0) children.push(leaf(s, 'restarts', `restarted ${s.restartCount}×`, 'debug-restart'));
  // `:on-request` offers "Debug Service Now" (a one-shot job on request, or after `up --no-debug`).
  const flags = `${s.url ? ':url' : ''}${s.debug ? ':debug' : ''}${!s.debug && s.debugAbsent?.kind === 'on-request' ? ':on-request' : ''}`;
  return {
    id: `service:${s.name}`,
    label: s.name,
    description,
    tooltip: `${s.name}: ${stateLabel(s)}${s.message ? `\n${s.message}` : ''}${s.instanceId ? `\n${s.instanceId.slice(0, 12)}` : ''}`,
    icon: ICONS[condition(s)],
    contextValue: `service${flags}`,
    service: s.name,
    ...(s.url ? { url: s.url } : {}),
    children,
  };
}

function isDebugPort(s: ServiceStatus, hostPort: number): boolean {
  return s.debug !== undefined && s.debug.hostPort === hostPort;
}

function leaf(s: ServiceStatus, key: string, label: string, icon: string): TreeNode {
  return { id: `service:${s.name}:${key}`, label, icon: { id: icon }, service: s.name, children: [] };
}
