import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';

describe('FakeClock', () => {
  it('fires timers in due order as time is advanced, and not before', () => {
    const clock = new FakeClock(1_000);
    const fired: string[] = [];
    clock.after(300, () => fired.push(`b@${clock.now()}`));
    clock.after(100, () => fired.push(`a@${clock.now()}`));
    const cancel = clock.after(200, () => fired.push('cancelled'));
    cancel();
    expect(clock.pending()).toEqual([100, 300]);
    clock.advance(99);
    expect(fired).toEqual([]);
    clock.advance(300);
    expect(fired).toEqual(['a@1100', 'b@1300']);
    expect(clock.now()).toBe(1_399);
  });

  it('runs a timer that a firing timer sets, when it falls due in the same advance', () => {
    const clock = new FakeClock(0);
    const fired: number[] = [];
    clock.after(10, () => clock.after(10, () => fired.push(clock.now())));
    clock.advance(25);
    expect(fired).toEqual([20]);
  });
});
