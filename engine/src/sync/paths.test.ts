import { describe, expect, it } from 'vitest';
import { checkRelativePath, compareParentsFirst, escapeName, linkStaysInside, relativeInside } from './paths.js';

describe('checkRelativePath', () => {
  it.each([
    ['a/b.txt', undefined],
    ['a b/ü ñ.py', undefined],
    ['..', "'..' component"],
    ['../../x', "'..' component"],
    ['a/../b', "'..' component"],
    ['/etc/passwd', 'absolute path'],
    ['', 'empty path'],
    ['a//b', 'empty path component'],
    ['./a', "'.' component"],
    ['a\0b', 'NUL byte in path'],
  ])('%j → %s', (p, why) => {
    expect(checkRelativePath(p)).toBe(why);
  });
});

describe('linkStaysInside', () => {
  it('accepts targets that stay under the root', () => {
    expect(linkStaysInside('a/link', '../b')).toBe(true);
    expect(linkStaysInside('link', 'sub/dir')).toBe(true);
    expect(linkStaysInside('a/b/link', '../../c')).toBe(true);
    expect(linkStaysInside('a/link', './../y')).toBe(true);
  });
  it('refuses `..` after a name: the name may be a link itself (d/l3 -> .., then d/l4 -> l3/../..)', () => {
    expect(linkStaysInside('d/l3', '..')).toBe(true);
    expect(linkStaysInside('d/l4', 'l3/../..')).toBe(false);
    expect(linkStaysInside('a/link', './x/../y')).toBe(false);
  });
  it('refuses absolute targets and ones that climb out', () => {
    expect(linkStaysInside('link', '/etc')).toBe(false);
    expect(linkStaysInside('link', '..')).toBe(false);
    expect(linkStaysInside('a/link', '../../x')).toBe(false);
    expect(linkStaysInside('a/link', 'x/../../../y')).toBe(false);
    expect(linkStaysInside('link', '')).toBe(false);
  });
});

describe('escapeName', () => {
  it('escapes control characters and backslashes, keeps unicode', () => {
    expect(escapeName('a\nb\tc\x01d\\e\x7f')).toBe('a\\nb\\tc\\x01d\\\\e\\x7f');
    expect(escapeName('héllo wörld ✓')).toBe('héllo wörld ✓');
    expect(escapeName('\x1b[31mred')).toBe('\\x1b[31mred');
  });
});

describe('compareParentsFirst', () => {
  it('puts a directory before its contents and siblings after', () => {
    const paths = ['a-b', 'a/b', 'a', 'a.txt', 'a/b/c', 'b'];
    expect([...paths].sort(compareParentsFirst)).toEqual(['a', 'a/b', 'a/b/c', 'a-b', 'a.txt', 'b']);
  });
});

describe('relativeInside', () => {
  it('returns POSIX relative paths only for paths inside the root', () => {
    expect(relativeInside('/r', '/r/a/b')).toBe('a/b');
    expect(relativeInside('/r', '/r')).toBe('');
    expect(relativeInside('/r', '/rx/a')).toBeUndefined();
    expect(relativeInside('/r', '/other')).toBeUndefined();
  });
});
