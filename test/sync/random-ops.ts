// Random host file operations for the fuzz and fallback tests: creates, edits, deletes,
// renames, directory <-> file swaps, chmod, symlinks (inside and out), and the atomic-save
// patterns of vim, JetBrains and VS Code, on names with spaces, unicode and control characters.
import * as fs from 'node:fs';
import path from 'node:path';
import { rng } from './helpers.js';

const NAMES = [
  'a',
  'b',
  'c d',
  'ü',
  '日本語',
  'x\x01y',
  'new\nline',
  'tab\tname',
  '.hidden',
  '-dash',
  'e.txt',
  'f.py',
  '[br]',
  'star*',
  'back\\slash',
  "q'uote",
  'tilde~',
];

/** Applies `count` random operations under `root`, with small random pauses. */
export async function randomOps(root: string, seed: number, count: number): Promise<void> {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const all = (): { files: string[]; dirs: string[] } => {
    const files: string[] = [];
    const dirs: string[] = [];
    const walk = (rel: string) => {
      for (const name of fs.readdirSync(rel ? path.join(root, rel) : root)) {
        const c = rel ? `${rel}/${name}` : name;
        const st = fs.lstatSync(path.join(root, c));
        if (st.isDirectory()) {
          dirs.push(c);
          walk(c);
        } else files.push(c);
      }
    };
    walk('');
    return { files, dirs };
  };
  // Operations on the host tree must never go through a symlink: the fuzz plants links to /etc
  // and outside the root, and writing, chmod-ing or mkdir-ing through one would change the host.
  // `abs` refuses a path with a symlink anywhere on it; `absLink` allows one only as the last
  // component, for operations that act on the link itself (unlink, rename).
  const throughLink = (rel: string, allowLast: boolean): boolean => {
    const parts = rel.split('/');
    let cur = root;
    for (let i = 0; i < parts.length; i++) {
      cur = path.join(cur, parts[i]!);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(cur);
      } catch {
        return false; // the rest does not exist yet: nothing to follow
      }
      if (st.isSymbolicLink() && !(allowLast && i === parts.length - 1)) return true;
    }
    return false;
  };
  const abs = (rel: string) => {
    if (throughLink(rel, false)) throw new Error(`refusing to follow a symlink on ${rel}`);
    return path.join(root, rel);
  };
  const absLink = (rel: string) => {
    if (throughLink(rel, true)) throw new Error(`refusing to follow a symlink on ${rel}`);
    return path.join(root, rel);
  };
  const content = () => {
    const n = r() < 0.03 ? 100_000 + Math.floor(r() * 200_000) : Math.floor(r() * 2000);
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(r() * 256);
    return b;
  };
  const newPath = (dirs: string[]) => {
    const base = r() < 0.3 || dirs.length === 0 ? '' : pick(dirs);
    return base ? `${base}/${pick(NAMES)}` : pick(NAMES);
  };
  const safe = (fn: () => void) => {
    try {
      fn();
    } catch {
      // an op that does not apply to the current tree (ENOENT, EEXIST, ENOTDIR...) is skipped
    }
  };
  for (let i = 0; i < count; i++) {
    const { files, dirs } = all();
    const op = r();
    const f = files.length ? pick(files) : undefined;
    const d = dirs.length ? pick(dirs) : undefined;
    if (op < 0.24) safe(() => fs.writeFileSync(abs(newPath(dirs)), content()));
    else if (op < 0.32 && f) safe(() => fs.writeFileSync(abs(f), content()));
    else if (op < 0.36 && f) safe(() => fs.appendFileSync(abs(f), content()));
    else if (op < 0.41 && f) safe(() => fs.rmSync(absLink(f)));
    else if (op < 0.48 && f) safe(() => fs.renameSync(absLink(f), absLink(newPath(dirs))));
    else if (op < 0.605) safe(() => fs.mkdirSync(abs(`${newPath(dirs)}/${pick(NAMES)}`), { recursive: true }));
    else if (op < 0.62 && d) safe(() => fs.rmSync(abs(d), { recursive: true }));
    else if (op < 0.66 && d) {
      const to = newPath(dirs);
      if (!to.startsWith(`${d}/`)) safe(() => fs.renameSync(abs(d), abs(to)));
    } else if (op < 0.675 && d) {
      // directory → file
      safe(() => {
        fs.rmSync(abs(d), { recursive: true });
        fs.writeFileSync(abs(d), content());
      });
    } else if (op < 0.72 && f) {
      // file → directory
      safe(() => {
        fs.rmSync(abs(f));
        fs.mkdirSync(abs(f));
        fs.writeFileSync(abs(`${f}/${pick(NAMES)}`), content());
      });
    } else if (op < 0.78 && f) safe(() => fs.chmodSync(abs(f), pick([0o755, 0o644, 0o600, 0o700, 0o640])));
    else if (op < 0.8 && d) safe(() => fs.chmodSync(abs(d), pick([0o755, 0o700, 0o750])));
    else if (op < 0.84 && f) {
      // vim: probe 4913, keep a backup, write anew, drop the backup
      safe(() => {
        const dir = path.dirname(abs(f));
        fs.writeFileSync(path.join(dir, '4913'), '');
        fs.rmSync(path.join(dir, '4913'));
        fs.renameSync(abs(f), abs(`${f}~`));
        fs.writeFileSync(abs(f), content());
        fs.rmSync(abs(`${f}~`));
      });
    } else if (op < 0.88 && f) {
      // JetBrains safe write
      safe(() => {
        fs.writeFileSync(abs(`${f}___jb_tmp___`), content());
        fs.renameSync(abs(f), abs(`${f}___jb_old___`));
        fs.renameSync(abs(`${f}___jb_tmp___`), abs(f));
        fs.rmSync(abs(`${f}___jb_old___`));
      });
    } else if (op < 0.92 && f) {
      // VS Code / generic atomic save: temp file then rename over
      safe(() => {
        const tmp = path.join(path.dirname(abs(f)), `.${path.basename(f)}.${i}.tmp`);
        fs.writeFileSync(tmp, content());
        fs.renameSync(tmp, abs(f));
      });
    } else if (op < 0.95) {
      const at = newPath(dirs);
      const depth = at.split('/').length - 1;
      const target = r() < 0.2 ? '/etc' : `${'../'.repeat(depth)}${f ?? 'missing'}`;
      safe(() => fs.symlinkSync(target, absLink(at)));
    } else if (op < 0.97 && f) safe(() => fs.utimesSync(abs(f), new Date(), new Date(Date.now() - r() * 1e9)));
    else safe(() => fs.writeFileSync(abs(newPath(dirs)), ''));
    const pause = r();
    if (pause < 0.2) await new Promise((res) => setTimeout(res, Math.floor(r() * 4)));
    else if (pause < 0.22) await new Promise((res) => setTimeout(res, 20 + Math.floor(r() * 40)));
  }
}
