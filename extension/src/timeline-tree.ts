// The Up Timeline view (`devenv.timeline`) as plain data: the last `up`, then each service with
// how long it took to be ready, its phases under it with their durations (the dependency each
// wait waited for), the critical path marked ★. Kept current from the relayed span events.

import {
  criticalPath,
  type EngineEvent,
  formatDuration,
  type Span,
  spanLabel,
  spanMs,
  type Timeline,
  TimelineBuilder,
} from '@devenv/engine';
import type { TreeNode } from './service-tree.js';

/** The timeline the view shows: the daemon's answer, then every span event after it. */
export class TimelineState {
  private builder = new TimelineBuilder();
  private readonly listeners = new Set<() => void>();

  get timeline(): Timeline | undefined {
    return this.builder.current;
  }

  get running(): boolean {
    const t = this.builder.current;
    return t !== undefined && t.end === undefined;
  }

  replace(timeline: Timeline | null | undefined): void {
    this.builder = new TimelineBuilder(timeline ?? undefined);
    this.changed();
  }

  /** Fold one event in; true when the timeline changed. */
  apply(event: EngineEvent): boolean {
    if (!this.builder.apply(event)) return false;
    this.changed();
    return true;
  }

  onChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

const PHASE_ICONS: Record<string, string> = {
  build: 'tools',
  pull: 'cloud-download',
  wait: 'watch',
  remove: 'trash',
  create: 'add',
  start: 'play',
  sync: 'sync',
  healthy: 'pulse',
  debugger: 'debug-alt',
  prepare: 'gear',
};

export function timelineNodes(timeline: Timeline | undefined, nowMs: number = Date.now()): TreeNode[] {
  if (!timeline) return [];
  const critical = new Set(criticalPath(timeline, nowMs));
  const took = (s: Span) => `${s.end === undefined ? '…' : ''}${formatDuration(spanMs(s, nowMs))}`;
  const mark = (s: Span) => (critical.has(s.id) ? ' ★' : '');
  const icon = (s: Span, fallback: string): TreeNode['icon'] =>
    s.end === undefined
      ? { id: 'loading~spin' }
      : s.outcome === 'failed'
        ? { id: 'error', color: 'testing.iconFailed' }
        : s.outcome === 'cancelled'
          ? { id: 'circle-slash' }
          : critical.has(s.id)
            ? { id: fallback, color: 'charts.yellow' }
            : { id: fallback };
  const root = timeline.spans[0]!;
  const state = timeline.end === undefined ? 'running' : timeline.outcome === 'ok' ? 'done' : timeline.outcome;
  const nodes: TreeNode[] = [
    {
      id: `timeline:${timeline.id}`,
      label: `up ${timeline.project}`,
      description: `${took(root)} · ${state}${timeline.runtime ? ` · ${timeline.runtime}` : ''}`,
      tooltip: `started ${new Date(timeline.start).toLocaleTimeString()}; ★ marks the critical path: the phases that decided how long up took`,
      icon: icon(root, 'rocket'),
      children: [],
    },
  ];
  const prepare = timeline.spans.find((s) => s.name === 'prepare');
  if (prepare) nodes.push(leaf(prepare, `${took(prepare)}${mark(prepare)}`, icon(prepare, PHASE_ICONS.prepare!)));
  for (const service of timeline.spans.filter((s) => s.name === 'service')) {
    const phases = timeline.spans.filter((s) => s.parent === service.id);
    const action = service.attrs.action ? ` · ${service.attrs.action}` : '';
    nodes.push({
      id: `timeline:${service.id}`,
      label: service.service ?? '',
      description: `${took(service)}${mark(service)}${action}`,
      ...(service.message ? { tooltip: service.message } : {}),
      icon: icon(service, 'server-process'),
      service: service.service ?? '',
      children: phases.map((p) => leaf(p, `${took(p)}${mark(p)}`, icon(p, PHASE_ICONS[p.name] ?? 'circle'))),
    });
  }
  return nodes;
}

function leaf(s: Span, description: string, icon: TreeNode['icon']): TreeNode {
  return {
    id: `timeline:${s.id}`,
    label: spanLabel(s),
    description,
    ...(s.message ? { tooltip: s.message } : {}),
    icon,
    children: [],
  };
}
