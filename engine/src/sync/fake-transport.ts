// An in-memory SyncTransport with the agent's semantics (put-state ops, parents created,
// a directory replaced by a file and back), for session tests that need no container.

import { createHash } from 'node:crypto';
import { compareParentsFirst, isSafeRelativePath, parentOf } from './paths.js';
import type { ApplyResult, OpError, SyncOp, SyncTransport, TreeEntry } from './transport.js';
import { ChannelClosedError } from './transport.js';

export class FakeTransport implements SyncTransport {
  readonly kind = 'agent' as const;
  readonly tree = new Map<string, TreeEntry & { data?: Buffer }>();
  readonly batches: SyncOp[][] = [];
  closed = false;
  /** When set, apply() waits for it before acknowledging (to hold a batch in flight). */
  gate: Promise<void> | undefined;

  constructor(readonly target = '/app') {}

  async apply(ops: readonly SyncOp[]): Promise<ApplyResult> {
    if (this.closed) throw new ChannelClosedError('fake closed');
    this.batches.push([...ops]);
    if (this.gate) await this.gate;
    const errors: OpError[] = [];
    let bytes = 0;
    for (const op of ops) {
      if (!isSafeRelativePath(op.path)) {
        errors.push({ path: op.path, op: op.op, code: 'EBADPATH', message: 'refused' });
        continue;
      }
      if (op.op === 'delete') {
        this.removeTree(op.path);
        continue;
      }
      this.ensureParents(op.path);
      const existing = this.tree.get(op.path);
      if (existing && !(existing.kind === 'dir' && op.op === 'mkdir')) this.removeTree(op.path);
      if (op.op === 'write') {
        bytes += op.data.byteLength;
        const data = Buffer.from(op.data);
        this.tree.set(op.path, {
          path: op.path,
          kind: 'file',
          mode: op.mode & 0o7777,
          size: data.length,
          mtimeMs: op.mtimeMs ?? Date.now(),
          hash: createHash('sha1').update(data).digest('hex'),
          data,
        });
      } else if (op.op === 'mkdir') {
        this.tree.set(op.path, { path: op.path, kind: 'dir', mode: op.mode & 0o7777, size: 0, mtimeMs: Date.now() });
      } else {
        this.tree.set(op.path, {
          path: op.path,
          kind: 'symlink',
          mode: 0o777,
          size: 0,
          mtimeMs: 0,
          linkTarget: op.target,
        });
      }
    }
    return { ops: ops.length, bytes, errors, durationMs: 0 };
  }

  async list(): Promise<TreeEntry[]> {
    return [...this.tree.values()]
      .map(({ data: _data, hash: _hash, ...e }) => e)
      .sort((a, b) => compareParentsFirst(a.path, b.path));
  }

  async hash(paths: readonly string[]): Promise<Map<string, string | undefined>> {
    return new Map(paths.map((p) => [p, this.tree.get(p)?.hash]));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private ensureParents(p: string): void {
    for (let d = parentOf(p); d !== ''; d = parentOf(d)) {
      const e = this.tree.get(d);
      if (e?.kind === 'dir') continue;
      if (e) this.tree.delete(d);
      this.tree.set(d, { path: d, kind: 'dir', mode: 0o755, size: 0, mtimeMs: Date.now() });
    }
  }

  private removeTree(p: string): void {
    this.tree.delete(p);
    for (const k of [...this.tree.keys()]) if (k.startsWith(`${p}/`)) this.tree.delete(k);
  }
}
