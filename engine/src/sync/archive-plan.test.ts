import { describe, expect, it } from 'vitest';
import { archiveSegments, type ContainerKind, planArchiveSegment } from './archive-plan.js';
import { compareParentsFirst, parentOf } from './paths.js';
import type { OpError, SyncOp } from './transport.js';

type Kind = 'dir' | 'file' | 'symlink';
type Tree = Map<string, { kind: Kind; v: string }>;

const ancestorsOf = (p: string): string[] => {
  const out: string[] = [];
  for (let d = parentOf(p); d !== ''; d = parentOf(d)) out.unshift(d);
  return out;
};
const removeTree = (t: Tree, p: string) => {
  t.delete(p);
  for (const k of [...t.keys()]) if (k.startsWith(`${p}/`)) t.delete(k);
};
const kindOfOp = (op: SyncOp): Kind => (op.op === 'mkdir' ? 'dir' : op.op === 'write' ? 'file' : 'symlink');
const contentOf = (op: SyncOp): string =>
  op.op === 'write' ? Buffer.from(op.data).toString() : op.op === 'symlink' ? op.target : '';

/**
 * A container as the archive fallback sees it: `rm -rf` and Docker's tar extraction, both of
 * which resolve symlinks on the way (recorded as a violation: that is a write outside).
 */
class Container {
  readonly violations: string[] = [];
  readonly statted: string[] = [];

  constructor(readonly tree: Tree = new Map()) {}

  async stat(rel: string): Promise<ContainerKind> {
    this.statted.push(rel);
    for (const a of ancestorsOf(rel))
      if (this.tree.get(a)?.kind === 'symlink') this.violations.push(`stat through the link ${a}: ${rel}`);
    const e = this.tree.get(rel);
    return e === undefined ? undefined : e.kind === 'dir' ? 'dir' : e.kind === 'symlink' ? 'symlink' : 'other';
  }

  /** `rm -rf -- paths…`: false when an operand failed (a file on its way). */
  rm(paths: readonly string[]): boolean {
    let ok = true;
    for (const p of paths) {
      const way = ancestorsOf(p).map((a) => this.tree.get(a));
      if (way.some((e) => e?.kind === 'symlink')) {
        this.violations.push(`rm through a link: ${p}`);
        continue;
      }
      if (way.some((e) => e?.kind === 'file')) {
        ok = false;
        continue;
      }
      removeTree(this.tree, p);
    }
    return ok;
  }

  /** Docker's Unpack: parents made when missing, an existing entry replaced unless dir over dir. */
  extract(ops: readonly SyncOp[]): boolean {
    for (const op of ops) {
      for (const a of ancestorsOf(op.path)) {
        const e = this.tree.get(a);
        if (e?.kind === 'symlink') {
          this.violations.push(`extracted through a link ${a}: ${op.path}`);
          return false;
        }
        if (e?.kind === 'file') return false; // ENOTDIR: the extraction stops here
        if (!e) this.tree.set(a, { kind: 'dir', v: '' });
      }
      const existing = this.tree.get(op.path);
      if (existing && !(existing.kind === 'dir' && op.op === 'mkdir')) removeTree(this.tree, op.path);
      this.tree.set(op.path, { kind: kindOfOp(op), v: contentOf(op) });
    }
    return true;
  }

  /** What the transport does with one batch (docker-transport.ts, minus Docker). */
  async apply(ops: readonly SyncOp[], canRemove = true): Promise<{ errors: OpError[]; failed: boolean }> {
    const errors: OpError[] = [];
    let failed = false;
    for (const segment of archiveSegments(ops)) {
      const plan = await planArchiveSegment(segment, (p) => this.stat(p), canRemove);
      errors.push(...plan.errors);
      const removed = plan.remove.length === 0 || this.rm(plan.remove);
      if (!removed) failed = true;
      if (!this.extract(plan.extract.filter((op) => removed || !plan.needsRemoval.has(op)))) failed = true;
    }
    return { errors, failed };
  }
}

/** The agent's semantics, op by op: the reference the fallback must match. */
function applyInOrder(tree: Tree, ops: readonly SyncOp[]): Tree {
  const t: Tree = new Map(tree);
  for (const op of ops) {
    const way = ancestorsOf(op.path);
    if (way.some((a) => t.get(a)?.kind === 'symlink')) continue; // refused (ESYMLINK)
    if (op.op === 'delete') {
      removeTree(t, op.path);
      continue;
    }
    for (const a of way) {
      const e = t.get(a);
      if (e && e.kind !== 'dir') removeTree(t, a);
      if (!t.has(a)) t.set(a, { kind: 'dir', v: '' });
    }
    const existing = t.get(op.path);
    if (existing && !(existing.kind === 'dir' && op.op === 'mkdir')) removeTree(t, op.path);
    t.set(op.path, { kind: kindOfOp(op), v: contentOf(op) });
  }
  return t;
}

