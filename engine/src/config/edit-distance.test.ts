import { describe, expect, it } from 'vitest';
import { closest, didYouMean, editDistance } from './edit-distance.js';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and transpositions', () => {
    expect(editDistance('healthcheck', 'helthcheck')).toBe(1);
    expect(editDistance('python', 'pyhton')).toBe(1);
    expect(editDistance('backend', 'frontend')).toBe(5);
    expect(editDistance('', 'abc')).toBe(3);
  });
});

describe('closest', () => {
  it('finds a plausible typo and ignores distant names', () => {
    expect(closest('backedn', ['frontend', 'backend', 'db'])).toBe('backend');
    expect(closest('Backend', ['backend'])).toBe('backend');
    expect(closest('zzz', ['backend', 'db'])).toBeUndefined();
  });

  it('never suggests the word itself', () => {
    expect(closest('db', ['db'])).toBeUndefined();
  });

  it('phrases the suggestion', () => {
    expect(didYouMean('helthcheck', ['healthcheck', 'image'])).toBe('did you mean `healthcheck`?');
  });
});
