import { describe, expect, it } from 'vitest';
import { restartDelayMs, shouldRestart } from './restart-rules.js';

describe('restart policy', () => {
  it('follows Compose semantics', () => {
    expect(shouldRestart({ name: 'no' }, 1, 0)).toBe(false);
    expect(shouldRestart({ name: 'always' }, 0, 10)).toBe(true);
    expect(shouldRestart({ name: 'unless-stopped' }, 137, 0)).toBe(true);
    expect(shouldRestart({ name: 'on-failure' }, 0, 0)).toBe(false);
    expect(shouldRestart({ name: 'on-failure' }, 2, 100)).toBe(true);
    expect(shouldRestart({ name: 'on-failure', maxRetries: 3 }, 2, 2)).toBe(true);
    expect(shouldRestart({ name: 'on-failure', maxRetries: 3 }, 2, 3)).toBe(false);
  });

  it('backs off exponentially up to 30 s', () => {
    expect([1, 2, 3, 4].map(restartDelayMs)).toEqual([500, 1000, 2000, 4000]);
    expect(restartDelayMs(50)).toBe(30_000);
  });
});
