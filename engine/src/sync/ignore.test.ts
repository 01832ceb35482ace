import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { walkHostTree } from './host-tree.js';
import { globToRegexSource, IgnoreMatcher, parseIgnorePatterns } from './ignore.js';

function tmpRoot(files: Record<string, string> = {}): string {
  const root = mkdtempSync(path.join(tmpdir(), 'ign-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}

describe('globToRegexSource', () => {
  it('keeps * and ? inside one component and ** across them', () => {
    const re = (g: string) => new RegExp(`^${globToRegexSource(g)}$`);
    expect(re('*.py').test('a.py')).toBe(true);
    expect(re('*.py').test('d/a.py')).toBe(false);
    expect(re('**/x').test('a/b/x')).toBe(true);
    expect(re('**/x').test('x')).toBe(true);
    expect(re('a/**').test('a/b/c')).toBe(true);
    expect(re('a?c').test('abc')).toBe(true);
    expect(re('a?c').test('a/c')).toBe(false);
    expect(re('[ab]x').test('bx')).toBe(true);
    expect(re('[!ab]x').test('cx')).toBe(true);
    expect(re('[!ab]x').test('ax')).toBe(false);
  });
});

describe('IgnoreMatcher: built-ins', () => {
  const root = tmpRoot();
  const m = new IgnoreMatcher(root, { dockerignore: false });
  it.each([
    ['.git', true, true],
    ['sub/.git', false, true],
    ['4913', false, true],
    ['src/main.py~', false, true],
    ['src/.main.py.swp', false, true],
    ['src/.main.py.swx', false, true],
    ['src/main.py___jb_tmp___', false, true],
    ['src/main.py___jb_old___', false, true],
    ['src/#main.py#', false, true],
    ['src/.#main.py', false, true],
    ['src/main.py', false, false],
    ['src/swp.py', false, false],
  ])('%s (dir=%s) ignored=%s', (rel, isDir, ignored) => {
    expect(m.ignores(path.join(root, rel), isDir)).toBe(ignored);
  });
  it('ignores everything inside .git', () => {
    expect(m.ignores(path.join(root, '.git/objects/ab'), false)).toBe(true);
  });
});

describe('IgnoreMatcher: .gitignore', () => {
  const root = tmpRoot({
    '.gitignore': 'node_modules\n/build/\n*.log\n!keep.log\ndocs/*.tmp\n',
    'web/.gitignore': 'dist\n!important.log\n',
  });
  const m = new IgnoreMatcher(root, { dockerignore: false });
  const ig = (rel: string, isDir = false) => m.ignores(path.join(root, rel), isDir);
  it('matches basenames at any depth', () => {
    expect(ig('node_modules', true)).toBe(true);
    expect(ig('web/node_modules', true)).toBe(true);
    expect(ig('web/node_modules/x/y.js')).toBe(true);
  });
  it('anchors patterns with a slash and honours dir-only rules', () => {
    expect(ig('build', true)).toBe(true);
    expect(ig('build', false)).toBe(false);
    expect(ig('sub/build', true)).toBe(false);
    expect(ig('docs/a.tmp')).toBe(true);
    expect(ig('docs/x/a.tmp')).toBe(false);
  });
  it('lets the last matching rule win, and nested files override', () => {
    expect(ig('a.log')).toBe(true);
    expect(ig('keep.log')).toBe(false);
    expect(ig('web/dist', true)).toBe(true);
    expect(ig('dist', true)).toBe(false);
    expect(ig('web/important.log')).toBe(false);
  });
  it('offers literal basenames no negation can undo for pruning', () => {
    expect(m.pruneNames()).toContain('.git');
  });
});

describe('IgnoreMatcher: .dockerignore and watch ignores', () => {
  const root = tmpRoot({ '.dockerignore': 'node_modules\n**/*.pyc\nsecret/*\n!secret/public\n' });
  const m = new IgnoreMatcher(root, { patterns: ['tmp/', 'data/**/*.csv'] });
  const ig = (rel: string, isDir = false) => m.ignores(path.join(root, rel), isDir);
  it('anchors at the root and covers what is inside a match', () => {
    expect(ig('node_modules', true)).toBe(true);
    expect(ig('node_modules/a/b.js')).toBe(true);
    expect(ig('web/node_modules', true)).toBe(false);
    expect(ig('a/b/c.pyc')).toBe(true);
    expect(ig('c.pyc')).toBe(true);
  });
  it('re-includes with !', () => {
    expect(ig('secret/key')).toBe(true);
    expect(ig('secret/public')).toBe(false);
  });
  it('applies develop.watch ignore patterns relative to the rule path', () => {
    expect(ig('tmp', true)).toBe(true);
    expect(ig('tmp/x')).toBe(true);
    expect(ig('data/2024/x.csv')).toBe(true);
    expect(ig('data/x.json')).toBe(false);
  });
  it('prunes root-anchored literal paths only from sets without negations', () => {
    const names = m.pruneNames();
    expect(names).toContain('/tmp');
    expect(names).not.toContain('/node_modules'); // its set has a negation
  });
  it('parses comments, blank lines and escapes', () => {
    expect(parseIgnorePatterns(['# c', '', '\\#hash', '\\!bang'])).toHaveLength(2);
  });
});

describe('IgnoreMatcher: a file re-included inside an excluded directory, as Docker does', () => {
  // `dir` then `!dir/keep`: Docker's build context holds dir/keep, so the image has it; the sync
  // must keep it up to date too (it used to ignore everything under an ignored directory).
  const root = tmpRoot({ '.dockerignore': 'dir\n!dir/keep\n', 'dir/keep': 'k', 'dir/other': 'o' });
  const m = new IgnoreMatcher(root, { gitignore: false });
  const ig = (rel: string, isDir = false) => m.ignores(path.join(root, rel), isDir);
  it('syncs dir/keep and nothing else under dir', () => {
    expect(ig('dir/keep')).toBe(false);
    expect(ig('dir/other')).toBe(true);
    expect(ig('dir', true)).toBe(false); // walked, since an exception can match inside it
  });
  it('finds dir/keep in the host tree walk', () => {
    const { entries } = walkHostTree(root, m);
    expect(entries.map((e) => e.path).sort()).toEqual(['.dockerignore', 'dir', 'dir/keep']);
  });
  it('skips a directory no exception can reach into, as Docker does', () => {
    const other = new IgnoreMatcher(tmpRoot({ '.dockerignore': 'dir\n!**/keep\n' }), { gitignore: false });
    expect(other.ignores(path.join(other.root, 'dir'), true)).toBe(true);
  });
});
