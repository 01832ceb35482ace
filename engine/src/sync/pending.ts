// The coalescing queue between file events and batches. No debounce: the first change goes
// out at once; whatever arrives while a batch is in flight waits here and leaves as the next
// batch. A path appears once however many events it had (last writer wins, because content is
// read when the batch is built, not when the event arrived), and keeps its earliest event time
// so the reported latency is honest.

import { compareParentsFirst } from './paths.js';

export interface PendingPath {
  path: string;
  /** performance.now() of the first event for this path since it was last sent. */
  since: number;
}

export class PendingPaths {
  private readonly map = new Map<string, number>();

  get size(): number {
    return this.map.size;
  }

  add(path: string, since: number): void {
    const prev = this.map.get(path);
    if (prev === undefined || since < prev) this.map.set(path, since);
  }

  has(path: string): boolean {
    return this.map.has(path);
  }

  /** Removes and returns up to `max` paths, parents before their contents. */
  take(max = Number.POSITIVE_INFINITY): PendingPath[] {
    const all = [...this.map.entries()].sort((a, b) => compareParentsFirst(a[0], b[0]));
    const picked = all.slice(0, max);
    for (const [p] of picked) this.map.delete(p);
    return picked.map(([path, since]) => ({ path, since }));
  }

  /** Puts paths back after a failed batch (keeping their original event times). */
  restore(items: readonly PendingPath[]): void {
    for (const item of items) this.add(item.path, item.since);
  }

  clear(): void {
    this.map.clear();
  }
}

/** Latency figures for one sync session: the last batch and the median of recent ones. */
export class LatencyWindow {
  private readonly samples: number[] = [];

  constructor(private readonly capacity = 200) {}

  add(ms: number): void {
    this.samples.push(ms);
    if (this.samples.length > this.capacity) this.samples.shift();
  }

  get count(): number {
    return this.samples.length;
  }

  percentile(p: number): number {
    if (this.samples.length === 0) return 0;
    const sorted = [...this.samples].sort((a, b) => a - b);
    const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[idx]!;
  }
}
