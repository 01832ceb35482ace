import { msAt, type SpanEvent, spanEventsOf, T0 } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { TimelineState, timelineNodes } from './timeline-tree.js';

const at = msAt;
const begin = (id: string, name: SpanEvent['name'], ms: number, attrs = {}): SpanEvent =>
  spanEventsOf([[id, name, ms, undefined, attrs]])[0]!;
const end = (id: string, ms: number, extra: Partial<SpanEvent> = {}): SpanEvent => ({
  kind: 'span',
  edge: 'end',
  id,
  name: 'up',
  ts: at(ms),
  outcome: 'ok',
  ...extra,
});

describe('the Up Timeline view', () => {
  it('lists services with their time to ready and their phases, the critical path marked', () => {
    const state = new TimelineState();
    for (const e of [
      begin('up-1', 'up', 0, { project: 'shop', runtime: 'docker' }),
      begin('up-1/prepare', 'prepare', 0),
      end('up-1/prepare', 200),
      begin('up-1/db', 'service', 200),
      begin('up-1/db/healthy', 'healthy', 200),
      begin('up-1/web', 'service', 200),
      begin('up-1/web/build', 'build', 200),
      end('up-1/web/build', 700),
      begin('up-1/web/wait:db', 'wait', 700, { dependency: 'db', condition: 'healthy' }),
      end('up-1/db/healthy', 3200, { attrs: { reached: 'healthy' } }),
      end('up-1/db', 3200, { attrs: { action: 'created' } }),
      end('up-1/web/wait:db', 3200),
      begin('up-1/web/start', 'start', 3200),
    ])
      state.apply(e);
    expect(state.running).toBe(true);
    const nodes = timelineNodes(state.timeline, T0 + 4200);
    expect(nodes.map((n) => [n.label, n.description])).toEqual([
      ['up shop', '…4.2 s · running · docker'],
      ['prepare project', '0.2 s ★'],
      ['db', '3.0 s ★ · created'],
      ['web', '…4.0 s ★'],
    ]);
    expect(nodes[3]!.children.map((c) => [c.label, c.description, c.icon.id])).toEqual([
      ['build', '0.5 s', 'tools'],
      ['wait db (healthy)', '2.5 s ★', 'watch'],
      ['start', '…1.0 s ★', 'loading~spin'],
    ]);
    expect(nodes[3]!.icon.id).toBe('loading~spin');
    state.apply(end('up-1/web/start', 4300, { outcome: 'failed', message: 'healthcheck failing' }));
    state.apply(end('up-1/web', 4300, { outcome: 'failed', message: 'healthcheck failing' }));
    state.apply(end('up-1', 4300, { outcome: 'failed' }));
    const done = timelineNodes(state.timeline);
    expect(done[0]!.description).toBe('4.3 s · failed · docker');
    expect(done[3]).toMatchObject({ icon: { id: 'error' }, tooltip: 'healthcheck failing' });
  });

  it('is empty before any up, and starts over with the next up', () => {
    const state = new TimelineState();
    expect(timelineNodes(state.timeline)).toEqual([]);
    let changes = 0;
    state.onChange(() => changes++);
    state.apply(begin('up-7', 'up', 0, { project: 'shop' }));
    expect(timelineNodes(state.timeline).map((n) => n.label)).toEqual(['up shop']);
    expect(changes).toBe(1);
  });
});
