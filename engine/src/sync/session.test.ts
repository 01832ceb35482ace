import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { EngineEvent } from '../model/events.js';
import type { WatchRule } from '../model/spec.js';
import type { SyncFigures } from '../model/status.js';
import { FakeTransport } from './fake-transport.js';
import { type AppliedBatch, eventSinkReporter, SyncSession } from './session.js';
import { ChannelClosedError } from './transport.js';

function setup(action: WatchRule['action'] = 'sync') {
  const root = mkdtempSync(path.join(tmpdir(), 'sess-'));
  const rule: WatchRule = { path: root, action, target: '/app', ignore: ['ignored/'], initialSync: false };
  const transport = new FakeTransport();
  const warnings: string[] = [];
  const applied: AppliedBatch[] = [];
  const session = new SyncSession({
    service: 'web',
    rule,
    transport,
    reporter: { warning: (_s, m) => warnings.push(m) },
    hooks: { onBatchApplied: (b) => void applied.push(b) },
  });
  const touch = (...rels: string[]) =>
    session.notify({ paths: rels.map((r) => path.join(root, r)), since: performance.now() });
  return { root, session, transport, warnings, applied, touch };
}

describe('SyncSession', () => {
  it('sends the first change at once and coalesces what arrives while it is in flight', async () => {
    const { root, session, transport, touch } = setup();
    let release!: () => void;
    transport.gate = new Promise((r) => {
      release = r;
    });
    writeFileSync(path.join(root, 'a.txt'), 'one');
    // "At once" means no timer stands between the change and the send: with timers frozen, a
    // debounce (any setTimeout/setInterval) would never fire and the batch would never come. The
    // wait spins on setImmediate (not frozen) so file reads on the thread pool still complete.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval', 'Date'] });
    try {
      touch('a.txt');
      for (let spins = 0; transport.batches.length === 0 && spins < 100_000; spins++) {
        await new Promise((r) => setImmediate(r));
      }
    } finally {
      vi.useRealTimers();
    }
    expect(transport.batches).toHaveLength(1);
    for (let i = 0; i < 50; i++) {
      writeFileSync(path.join(root, 'a.txt'), `v${i}`);
      writeFileSync(path.join(root, `b${i % 5}.txt`), `v${i}`);
      touch('a.txt', `b${i % 5}.txt`);
    }
    transport.gate = undefined;
    release();
    await session.idle();
    expect(transport.batches).toHaveLength(2);
    expect(transport.batches[1]!.map((o) => o.path)).toEqual([
      'a.txt',
      'b0.txt',
      'b1.txt',
      'b2.txt',
      'b3.txt',
      'b4.txt',
    ]);
    expect(transport.tree.get('a.txt')!.data!.toString()).toBe('v49');
  });

  it('collapses create then delete into one delete, and turns a vanished file into a delete', async () => {
    const { root, session, transport, touch } = setup();
    writeFileSync(path.join(root, 'tmp'), 'x');
    rmSync(path.join(root, 'tmp'));
    touch('tmp', 'tmp');
    await session.idle();
    expect(transport.batches.flat()).toEqual([{ op: 'delete', path: 'tmp' }]);
  });

  it('follows directory ↔ file swaps and chmod +x', async () => {
    const { root, session, transport, touch } = setup();
    mkdirSync(path.join(root, 'x'));
    writeFileSync(path.join(root, 'x/inner'), 'i');
    touch('x', 'x/inner');
    await session.idle();
    rmSync(path.join(root, 'x'), { recursive: true });
    writeFileSync(path.join(root, 'x'), 'now a file');
    chmodSync(path.join(root, 'x'), 0o755);
    touch('x/inner', 'x');
    await session.idle();
    expect(transport.tree.get('x')).toMatchObject({ kind: 'file', mode: 0o755 });
    expect(transport.tree.has('x/inner')).toBe(false);
  });

  it('rebuilds a directory that appeared in place of another instead of merging into it', async () => {
    const { root, session, transport, touch } = setup();
    mkdirSync(path.join(root, 'd'));
    writeFileSync(path.join(root, 'd/old'), 'o');
    touch('d', 'd/old');
    await session.idle();
    // `mv d elsewhere && mkdir d`: no event names d/old, so only a rebuild removes it.
    rmSync(path.join(root, 'd'), { recursive: true });
    mkdirSync(path.join(root, 'd'));
    writeFileSync(path.join(root, 'd/new'), 'n');
    session.notify({
      paths: [path.join(root, 'd'), path.join(root, 'd/new')],
      since: 0,
      freshDirs: [path.join(root, 'd')],
    });
    await session.idle();
    expect([...transport.tree.keys()].sort()).toEqual(['d', 'd/new']);
    expect(transport.batches.at(-1)!.map((o) => `${o.op} ${o.path}`)).toEqual(['delete d', 'mkdir d', 'write d/new']);
  });

  it('copies a symlink that stays inside, skips one that leads out with a warning', async () => {
    const { root, session, transport, warnings, touch } = setup();
    mkdirSync(path.join(root, 'd'));
    symlinkSync('d', path.join(root, 'inside'));
    symlinkSync('/etc', path.join(root, 'outside'));
    symlinkSync('../../x', path.join(root, 'd/up'));
    touch('d', 'inside', 'outside', 'd/up');
    await session.idle();
    expect(transport.tree.get('inside')).toMatchObject({ kind: 'symlink', linkTarget: 'd' });
    expect(transport.tree.has('outside')).toBe(false);
    expect(transport.tree.has('d/up')).toBe(false);
    expect(warnings.filter((w) => w.includes('leads outside'))).toHaveLength(2);
  });

  it('drops ignored paths and reports figures and batches to the hook', async () => {
    const { root, session, transport, applied, touch } = setup('sync+restart');
    mkdirSync(path.join(root, 'ignored'));
    writeFileSync(path.join(root, 'ignored/x'), '1');
    writeFileSync(path.join(root, '.main.py.swp'), '1');
    writeFileSync(path.join(root, 'main.py'), 'print()');
    touch('ignored', 'ignored/x', '.main.py.swp', 'main.py');
    await session.idle();
    await session.close();
    expect([...transport.tree.keys()]).toEqual(['main.py']);
    expect(applied).toEqual([expect.objectContaining({ service: 'web', paths: ['main.py'], reconcile: false })]);
    expect(session.figures()).toMatchObject({ files: 1 });
  });

  it('keeps changes when the channel dies and reconciles them on attach', async () => {
    const { root, session, transport, warnings, touch } = setup();
    transport.apply = async () => {
      throw new ChannelClosedError('exec stream ended');
    };
    writeFileSync(path.join(root, 'a'), 'a');
    touch('a');
    await session.idle();
    expect(warnings.some((w) => w.includes('lost the connection'))).toBe(true);
    const next = new FakeTransport();
    await next.apply([{ op: 'write', path: 'stale', mode: 0o644, data: Buffer.from('old') }]);
    const r = await session.attach(next);
    expect(r).toMatchObject({ sent: 1, removed: 1 });
    expect([...next.tree.keys()]).toEqual(['a']);
  });

  it('reconcile sends only what differs, comparing hashes for look-alikes', async () => {
    const { root, session, transport } = setup();
    writeFileSync(path.join(root, 'same'), 'abc');
    writeFileSync(path.join(root, 'edited'), 'abc');
    await transport.apply([
      { op: 'write', path: 'same', mode: 0o644, data: Buffer.from('abc') },
      { op: 'write', path: 'edited', mode: 0o644, data: Buffer.from('xyz') },
      { op: 'mkdir', path: 'ignored', mode: 0o755 },
      { op: 'write', path: 'ignored/keep-me', mode: 0o644, data: Buffer.from('container only') },
    ]);
    transport.batches.length = 0;
    const r = await session.reconcile();
    expect(r).toMatchObject({ sent: 1, removed: 0, compared: 2 });
    expect(transport.batches.flat().map((o) => o.path)).toEqual(['edited']);
    expect(transport.tree.get('ignored/keep-me')).toBeDefined();
  });

  it('runs only the action when local (process runtime)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'sess-'));
    const applied: AppliedBatch[] = [];
    const session = new SyncSession({
      service: 'api',
      rule: { path: root, action: 'sync+restart', target: '/app', ignore: [], initialSync: false },
      local: true,
      hooks: { onBatchApplied: (b) => void applied.push(b) },
    });
    session.notify({ paths: [path.join(root, 'x.py')], since: performance.now() });
    await session.idle();
    await session.close();
    expect(applied.map((a) => a.paths)).toEqual([['x.py']]);
  });
});

