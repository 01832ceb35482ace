import { describe, expect, it } from 'vitest';
import { normaliseProjectName } from './project-name.js';

describe('normaliseProjectName', () => {
  it('lowercases and keeps only [a-z0-9_-], not starting with _ or -', () => {
    expect(normaliseProjectName('My App')).toBe('myapp');
    expect(normaliseProjectName('_web-Shop.v2')).toBe('web-shopv2');
    expect(normaliseProjectName('...')).toBe('');
  });
});
