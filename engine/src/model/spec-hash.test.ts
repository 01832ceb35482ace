import { describe, expect, it } from 'vitest';
import { canonicalJson, specHash } from './spec-hash.js';

describe('spec hash', () => {
  it('ignores key order and undefined fields', () => {
    expect(canonicalJson({ b: 1, a: [1, { d: undefined, c: 'x' }] })).toBe('{"a":[1,{"c":"x"}],"b":1}');
    expect(specHash({ x: 1, y: 2 })).toBe(specHash({ y: 2, x: 1, z: undefined }));
  });

  it('changes when any value changes', () => {
    expect(specHash({ env: { A: '1' } })).not.toBe(specHash({ env: { A: '2' } }));
  });
});