describe('eventSinkReporter', () => {
  it('emits sync events, system log lines and per-service figures across sessions', () => {
    const events: EngineEvent[] = [];
    const figures: SyncFigures[] = [];
    const r = eventSinkReporter(
      (e) => events.push(e),
      (_s, f) => figures.push(f),
    );
    const rule: WatchRule = { path: '/p', action: 'sync', target: '/app', ignore: [], initialSync: false };
    const base = {
      service: 'web',
      rule,
      bytes: 0,
      errors: 0,
      reconcile: false,
      figures: { files: 0, lastMs: 0, p50Ms: 0, at: 'now' },
    };
    r.batch?.({ ...base, files: 3, latencyMs: 2 });
    r.batch?.({ ...base, files: 1, latencyMs: 10, errors: 1 });
    r.batch?.({ ...base, files: 1, latencyMs: 4 });
    r.warning('web', 'sync: refused write of a\\nb');
    expect(figures.map((f) => [f.files, f.lastMs, f.p50Ms])).toEqual([
      [3, 2, 2],
      [1, 10, 2],
      [1, 4, 4],
    ]);
    const syncs = events.filter((e) => e.kind === 'sync');
    expect(syncs.map((e) => [e.service, e.files, e.latencyMs, e.errors, e.reconcile])).toEqual([
      ['web', 3, 2, 0, false],
      ['web', 1, 10, 1, false],
      ['web', 1, 4, 0, false],
    ]);
    const logs = events.filter((e) => e.kind !== 'sync');
    expect(logs.every((e) => e.kind === 'log' && e.stream === 'system' && e.service === 'web')).toBe(true);
    expect(logs.map((e) => (e.kind === 'log' ? e.line : ''))).toEqual([
      'synced 3 files in 2.0 ms (p50 2.0 ms)',
      'synced 1 file in 10.0 ms (p50 2.0 ms), 1 refused',
      'synced 1 file in 4.0 ms (p50 4.0 ms)',
      'sync: refused write of a\\nb',
    ]);
  });
});
