import { describe, expect, it } from 'vitest';
import { durationHint, parseDuration } from './durations.js';

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['1m30s', 90_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2h', 7_200_000],
    ['1h2m3s4ms', 3_723_004],
    ['0', 0],
    ['1500us', 2],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['5 seconds', '30', '1d', '', 'ms', '-5s', '5s ago'])('rejects %j', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});

describe('durationHint', () => {
  it('suggests the Go spelling of common near-misses', () => {
    expect(durationHint('5 seconds')).toContain('`5s`');
    expect(durationHint('2 minutes')).toContain('`2m`');
    expect(durationHint('30')).toContain('`30s`');
    expect(durationHint('soon')).toContain('1m30s');
  });
});
