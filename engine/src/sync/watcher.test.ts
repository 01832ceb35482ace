import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IgnoreMatcher } from './ignore.js';
import { type ChangeSet, ProjectWatcher } from './watcher.js';

const watchers: ProjectWatcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.close();
});

function tree(): string {
  const root = fs.mkdtempSync(path.join(tmpdir(), 'watch-'));
  fs.mkdirSync(path.join(root, 'src/deep'), { recursive: true });
  fs.mkdirSync(path.join(root, 'node_modules/pkg/lib'), { recursive: true });
  fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules\n');
  fs.writeFileSync(path.join(root, 'src/a.py'), 'a');
  return root;
}

function collect(w: ProjectWatcher) {
  const seen = new Set<string>();
  w.on('changes', (c: ChangeSet) => {
    for (const p of c.paths) seen.add(p);
  });
  return seen;
}

async function until(cond: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// Both ways of watching: one watch per directory (Linux's default) and one recursive watch per
// root (macOS' default), forced here so each runs on every machine.
describe.each([{ recursive: false }, { recursive: true }])('ProjectWatcher (recursive: $recursive)', (mode) => {
  it('puts no watch on ignored directories', async () => {
    const root = tree();
    const w = new ProjectWatcher([{ path: root, filter: new IgnoreMatcher(root) }], mode);
    watchers.push(w);
    await w.start();
    expect(w.stats()).toEqual({ watchedDirs: 3, polledDirs: 0, mode: 'watch' }); // root, src, src/deep
  });

  it('reports edits, and watches new directories including files made before the watch', async () => {
    const root = tree();
    const w = new ProjectWatcher([{ path: root, filter: new IgnoreMatcher(root) }], mode);
    watchers.push(w);
    const seen = collect(w);
    await w.start();
    fs.writeFileSync(path.join(root, 'src/a.py'), 'b');
    // mkdir -p and a file in one go: the file exists before any watch on new/ can exist.
    fs.mkdirSync(path.join(root, 'new/sub'), { recursive: true });
    fs.writeFileSync(path.join(root, 'new/sub/early.txt'), 'x');
    fs.writeFileSync(path.join(root, 'node_modules/pkg/ignored.js'), 'x');
    await until(() => seen.has(path.join(root, 'new/sub/early.txt')));
    expect(seen.has(path.join(root, 'src/a.py'))).toBe(true);
    fs.writeFileSync(path.join(root, 'new/sub/late.txt'), 'y');
    await until(() => seen.has(path.join(root, 'new/sub/late.txt')));
    expect([...seen].some((p) => p.includes('node_modules'))).toBe(false);
  });

  it('reports a directory renamed into place as fresh, with all its contents', async () => {
    const root = tree();
    fs.mkdirSync(path.join(root, 'other/inner'), { recursive: true });
    fs.writeFileSync(path.join(root, 'other/inner/x'), 'x');
    const w = new ProjectWatcher([{ path: root, filter: new IgnoreMatcher(root) }], mode);
    watchers.push(w);
    const fresh = new Set<string>();
    const seen = collect(w);
    w.on('changes', (c: ChangeSet) => {
      for (const p of c.freshDirs ?? []) fresh.add(p);
    });
    await w.start();
    fs.renameSync(path.join(root, 'src'), path.join(root, 'gone'));
    fs.renameSync(path.join(root, 'other'), path.join(root, 'src'));
    await until(() => fresh.has(path.join(root, 'src')) && seen.has(path.join(root, 'src/inner/x')));
    fs.writeFileSync(path.join(root, 'src/inner/y'), 'y');
    await until(() => seen.has(path.join(root, 'src/inner/y')));
  });

  // Per directory: the first two directories get a watch, the rest are polled. Recursive: the
  // root's one watch fails, so every directory is polled.
  it('falls back to polling with one clear warning when watches run out (ENOSPC)', async () => {
    const root = tree();
    fs.mkdirSync(path.join(root, 'more/a/b'), { recursive: true });
    let budget = mode.recursive ? 0 : 2;
    const warnings: string[] = [];
    const w = new ProjectWatcher([{ path: root, filter: new IgnoreMatcher(root) }], {
      ...mode,
      pollIntervalMs: 50,
      watchFn: (dir, listener, recursive) => {
        if (budget-- <= 0)
          throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), {
            code: 'ENOSPC',
          });
        return fs.watch(dir, { recursive }, listener);
      },
    });
    watchers.push(w);
    w.on('warning', (m) => warnings.push(m));
    const seen = collect(w);
    await w.start();
    expect(w.stats().mode).toBe(mode.recursive ? 'poll' : 'mixed');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/fs\.inotify\.max_user_watches/);
    const polled = [...['more', 'more/a', 'more/a/b', 'src', 'src/deep']].map((d) => path.join(root, d));
    for (const d of polled) fs.writeFileSync(path.join(d, 'f.txt'), 'x');
    await until(() => polled.every((d) => seen.has(path.join(d, 'f.txt'))));
    expect(warnings).toHaveLength(1);
  });

  it('reports a burst near the kernel queue size as an overflow', async () => {
    const root = tree();
    const w = new ProjectWatcher([{ path: root }], { ...mode, overflowEvents: 50 });
    watchers.push(w);
    const overflows: string[] = [];
    w.on('overflow', (r) => overflows.push(r));
    await w.start();
    for (let i = 0; i < 200; i++) fs.writeFileSync(path.join(root, `f${i}`), 'x');
    await until(() => overflows.length > 0);
  });

  it('a changed .gitignore re-plans the watches and asks for a rescan', async () => {
    const root = tree();
    const w = new ProjectWatcher([{ path: root, filter: new IgnoreMatcher(root) }], mode);
    watchers.push(w);
    const overflows: string[] = [];
    w.on('overflow', (r) => overflows.push(r));
    await w.start();
    fs.writeFileSync(path.join(root, '.gitignore'), 'src/deep\n');
    await until(() => overflows.length > 0);
    expect(w.stats().watchedDirs).toBe(5); // root, src, node_modules, node_modules/pkg, node_modules/pkg/lib
  });
});

describe('ProjectWatcher.rescan (after this process was suspended)', () => {
  it('watches directories that appeared unseen, drops replaced ones, and asks for a reconcile', async () => {
    const root = tree();
    // A deaf watch: every event is lost, as a kernel queue that overflowed while the daemon was stopped.
    const w = new ProjectWatcher([{ path: root, filter: new IgnoreMatcher(root) }], {
      recursive: false,
      watchFn: (dir) => fs.watch(dir, { persistent: false }),
    });
    watchers.push(w);
    const overflows: string[] = [];
    w.on('overflow', (r) => overflows.push(r));
    await w.start();
    expect(w.stats().watchedDirs).toBe(3);
    fs.mkdirSync(path.join(root, 'made-while-asleep/inner'), { recursive: true });
    fs.rmSync(path.join(root, 'src/deep'), { recursive: true });
    w.rescan('resumed after 61 s suspended');
    expect(overflows).toEqual(['resumed after 61 s suspended']);
    expect(w.stats().watchedDirs).toBe(4); // root, src, made-while-asleep, made-while-asleep/inner
  });
});