const sorted = (t: Tree) => [...t.entries()].sort((a, b) => compareParentsFirst(a[0], b[0]));
const write = (path: string, text = path): SyncOp => ({ op: 'write', path, mode: 0o644, data: Buffer.from(text) });
const mkdir = (path: string): SyncOp => ({ op: 'mkdir', path, mode: 0o755 });
const symlink = (path: string, target: string): SyncOp => ({ op: 'symlink', path, target });
const del = (path: string): SyncOp => ({ op: 'delete', path });
const tree = (entries: Record<string, Kind | [Kind, string]>): Tree =>
  new Map(
    Object.entries(entries).map(([p, k]) => [p, Array.isArray(k) ? { kind: k[0], v: k[1] } : { kind: k, v: '' }]),
  );

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('archive fallback plan', () => {
  it('a symlink replaced by a directory: the rm clears it, the new contents are extracted (fuzz seed 101)', async () => {
    // Host: `ln -s a b`, synced; then `mv b elsewhere && mv some-dir b`. The session sends the
    // directory that appeared as delete + mkdir + contents.
    const c = new Container(tree({ a: ['file', 'a'], b: ['symlink', 'a'] }));
    const ops = [del('b'), mkdir('b'), write('b/x'), mkdir('b/c d'), write('b/c d/y')];
    const r = await c.apply(ops);
    expect(r.errors).toEqual([]);
    expect(c.violations).toEqual([]);
    expect(sorted(c.tree)).toEqual(sorted(applyInOrder(new Map(), [write('a', 'a'), ...ops.slice(1)])));
    expect(c.statted).toEqual([]); // nothing under the removed link needed a look
  });

  it('a mkdir over a symlink that later ops go through replaces it, as the agent does', async () => {
    const c = new Container(tree({ b: ['symlink', '/etc'] }));
    const plan = await planArchiveSegment([mkdir('b'), write('b/x')], (p) => c.stat(p), true);
    expect(plan.remove).toEqual(['b']);
    expect(plan.errors).toEqual([]);
    expect([...plan.needsRemoval].map((o) => o.path)).toEqual(['b/x']);
    // A mkdir with nothing under it needs no look: the extraction replaces a link itself.
    const leaf = await planArchiveSegment([mkdir('l')], (p) => c.stat(p), true);
    expect(leaf.remove).toEqual([]);
    expect(c.statted).toEqual(['b']);
  });

  it('still refuses to write, delete or create through a symlink planted in the container', async () => {
    const c = new Container(tree({ link: ['symlink', '/etc'], d: 'dir' }));
    const r = await c.apply([write('link/passwd'), del('link/readme'), mkdir('link/sub'), write('d/ok')]);
    expect(r.errors.map((e) => [e.path, e.code])).toEqual([
      ['link/passwd', 'ESYMLINK'],
      ['link/readme', 'ESYMLINK'],
      ['link/sub', 'ESYMLINK'],
    ]);
    expect(c.violations).toEqual([]);
    expect(c.tree.get('d/ok')?.kind).toBe('file');
  });

  it('refuses to go through a symlink the same batch creates', async () => {
    const c = new Container(tree({ d: 'dir' }));
    const r = await c.apply([symlink('l', 'd'), write('l/x'), mkdir('l/y')]);
    expect(r.errors.map((e) => [e.path, e.code])).toEqual([
      ['l/x', 'ESYMLINK'],
      ['l/y', 'ESYMLINK'],
    ]);
    expect(c.violations).toEqual([]);
  });

  it('drops deletes inside a path the rm already removes', async () => {
    const c = new Container(tree({ a: 'symlink' }));
    const plan = await planArchiveSegment([del('a'), del('a/b'), del('a/b/c')], (p) => c.stat(p), true);
    expect(plan.remove).toEqual(['a']);
    expect(plan.deletes).toHaveLength(3);
    expect(plan.errors).toEqual([]);
  });

  it('without rm: deletes are refused and a link in the way is never assumed replaced', async () => {
    const c = new Container(tree({ b: 'symlink' }));
    const r = await c.apply([del('b'), mkdir('b'), write('b/x')], false);
    expect(r.errors.map((e) => [e.path, e.code])).toEqual([
      ['b', 'ENODELETE'],
      ['b/x', 'ESYMLINK'],
    ]);
    expect(c.violations).toEqual([]);
  });

  it('when the rm fails, nothing that relied on it is extracted', async () => {
    const c = new Container(tree({ b: 'symlink' }));
    c.rm = () => false;
    const r = await c.apply([del('b'), mkdir('b'), write('b/x'), write('other')]);
    expect(r.failed).toBe(true);
    expect(c.tree.has('b/x')).toBe(false);
    expect(c.tree.has('other')).toBe(true);
    expect(c.violations).toEqual([]);
  });

  it('cuts a batch only where deleting first would reorder it', () => {
    const sessionShaped = [del('a'), mkdir('a'), write('a/x'), del('a/y'), mkdir('b'), del('b/c'), write('c')];
    expect(archiveSegments(sessionShaped)).toEqual([sessionShaped]);
    expect(archiveSegments([write('a/x'), del('a'), write('b')])).toEqual([[write('a/x')], [del('a'), write('b')]]);
    expect(archiveSegments([mkdir('a'), del('a')])).toEqual([[mkdir('a')], [del('a')]]);
    expect(archiveSegments([write('a/b/c'), mkdir('a/b')])).toEqual([[write('a/b/c')], [mkdir('a/b')]]);
  });

  // Random containers and hosts over a few names: every kind replaced by every other, at
  // every depth, with and without the delete the session adds for a directory that appeared.
  const NAMES = ['a', 'b', 'c'];
  const randomTree = (r: () => number, prefix = '', depth = 0, out: Tree = new Map()): Tree => {
    for (const name of NAMES) {
      const p = prefix ? `${prefix}/${name}` : name;
      const x = r();
      if (x < 0.35) continue;
      if (x < 0.6) out.set(p, { kind: 'file', v: `f${Math.floor(r() * 3)}` });
      else if (x < 0.75) out.set(p, { kind: 'symlink', v: r() < 0.5 ? '/etc' : 'a' });
      else {
        out.set(p, { kind: 'dir', v: '' });
        if (depth < 2) randomTree(r, p, depth + 1, out);
      }
    }
    return out;
  };
  const asOp = (p: string, e: { kind: Kind; v: string }): SyncOp =>
    e.kind === 'dir' ? mkdir(p) : e.kind === 'file' ? write(p, e.v) : symlink(p, e.v);

  it('random session-shaped batches: the container ends equal to the host, never through a link', async () => {
    for (let seed = 1; seed <= 400; seed++) {
      const r = rng(seed);
      const before = randomTree(r);
      const host = randomTree(r);
      // What a reconcile (or the watcher, for every path) sends: parents first, a path under a
      // host non-directory skipped (resolveOp), a directory that appeared rebuilt.
      const paths = [...new Set([...before.keys(), ...host.keys()])].sort(compareParentsFirst);
      const ops: SyncOp[] = [];
      for (const p of paths) {
        const parent = parentOf(p);
        if (parent !== '' && host.get(parent)?.kind !== 'dir') continue;
        const h = host.get(p);
        if (!h) ops.push(del(p));
        else {
          if (h.kind === 'dir' && r() < 0.5) ops.push(del(p));
          ops.push(asOp(p, h));
        }
      }
      const c = new Container(new Map(before));
      const res = await c.apply(ops);
      expect(c.violations, `seed ${seed}`).toEqual([]);
      expect(res.errors, `seed ${seed}`).toEqual([]);
      expect(sorted(c.tree), `seed ${seed}`).toEqual(sorted(host));
    }
  });

  it('random op sequences in any order: never through a link, and equal to in-order application', async () => {
    const pathsOf = (r: () => number) => {
      const depth = 1 + Math.floor(r() * 3);
      return Array.from({ length: depth }, () => NAMES[Math.floor(r() * 2)]).join('/');
    };
    let compared = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const r = rng(1000 + seed);
      const before = randomTree(r);
      const ops: SyncOp[] = Array.from({ length: 1 + Math.floor(r() * 8) }, () => {
        const p = pathsOf(r);
        const x = r();
        return x < 0.3
          ? del(p)
          : x < 0.55
            ? mkdir(p)
            : x < 0.85
              ? write(p, `w${Math.floor(r() * 3)}`)
              : symlink(p, 'a');
      });
      for (const canRemove of [true, false]) {
        const c = new Container(new Map(before));
        const res = await c.apply(ops, canRemove);
        expect(c.violations, `seed ${seed}`).toEqual([]);
        if (canRemove && res.errors.length === 0 && !res.failed) {
          // (A delete the agent would refuse under a link may be moot here: the rm already
          // removed that link's place. The resulting trees must still be equal.)
          expect(sorted(c.tree), `seed ${seed}`).toEqual(sorted(applyInOrder(before, ops)));
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(150);
  });
});
