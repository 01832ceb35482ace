import { describe, expect, it } from 'vitest';
import { RestartBudget } from './restart-budget.js';

describe('RestartBudget', () => {
  it('allows five restarts within three minutes, then refuses', () => {
    let t = 0;
    const budget = new RestartBudget(5, 180_000, () => t);
    for (let i = 0; i < 5; i++) {
      expect(budget.tryRestart()).toBe(true);
      t += 1000;
    }
    expect(budget.tryRestart()).toBe(false);
    expect(budget.recent).toBe(5);
  });

  it('forgets crashes older than the window', () => {
    let t = 0;
    const budget = new RestartBudget(5, 180_000, () => t);
    for (let i = 0; i < 5; i++) budget.tryRestart();
    t = 180_000;
    expect(budget.tryRestart()).toBe(true);
  });

  it('starts over after a manual restart', () => {
    const budget = new RestartBudget(1, 180_000, () => 0);
    expect(budget.tryRestart()).toBe(true);
    expect(budget.tryRestart()).toBe(false);
    budget.reset();
    expect(budget.tryRestart()).toBe(true);
  });
});
