// The Clock for tests: time moves only when the test says so, and timers fire in due order.

import type { Clock } from './clock.js';

interface PendingTimer {
  due: number;
  seq: number;
  fn: () => void;
}

export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers: PendingTimer[] = [];

  constructor(start = Date.parse('2030-01-01T00:00:00.000Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  after(ms: number, fn: () => void): () => void {
    const timer: PendingTimer = { due: this.current + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((t) => t !== timer);
    };
  }

  /** Delays (from now) of the timers still waiting, soonest first. */
  pending(): number[] {
    return this.sorted().map((t) => t.due - this.current);
  }

  /** Move time forward, firing every timer that falls due on the way, in order. */
  advance(ms: number): void {
    const until = this.current + ms;
    for (;;) {
      const next = this.sorted()[0];
      if (!next || next.due > until) break;
      this.timers = this.timers.filter((t) => t !== next);
      this.current = next.due;
      next.fn();
    }
    this.current = until;
  }

  private sorted(): PendingTimer[] {
    return [...this.timers].sort((a, b) => a.due - b.due || a.seq - b.seq);
  }
}
