// The TUI's waterfall: built live from span events (w opens it, w closes it), one row per phase
// when they fit, one per service when they do not, the critical path marked.

import type { EngineEvent, SpanEvent } from '@devenv/engine';
import { TimelineBuilder } from '@devenv/engine';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { FakeTuiClient, sampleStatus } from '../fake-client.js';
import { UpApp } from './app.js';
import { timelineRows } from './timeline-pane.js';

const t0 = Date.parse('2026-01-01T10:00:00.000Z');
const at = (ms: number) => new Date(t0 + ms).toISOString();

/** postgres healthy after 3 s; backend builds 1 s, waits for postgres, starts in 0.5 s. */
function spans(opts: { backendDone: boolean }): SpanEvent[] {
  const b = (id: string, name: SpanEvent['name'], ms: number, attrs = {}): SpanEvent => ({
    kind: 'span',
    edge: 'begin',
    id,
    name,
    ts: at(ms),
    attrs,
    ...(id.includes('/') ? { parent: id.slice(0, id.lastIndexOf('/')) } : {}),
    ...(id.split('/')[1] ? { service: id.split('/')[1] } : {}),
  });
  const e = (id: string, name: SpanEvent['name'], ms: number): SpanEvent => ({
    kind: 'span',
    edge: 'end',
    id,
    name,
    ts: at(ms),
    outcome: 'ok',
  });
  const out = [
    b('up-1', 'up', 0, { project: 'shop', runtime: 'docker' }),
    b('up-1/postgres', 'service', 0),
    b('up-1/postgres/start', 'start', 0),
    b('up-1/backend', 'service', 0),
    b('up-1/backend/build', 'build', 0),
    e('up-1/postgres/start', 'start', 500),
    b('up-1/postgres/healthy', 'healthy', 500),
    e('up-1/backend/build', 'build', 1000),
    b('up-1/backend/wait:postgres', 'wait', 1000, { dependency: 'postgres', condition: 'healthy' }),
    e('up-1/postgres/healthy', 'healthy', 3000),
    e('up-1/postgres', 'service', 3000),
    e('up-1/backend/wait:postgres', 'wait', 3000),
    b('up-1/backend/start', 'start', 3000),
  ];
  if (opts.backendDone)
    out.push(e('up-1/backend/start', 'start', 3500), e('up-1/backend', 'service', 3500), e('up-1', 'up', 3500));
  return out;
}

const text = (rows: { text: string }[][]) => rows.map((r) => r.map((p) => p.text).join(''));

describe('timelineRows', () => {
  it('a row per phase when they fit, the critical path marked, widths proportional to time', () => {
    const b = new TimelineBuilder();
    for (const e of spans({ backendDone: true })) b.apply(e);
    const lines = text(timelineRows(b.current, t0 + 3500, 20, 100));
    expect(lines[0]).toMatch(/^─ timeline · up shop on docker · 3\.5 s · done ─+$/);
    const row = (label: string) => lines.find((l) => l.trimStart().startsWith(label))!;
    expect(row('wait postgres (healthy)')).toMatch(/★ +2\.0 s +▒+$/);
    expect(row('build')).toMatch(/^ {4}build {2,} {3}1\.0 s █+$/);
    const bars = (l: string) => (l.match(/[█▒]+/) ?? [''])[0].length;
    // 2 s of waiting is twice 1 s of building, within a cell of rounding.
    expect(Math.abs(bars(row('wait postgres (healthy)')) - 2 * bars(row('build')))).toBeLessThanOrEqual(1);
    expect(lines.at(-1)).toContain('w, esc or q closes this');
  });

  it('a row per service when the phases do not fit', () => {
    const b = new TimelineBuilder();
    for (const e of spans({ backendDone: true })) b.apply(e);
    const lines = text(timelineRows(b.current, t0 + 3500, 6, 100));
    expect(lines.slice(3, -1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['postgres', 'backend']);
  });

  it('says so when no up was recorded', () => {
    expect(text(timelineRows(undefined, t0, 10, 80))[1]).toContain('No `up` has been recorded yet');
  });
});

describe('UpApp: the waterfall', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('w shows the up growing live from span events, and w closes it', async () => {
    const client = new FakeTuiClient(sampleStatus());
    let now = t0 + 4000;
    const r = render(
      <UpApp
        client={client}
        onExit={() => undefined}
        options={{
          project: 'shop',
          hyperlinks: false,
          colour: false,
          runUp: false,
          size: { columns: 110, rows: 34 },
          frameMs: 5,
          now: () => now,
        }}
      />,
    );
    unmount = r.unmount;
    const frame = () => stripAnsi(r.lastFrame() ?? '');
    await vi.waitFor(() => expect(client.calls).toContain('attach replayLogs=5000'));
    client.emit(...(spans({ backendDone: false }) as EngineEvent[]));
    r.stdin.write('w');
    await vi.waitFor(() => expect(frame()).toContain('─ timeline · up shop on docker · 4.0 s · running'));
    expect(frame()).toMatch(/ {2}start +★ +…1\.0 s/);
    now = t0 + 5000;
    client.emit(...(spans({ backendDone: true }).slice(-3) as EngineEvent[]));
    await vi.waitFor(() => expect(frame()).toContain('up shop on docker · 3.5 s · done'));
    r.stdin.write('w');
    await vi.waitFor(() => expect(frame()).toContain('─ logs all services'));
  });

  it('shows the timeline the daemon already had when it attached', async () => {
    const b = new TimelineBuilder();
    for (const e of spans({ backendDone: true })) b.apply(e);
    const client = new FakeTuiClient(sampleStatus(), { timeline: async () => b.current ?? null });
    const r = render(
      <UpApp
        client={client}
        onExit={() => undefined}
        options={{
          project: 'shop',
          hyperlinks: false,
          colour: false,
          runUp: false,
          size: { columns: 110, rows: 34 },
          frameMs: 5,
        }}
      />,
    );
    unmount = r.unmount;
    await vi.waitFor(() => expect(client.calls).toContain('timeline'));
    r.stdin.write('w');
    await vi.waitFor(() => expect(stripAnsi(r.lastFrame() ?? '')).toContain('up shop on docker · 3.5 s · done'));
  });
});
