// The timeline as a fold of span events, and the critical path over it, on hand-made spans.

import { describe, expect, it } from 'vitest';
import { criticalPath } from './critical-path.js';
import type { SpanEvent, SpanName } from './events.js';
import { formatDuration, spanLabel, TimelineBuilder } from './timeline.js';
import { msAt, T0, timelineOf as timeline } from './timeline-fixture.js';

const at = msAt;

function begin(id: string, name: SpanName, ms: number, extra: Partial<SpanEvent> = {}): SpanEvent {
  const parent = id.includes('/') ? id.slice(0, id.lastIndexOf('/')) : undefined;
  return { kind: 'span', edge: 'begin', id, name, ts: at(ms), ...(parent ? { parent } : {}), ...extra };
}
function end(id: string, ms: number, extra: Partial<SpanEvent> = {}): SpanEvent {
  return { kind: 'span', edge: 'end', id, name: 'up', ts: at(ms), outcome: 'ok', ...extra };
}

describe('TimelineBuilder', () => {
  it('keeps the latest up and ignores spans of other roots and unknown parents', () => {
    const b = new TimelineBuilder();
    expect(b.apply(begin('up-1', 'up', 0, { attrs: { project: 'shop', runtime: 'docker' } }))).toBe(true);
    expect(b.apply(begin('up-1/web', 'service', 0, { service: 'web' }))).toBe(true);
    expect(b.apply(begin('reload-2', 'reload', 5, { service: 'web' }))).toBe(false);
    expect(b.apply(begin('rebuild-3/web', 'service', 5, { parent: 'rebuild-3' }))).toBe(false);
    expect(b.apply({ kind: 'log', ts: at(1), service: 'web', stream: 'stdout', line: 'x' })).toBe(false);
    expect(b.apply(end('up-1/web', 10, { attrs: { action: 'created' } }))).toBe(true);
    expect(b.apply(end('up-1', 10))).toBe(true);
    expect(b.current).toMatchObject({
      id: 'up-1',
      project: 'shop',
      runtime: 'docker',
      start: at(0),
      end: at(10),
      outcome: 'ok',
      spans: [{ id: 'up-1' }, { id: 'up-1/web', service: 'web', attrs: { action: 'created' }, end: at(10) }],
    });
    b.apply(begin('up-4', 'up', 20));
    expect(b.current?.spans.map((s) => s.id)).toEqual(['up-4']);
  });

  it('ends the phases an up left open when the up ends', () => {
    const b = new TimelineBuilder();
    b.apply(begin('up-1', 'up', 0));
    b.apply(begin('up-1/prepare', 'prepare', 0));
    b.apply(end('up-1', 7, { outcome: 'failed', message: 'no such service' }));
    expect(b.current?.spans.map((s) => [s.id, s.end, s.outcome])).toEqual([
      ['up-1', at(7), 'failed'],
      ['up-1/prepare', at(7), 'cancelled'],
    ]);
  });

  it('labels phases the same way everywhere', () => {
    expect(spanLabel({ name: 'wait', attrs: { dependency: 'db', condition: 'healthy' } })).toBe('wait db (healthy)');
    expect(spanLabel({ name: 'healthy', attrs: { reached: 'completed' } })).toBe('completed');
    expect(spanLabel({ name: 'sync', attrs: {} })).toBe('first sync');
    expect(formatDuration(420)).toBe('0.4 s');
    expect(formatDuration(125_000)).toBe('2 m 05 s');
  });
});

describe('criticalPath', () => {
  it('follows the longest of parallel waits into the dependency that held it', () => {
    const t = timeline([
      ['up-1', 'up', 0, 9000],
      ['up-1/db', 'service', 0, 3000],
      ['up-1/db/start', 'start', 0, 500],
      ['up-1/db/healthy', 'healthy', 500, 3000],
      ['up-1/cache', 'service', 0, 1000],
      ['up-1/cache/start', 'start', 0, 1000],
      ['up-1/web', 'service', 0, 9000],
      ['up-1/web/build', 'build', 0, 2000],
      ['up-1/web/wait:db', 'wait', 2000, 3000, { dependency: 'db', condition: 'healthy' }],
      ['up-1/web/wait:cache', 'wait', 2000, 2001, { dependency: 'cache', condition: 'started' }],
      ['up-1/web/start', 'start', 3000, 4000],
      ['up-1/web/healthy', 'healthy', 4000, 9000],
    ]);
    expect(criticalPath(t)).toEqual([
      'up-1/db',
      'up-1/db/start',
      'up-1/db/healthy',
      'up-1/web',
      'up-1/web/wait:db',
      'up-1/web/start',
      'up-1/web/healthy',
    ]);
  });

  it('leaves out a wait its dependency met at once: the build before it held the service', () => {
    const t = timeline([
      ['up-1', 'up', 0, 6000],
      ['up-1/db', 'service', 0, 1000],
      ['up-1/db/start', 'start', 0, 1000],
      ['up-1/web', 'service', 0, 6000],
      ['up-1/web/build', 'build', 0, 5000],
      ['up-1/web/wait:db', 'wait', 5000, 5001, { dependency: 'db', condition: 'started' }],
      ['up-1/web/start', 'start', 5001, 6000],
    ]);
    expect(criticalPath(t)).toEqual(['up-1/web', 'up-1/web/build', 'up-1/web/start']);
  });

  it('measures a running phase up to now', () => {
    const t = timeline([
      ['up-1', 'up', 0, undefined],
      ['up-1/a', 'service', 0, undefined],
      ['up-1/a/start', 'start', 0, 100],
      ['up-1/a/healthy', 'healthy', 100, undefined],
      ['up-1/b', 'service', 0, 2000],
      ['up-1/b/start', 'start', 0, 2000],
    ]);
    expect(criticalPath(t, T0 + 5000)).toEqual(['up-1/a', 'up-1/a/start', 'up-1/a/healthy']);
    expect(criticalPath(t, T0 + 1000)).toEqual(['up-1/b', 'up-1/b/start']);
  });

  it('is empty for an up with no service phases', () => {
    expect(criticalPath(timeline([['up-1', 'up', 0, 10]]))).toEqual([]);
  });
});
