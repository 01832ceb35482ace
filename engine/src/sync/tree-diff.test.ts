import { describe, expect, it } from 'vitest';
import type { TreeEntry } from './transport.js';
import { diffTrees } from './tree-diff.js';

const f = (path: string, size = 1, mode = 0o644, extra: Partial<TreeEntry> = {}): TreeEntry => ({
  path,
  kind: 'file',
  mode,
  size,
  mtimeMs: 1000,
  ...extra,
});
const d = (path: string, mode = 0o755): TreeEntry => ({ path, kind: 'dir', mode, size: 0, mtimeMs: 0 });
const l = (path: string, linkTarget: string): TreeEntry => ({
  path,
  kind: 'symlink',
  mode: 0o777,
  size: 0,
  mtimeMs: 0,
  linkTarget,
});

describe('diffTrees', () => {
  it('sends what is missing or different, compares what only a hash can tell', () => {
    const host = [d('a'), f('a/x', 3), f('a/y', 4), f('a/z', 4, 0o755), l('ln', 'a'), f('new')];
    const remote = [d('a'), f('a/x', 3), f('a/y', 5), f('a/z', 4, 0o644), l('ln', 'b')];
    const r = diffTrees(host, remote);
    expect(r.send).toEqual(['a/y', 'a/z', 'ln', 'new']);
    expect(r.compare).toEqual(['a/x']);
    expect(r.remove).toEqual([]);
  });
  it('removes extras top-most only, and not below a host file that replaces a directory', () => {
    const host = [f('swap'), d('keep')];
    const remote = [d('swap'), f('swap/inner'), d('keep'), d('keep/old'), f('keep/old/a'), f('keep/old/b'), f('stray')];
    const r = diffTrees(host, remote);
    expect(r.send).toEqual(['swap']);
    expect(r.remove).toEqual(['keep/old', 'stray']);
  });
  it('resends on kind change and directory mode change', () => {
    const r = diffTrees([d('x'), f('y'), d('m', 0o700)], [f('x'), d('y'), d('m', 0o755)]);
    expect(r.send).toEqual(['m', 'x', 'y']);
  });
  it('uses hashes when both sides carry them, and mtimes only when trusted', () => {
    expect(diffTrees([f('a', 1, 0o644, { hash: 'aa' })], [f('a', 1, 0o644, { hash: 'bb' })]).send).toEqual(['a']);
    expect(diffTrees([f('a', 1, 0o644, { hash: 'aa' })], [f('a', 1, 0o644, { hash: 'aa' })]).send).toEqual([]);
    expect(diffTrees([f('a')], [f('a')], { trustMtime: true }).compare).toEqual([]);
    expect(diffTrees([f('a')], [f('a', 1, 0o644, { mtimeMs: 2000 })], { trustMtime: true }).compare).toEqual(['a']);
  });
});
