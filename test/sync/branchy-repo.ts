// A git repository with two branches that differ in 2,000+ files: edits, deletes, additions in
// new directories, a directory rename, a mode change. Used by the storm test.
import * as fs from 'node:fs';
import path from 'node:path';
import { git, rng } from './helpers.js';

/** A repository with branches `a` and `b` that differ in `changes` files. */
export function makeBranchyRepo(root: string, changes = 2000): { differing: number } {
  const r = rng(42);
  git(root, 'init', '-q', '-b', 'a');
  fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules/\n*.log\n');
  for (let d = 0; d < 60; d++) {
    fs.mkdirSync(path.join(root, `pkg${d}/sub`), { recursive: true });
    for (let f = 0; f < 25; f++) {
      const file = path.join(root, `pkg${d}/${f % 3 === 0 ? 'sub/' : ''}m${f}.py`);
      fs.writeFileSync(file, `# module ${d}/${f}\n${'x = 1\n'.repeat(1 + Math.floor(r() * 40))}`);
    }
  }
  fs.mkdirSync(path.join(root, 'renamed-dir'));
  for (let f = 0; f < 200; f++) fs.writeFileSync(path.join(root, `renamed-dir/f${f}.txt`), `f${f}`);
  fs.writeFileSync(path.join(root, 'tool.sh'), '#!/bin/sh\necho a\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'a');
  git(root, 'checkout', '-q', '-b', 'b');
  let differing = 0;
  // 200 files move with a directory rename (400 paths differ)...
  fs.renameSync(path.join(root, 'renamed-dir'), path.join(root, 'moved-dir'));
  differing += 400;
  // ...600 are edited, 500 deleted, 500 added (some in new directories)...
  let n = 0;
  for (let d = 0; d < 60 && n < 1100; d++) {
    for (let f = 0; f < 25 && n < 1100; f++, n++) {
      const file = path.join(root, `pkg${d}/${f % 3 === 0 ? 'sub/' : ''}m${f}.py`);
      if (n % 11 < 6) fs.appendFileSync(file, `y = ${n}\n`);
      else fs.rmSync(file);
      differing++;
    }
  }
  for (let i = 0; i < changes - differing + 1; i++) {
    const dir = path.join(root, `new${i % 20}/deep${i % 3}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `n${i}.py`), `z = ${i}\n`);
  }
  differing = Math.max(differing, changes + 1);
  // ...and a mode change.
  fs.chmodSync(path.join(root, 'tool.sh'), 0o755);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'b');
  git(root, 'checkout', '-q', 'a');
  return { differing };
}
