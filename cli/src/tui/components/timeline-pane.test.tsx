// The TUI's waterfall: built live from span events (w opens it, w closes it), one row per phase
// when they fit, one per service when they do not, the critical path marked.

import { type SpanEvent, spanEventsOf, T0, TimelineBuilder } from '@devenv/engine';
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { stripAnsi } from '../../output/terminal-text.js';
import { FakeTuiClient, sampleStatus } from '../fake-client.js';
import { UpApp } from './app.js';
import { timelineRows } from './timeline-pane.js';

/** postgres healthy after 3 s; backend builds 1 s, waits for postgres, starts in 0.5 s. */
function spans(opts: { backendDone: boolean }): SpanEvent[] {
  const done = (ms: number) => (opts.backendDone ? ms : undefined);
  return spanEventsOf([
    ['up-1', 'up', 0, done(3500), { project: 'shop', runtime: 'docker' }],
    ['up-1/postgres', 'service', 0, 3000],
    ['up-1/postgres/start', 'start', 0, 500],
    ['up-1/postgres/healthy', 'healthy', 500, 3000],
    ['up-1/backend', 'service', 0, done(3500)],
    ['up-1/backend/build', 'build', 0, 1000],
    ['up-1/backend/wait:postgres', 'wait', 1000, 3000, { dependency: 'postgres', condition: 'healthy' }],
    ['up-1/backend/start', 'start', 3000, done(3500)],
  ]);
}

const text = (rows: { text: string }[][]) => rows.map((r) => r.map((p) => p.text).join(''));

describe('timelineRows', () => {
  it('a row per phase when they fit, the critical path marked, widths proportional to time', () => {
    const b = new TimelineBuilder();
    for (const e of spans({ backendDone: true })) b.apply(e);
    const lines = text(timelineRows(b.current, T0 + 3500, 20, 100));
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
    const lines = text(timelineRows(b.current, T0 + 3500, 6, 100));
    expect(lines.slice(3, -1).map((l) => l.trim().split(/\s+/)[0])).toEqual(['postgres', 'backend']);
  });

  it('says so when no up was recorded', () => {
    expect(text(timelineRows(undefined, T0, 10, 80))[1]).toContain('No `up` has been recorded yet');
  });
});

describe('UpApp: the waterfall', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  /** The app on a fake client, a fixed size and clock; its frame as text. */
  function app(client: FakeTuiClient, now: () => number = Date.now) {
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
          now,
        }}
      />,
    );
    unmount = r.unmount;
    return { r, frame: () => stripAnsi(r.lastFrame() ?? '') };
  }

  it('w shows the up growing live from span events, and w closes it', async () => {
    const client = new FakeTuiClient(sampleStatus());
    let now = T0 + 4000;
    const { r, frame } = app(client, () => now);
    await vi.waitFor(() => expect(client.calls).toContain('attach replayLogs=5000'));
    client.emit(...spans({ backendDone: false }));
    r.stdin.write('w');
    await vi.waitFor(() => expect(frame()).toContain('─ timeline · up shop on docker · 4.0 s · running'));
    expect(frame()).toMatch(/ {2}start +★ +…1\.0 s/);
    now = T0 + 5000;
    client.emit(...spans({ backendDone: true }));
    await vi.waitFor(() => expect(frame()).toContain('up shop on docker · 3.5 s · done'));
    r.stdin.write('w');
    await vi.waitFor(() => expect(frame()).toContain('─ logs all services'));
  });

  it('shows the timeline the daemon already had when it attached', async () => {
    const b = new TimelineBuilder();
    for (const e of spans({ backendDone: true })) b.apply(e);
    const client = new FakeTuiClient(sampleStatus(), { timeline: async () => b.current ?? null });
    const { r, frame } = app(client);
    await vi.waitFor(() => expect(client.calls).toContain('timeline'));
    r.stdin.write('w');
    await vi.waitFor(() => expect(frame()).toContain('up shop on docker · 3.5 s · done'));
  });
});
