// The waterfall: bars proportional to time on one axis, waiting drawn apart from work, the
// critical path marked, running phases measured to now.

import { T0, type Timeline, timelineOf } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { CRITICAL_MARK, rowText, WAIT_CELL, WORK_CELL, waterfall, waterfallText } from './waterfall.js';

/** db: start 0–1 s, healthy 1–3 s; web: build 0–2 s, wait for db 2–3 s, start 3–4 s. */
function sample(opts: { open?: boolean } = {}): Timeline {
  const done = (ms: number) => (opts.open ? undefined : ms);
  return timelineOf([
    ['up-1', 'up', 0, done(4000), { project: 'shop', runtime: 'docker' }],
    ['up-1/prepare', 'prepare', 0, 0],
    ['up-1/db', 'service', 0, 3000],
    ['up-1/db/start', 'start', 0, 1000],
    ['up-1/db/healthy', 'healthy', 1000, 3000],
    ['up-1/web', 'service', 0, done(4000)],
    ['up-1/web/build', 'build', 0, 2000],
    ['up-1/web/wait:db', 'wait', 2000, 3000, { dependency: 'db', condition: 'healthy' }],
    ['up-1/web/start', 'start', 3000, done(4000)],
  ]);
}

describe('waterfall', () => {
  it('draws bars proportional to time on a shared axis', () => {
    const w = waterfall(sample(), { width: 80, detail: 'phases' });
    expect(w.totalMs).toBe(4000);
    const bar = (label: string) => w.rows.find((r) => r.label.trim() === label && r.kind === 'phase')!;
    const cols = (label: string) => bar(label).cells.map((c) => c.col);
    const quarter = w.barWidth / 4;
    expect(cols('build')).toHaveLength(Math.round(2 * quarter));
    expect(cols('build')[0]).toBe(0);
    expect(cols('wait db (healthy)')[0]).toBe(Math.floor(2 * quarter));
    expect(cols('start').length).toBeGreaterThanOrEqual(Math.floor(quarter));
    expect(bar('build').cells.every((c) => c.char === WORK_CELL)).toBe(true);
    expect(bar('wait db (healthy)').cells.every((c) => c.char === WAIT_CELL)).toBe(true);
    expect(w.axis.startsWith('0s')).toBe(true);
    expect(w.axis).toContain('2s');
  });

  it('marks the critical path: db, then web waiting for it, then web starting', () => {
    const w = waterfall(sample(), { width: 80, detail: 'phases' });
    const marked = w.rows.filter((r) => r.critical).map((r) => r.label.trim());
    expect(marked).toEqual(['prepare project', 'db', 'start', 'healthy', 'web', 'wait db (healthy)', 'start']);
    expect(w.rows.find((r) => r.label.trim() === 'build')!.critical).toBe(false);
    expect(rowText(w, w.rows.find((r) => r.label.trim() === 'healthy')!)).toMatch(
      new RegExp(`^  healthy +${CRITICAL_MARK} +2\\.0 s +${WAIT_CELL}+$`),
    );
  });

  it('has one row per service in the compact form, its phases side by side', () => {
    const w = waterfall(sample(), { width: 60, detail: 'services' });
    expect(w.rows.map((r) => r.label)).toEqual(['prepare project', 'db', 'web']);
    const web = w.rows.find((r) => r.label === 'web')!;
    expect(web.cells.map((c) => c.char).join('')).toMatch(new RegExp(`^${WORK_CELL}+${WAIT_CELL}+${WORK_CELL}+$`));
    expect(web.cells.at(-1)!.col).toBe(w.barWidth - 1);
  });

  it('measures an up still running to now, and says so', () => {
    const lines = waterfallText(sample({ open: true }), { width: 90, detail: 'phases', nowMs: T0 + 8000 });
    expect(lines[0]).toBe('up shop on docker · 8.0 s · running');
    expect(lines.find((l) => l.trimStart().startsWith('start') && l.includes('…'))).toContain('…5.0 s');
  });
});
