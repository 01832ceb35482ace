// Generated trees for the sync and watcher benchmarks: a 50,000-file source tree with a big
// ignored node_modules beside it, and a git repository whose two branches differ in 2,000 files.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';

/** 50,000 source files in 2,500 directories, plus `ignoredFiles` under node_modules and .git. */
export function makeBigTree(root, { files = 50_000, ignoredFiles = 50_000 } = {}) {
  fs.mkdirSync(root, { recursive: true });
  fs.writeFileSync(path.join(root, '.gitignore'), 'node_modules/\n');
  const perDir = 20;
  let made = 0;
  for (let a = 0; made < files; a++) {
    for (let b = 0; b < 25 && made < files; b++) {
      for (let c = 0; c < 5 && made < files; c++) {
        const dir = path.join(root, `src${a}`, `mod${b}`, `part${c}`);
        fs.mkdirSync(dir, { recursive: true });
        for (let f = 0; f < perDir && made < files; f++, made++) {
          fs.writeFileSync(path.join(dir, `file${f}.ts`), `export const v${f} = ${made};\n`);
        }
      }
    }
  }
  let ignored = 0;
  for (let p = 0; ignored < ignoredFiles; p++) {
    for (let d = 0; d < 10 && ignored < ignoredFiles; d++) {
      const dir = path.join(root, 'node_modules', `pkg${p}`, `lib${d}`);
      fs.mkdirSync(dir, { recursive: true });
      for (let f = 0; f < 25 && ignored < ignoredFiles; f++, ignored++) {
        fs.writeFileSync(path.join(dir, `i${f}.js`), 'module.exports = 1;\n');
      }
    }
  }
  fs.mkdirSync(path.join(root, '.git/objects'), { recursive: true });
  return { root, files: made, ignored };
}

/** The deepest directory of makeBigTree, where latency probes are written. */
export function probeDir(root) {
  return path.join(root, 'src0', 'mod0', 'part0');
}

function git(cwd, ...args) {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@example.invalid',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@example.invalid',
    },
  });
}

/** A repo with branches `a` and `b` differing in `changes` files (edits, deletes, additions). */
export function makeBranchyRepo(root, changes = 2000) {
  fs.mkdirSync(root, { recursive: true });
  git(root, 'init', '-q', '-b', 'a');
  for (let d = 0; d < 100; d++) {
    fs.mkdirSync(path.join(root, `pkg${d}`), { recursive: true });
    for (let f = 0; f < 30; f++) fs.writeFileSync(path.join(root, `pkg${d}/m${f}.py`), `# ${d}/${f}\nx = 1\n`);
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'a');
  git(root, 'checkout', '-q', '-b', 'b');
  let n = 0;
  for (let d = 0; d < 100 && n < changes * 0.75; d++) {
    for (let f = 0; f < 30 && n < changes * 0.75; f++, n++) {
      const file = path.join(root, `pkg${d}/m${f}.py`);
      if (n % 3 === 0) fs.rmSync(file);
      else fs.appendFileSync(file, `y = ${n}\n`);
    }
  }
  for (let i = 0; n < changes; i++, n++) {
    const dir = path.join(root, `new${i % 25}`);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `n${i}.py`), `z = ${i}\n`);
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'b');
  git(root, 'checkout', '-q', 'a');
  const differing = git(root, 'diff', '--no-renames', '--name-only', 'a', 'b').split('\n').filter(Boolean).length;
  return { root, differing, checkout: (branch) => git(root, 'checkout', '-q', branch) };
}
