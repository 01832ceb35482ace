// Timelines for tests, written as rows instead of event by event: `[id, name, start, end, attrs]`
// with times in ms from `T0` (an end left undefined: still running). A span's parent and service
// come from its id (`up-1/web/wait:db`: parent `up-1/web`, service `web`), as the engine makes them.

import type { SpanAttributes, SpanEvent, SpanName, SpanOutcome } from './events.js';
import { type Timeline, TimelineBuilder } from './timeline.js';

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');

export type SpanRow = [
  id: string,
  name: SpanName,
  startMs: number,
  endMs: number | undefined,
  attrs?: SpanAttributes,
  end?: { outcome?: SpanOutcome; message?: string; attrs?: SpanAttributes },
];

export function msAt(ms: number): string {
  return new Date(T0 + ms).toISOString();
}

/** The events of the rows: begins in row order, then ends in time order (what the engine emits, told simply). */
export function spanEventsOf(rows: readonly SpanRow[]): SpanEvent[] {
  const begins: SpanEvent[] = [];
  const ends: { at: number; row: number; event: SpanEvent }[] = [];
  for (const [row, [id, name, start, end, attrs, ending]] of rows.entries()) {
    const parent = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : undefined;
    const service = name === 'prepare' ? undefined : id.split('/')[1];
    begins.push({
      kind: 'span',
      edge: 'begin',
      id,
      name,
      ts: msAt(start),
      ...(parent ? { parent } : {}),
      ...(service ? { service } : {}),
      ...(attrs ? { attrs } : {}),
    });
    if (end !== undefined)
      ends.push({
        at: end,
        row,
        event: {
          kind: 'span',
          edge: 'end',
          id,
          name,
          ts: msAt(end),
          outcome: ending?.outcome ?? 'ok',
          ...(ending?.message ? { message: ending.message } : {}),
          ...(ending?.attrs ? { attrs: ending.attrs } : {}),
        },
      });
  }
  // Ends at one moment come children first (they are written after their parents).
  return [...begins, ...ends.sort((a, b) => a.at - b.at || b.row - a.row).map((e) => e.event)];
}

/** The timeline the rows fold into. */
export function timelineOf(rows: readonly SpanRow[]): Timeline {
  const builder = new TimelineBuilder();
  for (const e of spanEventsOf(rows)) builder.apply(e);
  const timeline = builder.current;
  if (!timeline) throw new Error('the rows have no `up` root');
  return timeline;
}
