import { describe, expect, it } from 'vitest';
import { firstLine } from './error-text.js';
import { sleep, withTimeout } from './timing.js';

describe('withTimeout', () => {
  it('passes the value or the error through when the promise settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1_000, 'slow')).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('broke')), 1_000, 'slow')).rejects.toThrow('broke');
  });

  it('rejects with the message when the deadline comes first', async () => {
    await expect(withTimeout(sleep(200), 10, 'the engine did not answer in 10 ms')).rejects.toThrow(
      'the engine did not answer in 10 ms',
    );
  });
});

describe('firstLine', () => {
  it('takes the first line of any thrown value, cut to a length', () => {
    expect(firstLine(new Error('exec failed\n  at stack'))).toBe('exec failed');
    expect(firstLine('plain text')).toBe('plain text');
    expect(firstLine(new Error('x'.repeat(300)), 200)).toHaveLength(200);
  });
});
