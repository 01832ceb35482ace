import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../fake-client.js';
import { layout } from './layout.js';
import { initialState, reduce } from './reducer.js';

const state = (rows: number, services = 3) => {
  const s = initialState({ project: 'p', now: 0, columns: 120, rows });
  const status = sampleStatus();
  const many = Array.from({ length: services }, (_, i) => ({ ...status.services[0]!, name: `svc${i}` }));
  return reduce(s, { type: 'snapshot', status: { ...status, services: many } });
};

describe('layout', () => {
  it('leaves the last row free and gives the rest to the log pane', () => {
    const l = layout(state(45));
    // header 1, table header 1 + 3 rows, log title 1, footer 2, one free row.
    expect(l).toMatchObject({ headerRows: 1, tableRows: 3, progressRows: 0, footerRows: 2 });
    expect(1 + 1 + 3 + 1 + l.logRows + 2).toBe(44);
  });

  it('caps a long service list at half the free rows and scrolls it with the selection', () => {
    let s = state(30, 40);
    const l = layout(s);
    expect(l.tableRows).toBe(12);
    expect(l.tableOffset).toBe(0);
    s = reduce(s, { type: 'select', delta: 30 });
    const l2 = layout(s);
    expect(30).toBeGreaterThanOrEqual(l2.tableOffset);
    expect(30).toBeLessThan(l2.tableOffset + l2.tableRows);
  });

  it('adds a header row for a cluster and rows for progress', () => {
    const s = {
      ...state(40),
      project: { name: 'p', dir: '', phase: 'running' as const, cluster: { name: 'kind-dev', context: 'kind-dev' } },
      progress: [1, 2, 3, 4].map((i) => ({ kind: 'progress' as const, ts: '', id: `b${i}`, title: 'build' })),
    };
    const l = layout(s);
    expect(l.headerRows).toBe(2);
    expect(l.progressRows).toBe(3);
  });

  it('never goes negative in a tiny terminal', () => {
    const l = layout(state(5));
    expect(l.logRows).toBeGreaterThanOrEqual(0);
    expect(l.tableRows).toBeGreaterThanOrEqual(0);
  });
});
