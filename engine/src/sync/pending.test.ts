import { describe, expect, it } from 'vitest';
import { LatencyWindow, PendingPaths } from './pending.js';

describe('PendingPaths', () => {
  it('keeps each path once with its earliest event time, parents first', () => {
    const p = new PendingPaths();
    p.add('a/b', 5);
    p.add('a', 9);
    p.add('a/b', 3);
    p.add('a/b', 7);
    p.add('z', 1);
    expect(p.size).toBe(3);
    expect(p.take()).toEqual([
      { path: 'a', since: 9 },
      { path: 'a/b', since: 3 },
      { path: 'z', since: 1 },
    ]);
    expect(p.size).toBe(0);
  });
  it('takes at most max and leaves the rest for the next batch', () => {
    const p = new PendingPaths();
    for (const x of ['c', 'a', 'b']) p.add(x, 1);
    expect(p.take(2).map((i) => i.path)).toEqual(['a', 'b']);
    expect(p.take().map((i) => i.path)).toEqual(['c']);
  });
  it('restores a failed batch without losing newer events', () => {
    const p = new PendingPaths();
    p.add('a', 10);
    const batch = p.take();
    p.add('a', 20);
    p.add('b', 21);
    p.restore(batch);
    expect(p.take()).toEqual([
      { path: 'a', since: 10 },
      { path: 'b', since: 21 },
    ]);
  });
});

describe('LatencyWindow', () => {
  it('reports percentiles over a bounded window', () => {
    const w = new LatencyWindow(5);
    for (const x of [100, 1, 2, 3, 4, 5]) w.add(x);
    expect(w.count).toBe(5);
    expect(w.percentile(50)).toBe(3);
    expect(w.percentile(100)).toBe(5);
  });
});
