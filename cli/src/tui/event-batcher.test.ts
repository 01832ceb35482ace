import { afterEach, describe, expect, it, vi } from 'vitest';
import { EventBatcher } from './event-batcher.js';

describe('EventBatcher', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('delivers everything that arrived within a frame as one batch', () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const b = new EventBatcher<number>((x) => batches.push(x), { frameMs: 50, floodFrameMs: 100, floodBatch: 5000 });
    for (let i = 0; i < 1000; i++) b.push(i);
    expect(batches).toEqual([]);
    vi.advanceTimersByTime(50);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toHaveLength(1000);
    b.push(1);
    vi.advanceTimersByTime(49);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(batches).toHaveLength(2);
  });

  it('flushes at once when asked, and drops everything once disposed', () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const b = new EventBatcher<number>((x) => batches.push(x), { frameMs: 50, floodFrameMs: 100, floodBatch: 5000 });
    b.push(1);
    b.flush();
    expect(batches).toEqual([[1]]);
    b.flush();
    expect(batches).toHaveLength(1);
    b.push(2);
    b.dispose();
    vi.advanceTimersByTime(100);
    b.push(3);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(1);
  });

  it('draws half as often during a flood, and at full rate again once it ends', () => {
    vi.useFakeTimers();
    const batches: number[][] = [];
    const b = new EventBatcher<number>((x) => batches.push(x), { frameMs: 50, floodFrameMs: 100, floodBatch: 100 });
    for (let i = 0; i < 200; i++) b.push(i);
    vi.advanceTimersByTime(50);
    expect(batches).toHaveLength(1);
    for (let i = 0; i < 200; i++) b.push(i);
    vi.advanceTimersByTime(50);
    expect(batches).toHaveLength(1);
    vi.advanceTimersByTime(50);
    expect(batches).toHaveLength(2);
    b.push(1);
    vi.advanceTimersByTime(100);
    expect(batches).toHaveLength(3);
    b.push(2);
    vi.advanceTimersByTime(50);
    expect(batches).toHaveLength(4);
  });
});
