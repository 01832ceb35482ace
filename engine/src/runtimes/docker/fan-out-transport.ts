// Live sync into every instance of a service that runs several (`scale`), as Compose Watch
// syncs into each of its containers: one transport per instance behind one, so a sync session
// (which keeps one view of the target) drives them all. Listings and hashes come from the first
// instance (they start from the same image); writes go to every one.

import type { ApplyResult, ListOptions, SyncOp, SyncTransport, TreeEntry } from '../../sync/transport.js';

export class FanOutTransport implements SyncTransport {
  constructor(private readonly transports: readonly SyncTransport[]) {
    if (transports.length === 0) throw new Error('a fan-out transport needs at least one transport');
  }

  private get first(): SyncTransport {
    return this.transports[0] as SyncTransport;
  }

  get kind(): 'agent' | 'archive' {
    return this.transports.every((t) => t.kind === 'agent') ? 'agent' : 'archive';
  }

  get target(): string {
    return this.first.target;
  }

  get closed(): boolean {
    return this.transports.some((t) => t.closed);
  }

  async apply(ops: readonly SyncOp[]): Promise<ApplyResult> {
    const started = Date.now();
    const results = await Promise.all(this.transports.map((t) => t.apply(ops)));
    const [head] = results as [ApplyResult];
    return {
      ops: head.ops,
      bytes: results.reduce((n, r) => n + r.bytes, 0),
      errors: results.flatMap((r) => r.errors),
      durationMs: Date.now() - started,
    };
  }

  list(opts?: ListOptions): Promise<TreeEntry[]> {
    return this.first.list(opts);
  }

  hash(paths: readonly string[]): Promise<Map<string, string | undefined>> {
    return this.first.hash(paths);
  }

  async close(): Promise<void> {
    await Promise.all(this.transports.map((t) => t.close()));
  }
}
