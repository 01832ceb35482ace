import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readdirBeneath, readFileBeneath } from './host-beneath.js';
import { walkHostTree } from './host-tree.js';

function sandbox() {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(tmpdir(), 'beneath-')));
  const root = path.join(base, 'root');
  fs.mkdirSync(path.join(root, 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src/app.py'), 'print(1)\n');
  fs.mkdirSync(path.join(base, 'secret'));
  fs.writeFileSync(path.join(base, 'secret/id_rsa'), 'PRIVATE');
  return { base, root };
}

describe('reading beneath a sync root', () => {
  it('reads files and lists directories that are really there', () => {
    const { root } = sandbox();
    expect(readFileBeneath(root, 'src/app.py').toString()).toBe('print(1)\n');
    expect(readdirBeneath(root, 'src')).toEqual(['app.py']);
  });

  it('refuses a parent that is a symlink, and a file that is one', () => {
    const { base, root } = sandbox();
    fs.symlinkSync(path.join(base, 'secret'), path.join(root, 'linked'));
    fs.symlinkSync(path.join(base, 'secret/id_rsa'), path.join(root, 'key'));
    expect(() => readFileBeneath(root, 'linked/id_rsa')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => readdirBeneath(root, 'linked')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(() => readFileBeneath(root, 'key')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
  });

  it('refuses a FIFO without blocking', () => {
    const { root } = sandbox();
    const fifo = path.join(root, 'pipe');
    execFileSync('mkfifo', [fifo]);
    expect(() => readFileBeneath(root, 'pipe')).toThrow(expect.objectContaining({ code: 'EINVAL' }));
  });

  it('walks the tree without descending into a directory swapped for a link', () => {
    const { base, root } = sandbox();
    fs.rmSync(path.join(root, 'src'), { recursive: true });
    fs.symlinkSync(path.join(base, 'secret'), path.join(root, 'src'));
    const { entries } = walkHostTree(root);
    expect(entries.map((e) => e.path)).toEqual([]);
  });

  it('never carries setuid, setgid or sticky bits', () => {
    const { root } = sandbox();
    fs.chmodSync(path.join(root, 'src/app.py'), 0o4755);
    fs.chmodSync(path.join(root, 'src'), 0o1777);
    const { entries } = walkHostTree(root);
    expect(entries.map((e) => [e.path, e.mode.toString(8)]).sort()).toEqual([
      ['src', '777'],
      ['src/app.py', '755'],
    ]);
  });
});
