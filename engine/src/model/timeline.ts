// The timeline of one `up`: its spans (the project's preparation, then each service's phases:
// build or pull, dependency waits, create, start, first sync, healthy, debugger attached), folded
// from the span events of the one event stream. The daemon keeps the last one (`devenv timeline`,
// the extension), the TUI folds its own live, `devenv ci` saves it, the OTLP export sends it.

import type { EngineEvent, SpanAttributes, SpanEvent, SpanName, SpanOutcome } from './events.js';

export interface Span {
  id: string;
  parent?: string;
  name: SpanName;
  service?: string;
  /** ISO times; `end` is absent while the phase runs. */
  start: string;
  end?: string;
  outcome?: SpanOutcome;
  message?: string;
  attrs: SpanAttributes;
}

export interface Timeline {
  /** The root span's id (`up-3`). */
  id: string;
  project: string;
  runtime?: string;
  start: string;
  end?: string;
  outcome?: SpanOutcome;
  /** The root first, then every span in the order it began. */
  spans: Span[];
}

/** More spans than this in one `up` are dropped (a bound on memory for any project). */
const MAX_SPANS = 20_000;

/** Folds span events into the timeline of the latest `up`; other events and other roots are ignored. */
export class TimelineBuilder {
  private timeline: Timeline | undefined;
  private readonly byId = new Map<string, Span>();

  constructor(initial?: Timeline) {
    if (initial) this.reset(initial);
  }

  /** The latest `up`'s timeline (a copy: callers may keep it while more events arrive). */
  get current(): Timeline | undefined {
    return this.timeline && { ...this.timeline, spans: this.timeline.spans.map((s) => ({ ...s })) };
  }

  /** Apply one event; true when the timeline changed. */
  apply(event: EngineEvent): boolean {
    if (event.kind !== 'span') return false;
    return event.edge === 'begin' ? this.begin(event) : this.end(event);
  }

  private reset(timeline: Timeline): void {
    this.timeline = { ...timeline, spans: timeline.spans.map((s) => ({ ...s })) };
    this.byId.clear();
    for (const s of this.timeline.spans) this.byId.set(s.id, s);
  }

  private begin(e: SpanEvent): boolean {
    if (e.name === 'up' && e.parent === undefined) {
      const root: Span = { id: e.id, name: 'up', start: e.ts, attrs: { ...e.attrs } };
      this.reset({
        id: e.id,
        project: e.attrs?.project ?? '',
        ...(e.attrs?.runtime ? { runtime: e.attrs.runtime } : {}),
        start: e.ts,
        spans: [root],
      });
      return true;
    }
    // Only spans under the current `up` belong to its timeline (rebuilds and reloads have their own roots).
    if (!this.timeline || e.parent === undefined || !this.byId.has(e.parent) || this.byId.has(e.id)) return false;
    if (this.timeline.spans.length >= MAX_SPANS) return false;
    const span: Span = {
      id: e.id,
      parent: e.parent,
      name: e.name,
      ...(e.service !== undefined ? { service: e.service } : {}),
      start: e.ts,
      attrs: { ...e.attrs },
    };
    this.timeline.spans.push(span);
    this.byId.set(span.id, span);
    return true;
  }

  private end(e: SpanEvent): boolean {
    const span = this.byId.get(e.id);
    if (!span || span.end !== undefined || !this.timeline) return false;
    span.end = e.ts;
    span.outcome = e.outcome ?? 'ok';
    if (e.message !== undefined) span.message = e.message;
    if (e.attrs) span.attrs = { ...span.attrs, ...e.attrs };
    if (span.id === this.timeline.id) {
      this.timeline.end = e.ts;
      this.timeline.outcome = span.outcome;
      // A phase the `up` left behind (an error between its begin and end) ends with it.
      for (const open of this.timeline.spans) {
        if (open.end !== undefined) continue;
        open.end = e.ts;
        open.outcome = 'cancelled';
      }
    }
    return true;
  }
}

export function timeOf(iso: string): number {
  return Date.parse(iso);
}

/** A span's length in ms; a running one is measured up to `nowMs`. */
export function spanMs(span: Pick<Span, 'start' | 'end'>, nowMs: number = Date.now()): number {
  return Math.max(0, (span.end !== undefined ? timeOf(span.end) : nowMs) - timeOf(span.start));
}

/** The phases of one service (children of its `service` span), in the order they began. */
export function servicePhases(timeline: Timeline, service: string): Span[] {
  const own = timeline.spans.find((s) => s.name === 'service' && s.service === service);
  return own ? timeline.spans.filter((s) => s.parent === own.id) : [];
}

/** The services of the timeline in the order their spans began (dependencies first, in practice). */
export function timelineServices(timeline: Timeline): Span[] {
  return timeline.spans.filter((s) => s.name === 'service');
}

/** How a phase reads in every view: `build`, `wait postgres (healthy)`, `first sync`, `healthy`… */
export function spanLabel(span: Pick<Span, 'name' | 'service' | 'attrs'>): string {
  switch (span.name) {
    case 'wait':
      return `wait ${span.attrs.dependency ?? '?'}${span.attrs.condition ? ` (${span.attrs.condition})` : ''}`;
    case 'sync':
      return 'first sync';
    case 'healthy':
      return span.attrs.reached && span.attrs.reached !== 'healthy' ? span.attrs.reached : 'healthy';
    case 'debugger':
      return 'debugger attached';
    case 'remove':
      return 'remove old instance';
    case 'prepare':
      return 'prepare project';
    case 'service':
      return span.service ?? 'service';
    case 'reload':
      return `reload (${span.attrs.action ?? '?'})`;
    default:
      return span.name;
  }
}

/** `0.4 s`, `12.3 s`, `2 m 05 s`: one format for durations in every view. */
export function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  const m = Math.floor(total / 60);
  const s = total % 60;
  return `${m} m ${String(s).padStart(2, '0')} s`;
}
