// The C agent run as a local process on a temp directory: the same binary that runs in
// containers, so its path safety is checked here without Docker (and again in test/sync/).

import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgent } from './agent-binary.js';
import { AgentChannel, spawnChannel } from './agent-channel.js';
import { encodeRequest, Op } from './framing.js';
import type { SyncTransport } from './transport.js';

let channel: AgentChannel;
let agentPath: string;
let t: SyncTransport;
let base: string;
let root: string;

// The agent is a Linux binary: it runs here only on Linux (on a Mac it runs in containers alone).
const linux = process.platform === 'linux';

beforeAll(async () => {
  if (!linux) return;
  const built = await buildAgent();
  if (!built.ok) throw new Error(`agent build failed: ${built.reason}`);
  base = fs.mkdtempSync(path.join(tmpdir(), 'agent-'));
  root = path.join(base, 'target');
  fs.mkdirSync(path.join(base, 'outside'));
  fs.writeFileSync(path.join(base, 'outside/secret'), 'untouched');
  agentPath = built.path!;
  channel = await AgentChannel.open(spawnChannel(agentPath));
  t = await channel.openTarget(root);
}, 120_000);

afterAll(async () => {
  await channel?.close();
});

describe.skipIf(!linux)(`sync agent${linux ? '' : ` (skipped: a Linux binary, this is ${process.platform})`}`, () => {
  it('writes, makes directories and symlinks, with modes and mtimes', async () => {
    const r = await t.apply([
      { op: 'mkdir', path: 'd', mode: 0o750 },
      { op: 'write', path: 'd/run.sh', mode: 0o755, data: Buffer.from('#!/bin/sh\n'), mtimeMs: 1_600_000_000_500 },
      { op: 'write', path: 'new/parents/made.txt', mode: 0o600, data: Buffer.from('x') },
      { op: 'symlink', path: 'd/link', target: '../new' },
      { op: 'write', path: 'ctl\x07 ü name', mode: 0o644, data: Buffer.from('ok') },
      { op: 'write', path: 'durable.txt', mode: 0o644, data: Buffer.from('fsynced'), fsync: true },
    ]);
    expect(r.errors).toEqual([]);
    expect(fs.statSync(path.join(root, 'd')).mode & 0o7777).toBe(0o750);
    const st = fs.statSync(path.join(root, 'd/run.sh'));
    expect(st.mode & 0o7777).toBe(0o755);
    expect(st.mtimeMs).toBe(1_600_000_000_500);
    expect(fs.readlinkSync(path.join(root, 'd/link'))).toBe('../new');
    expect(fs.readFileSync(path.join(root, 'ctl\x07 ü name'), 'utf8')).toBe('ok');
    expect(fs.readFileSync(path.join(root, 'durable.txt'), 'utf8')).toBe('fsynced');
  });

  it('streams a large file and hashes it like the host', async () => {
    const big = Buffer.alloc(5 * 1024 * 1024 + 17);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
    await t.apply([{ op: 'write', path: 'big.bin', mode: 0o644, data: big }]);
    const hashes = await t.hash(['big.bin', 'missing']);
    expect(hashes.get('big.bin')).toBe(createHash('sha1').update(big).digest('hex'));
    expect(hashes.get('missing')).toBeUndefined();
  });

  it('replaces a directory by a file and a file by a directory', async () => {
    await t.apply([
      { op: 'write', path: 'swap/inner/x', mode: 0o644, data: Buffer.from('x') },
      { op: 'write', path: 'swap', mode: 0o644, data: Buffer.from('file now') },
      { op: 'write', path: 'f2d', mode: 0o644, data: Buffer.from('file') },
      { op: 'write', path: 'f2d/child', mode: 0o644, data: Buffer.from('dir now') },
    ]);
    expect(fs.readFileSync(path.join(root, 'swap'), 'utf8')).toBe('file now');
    expect(fs.readFileSync(path.join(root, 'f2d/child'), 'utf8')).toBe('dir now');
  });

  it('refuses .., absolute paths, symlinks leading out, and planted symlinks on the way', async () => {
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'planted'));
    const r = await t.apply([
      { op: 'write', path: '../outside/secret', mode: 0o644, data: Buffer.from('pwned') },
      { op: 'write', path: '/tmp/abs', mode: 0o644, data: Buffer.from('pwned') },
      { op: 'write', path: 'planted/secret', mode: 0o644, data: Buffer.from('pwned') },
      { op: 'delete', path: 'planted/secret' },
      { op: 'mkdir', path: 'planted/sub', mode: 0o755 },
      { op: 'symlink', path: 'out', target: '../outside' },
      { op: 'symlink', path: 'abs', target: '/etc' },
    ]);
    expect(r.errors.map((e) => e.code)).toEqual([
      'EBADPATH',
      'EBADPATH',
      'ESYMLINK',
      'ESYMLINK',
      'ESYMLINK',
      'ELINKOUT',
      'ELINKOUT',
    ]);
    expect(fs.readFileSync(path.join(base, 'outside/secret'), 'utf8')).toBe('untouched');
    expect(fs.readdirSync(path.join(base, 'outside'))).toEqual(['secret']);
    // Writing the symlink's own path replaces the link itself, never what it points to.
    await t.apply([{ op: 'write', path: 'planted', mode: 0o644, data: Buffer.from('plain') }]);
    expect(fs.lstatSync(path.join(root, 'planted')).isFile()).toBe(true);
    expect(fs.readFileSync(path.join(base, 'outside/secret'), 'utf8')).toBe('untouched');
  });

  it('deletes recursively without following symlinks', async () => {
    fs.mkdirSync(path.join(root, 'tree/a'), { recursive: true });
    fs.symlinkSync(path.join(base, 'outside'), path.join(root, 'tree/a/out'));
    const r = await t.apply([
      { op: 'delete', path: 'tree' },
      { op: 'delete', path: 'never/existed' },
    ]);
    expect(r.errors).toEqual([]);
    expect(fs.existsSync(path.join(root, 'tree'))).toBe(false);
    expect(fs.readFileSync(path.join(base, 'outside/secret'), 'utf8')).toBe('untouched');
  });

  it('lists the tree with kinds, modes, hashes, and prunes by name or path', async () => {
    fs.mkdirSync(path.join(root, 'node_modules/x'), { recursive: true });
    fs.mkdirSync(path.join(root, 'lib/node_modules/y'), { recursive: true });
    fs.mkdirSync(path.join(root, 'cache/z'), { recursive: true });
    const all = await t.list({ hashes: true, prune: ['node_modules', '/cache'] });
    const byPath = new Map(all.map((e) => [e.path, e]));
    expect(byPath.get('d/run.sh')).toMatchObject({ kind: 'file', mode: 0o755, size: 10 });
    expect(byPath.get('d/run.sh')!.hash).toBe(createHash('sha1').update('#!/bin/sh\n').digest('hex'));
    expect(byPath.get('d/link')).toMatchObject({ kind: 'symlink', linkTarget: '../new' });
    expect(byPath.get('node_modules')).toMatchObject({ kind: 'dir' });
    expect(byPath.has('node_modules/x')).toBe(false);
    expect(byPath.has('lib/node_modules/y')).toBe(false);
    expect(byPath.get('cache')).toMatchObject({ kind: 'dir' });
    expect(byPath.has('cache/z')).toBe(false);
    expect(byPath.has('ctl\x07 ü name')).toBe(true);
  });

  it('survives random and truncated frames without writing outside its root', () => {
    const pickOp = (rand: () => number): never => {
      const op = 1 + Math.floor(rand() * 12);
      return (op === Op.root ? Op.write : op) as never;
    };
    let seed = 7;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const names = ['a', 'b', '..', '.', '', 'x/y', '/abs', 'a//b', 'ü', 'a\0b', 'deep/er', 'l'];
    const fuzzBase = fs.mkdtempSync(path.join(tmpdir(), 'agent-fuzz-'));
    const hostRootBefore = fs.readdirSync('/').sort();
    const fuzzRoot = path.join(fuzzBase, 'root');
    for (let round = 0; round < 50; round++) {
      const parts = [...encodeRequest({ op: Op.root, seq: 1, path: fuzzRoot, flags: 1 })];
      for (let i = 0; i < 40; i++) {
        const p = Array.from(
          { length: 1 + Math.floor(rand() * 3) },
          () => names[Math.floor(rand() * names.length)],
        ).join('/');
        parts.push(
          ...encodeRequest({
            // Any op code (valid or not) except `root`: a root frame is the trusted host naming
            // the target, and random absolute roots would be honoured on this machine.
            op: pickOp(rand),
            seq: i + 2,
            rootId: rand() < 0.9 ? 0 : Math.floor(rand() * 5),
            flags: Math.floor(rand() * 4),
            mode: Math.floor(rand() * 0o7777),
            path: p,
            data: Buffer.alloc(Math.floor(rand() * 64), 0x41),
          }),
        );
      }
      parts.push(...encodeRequest({ op: Op.commit, seq: 999 }));
      let input = Buffer.concat(parts);
      if (round % 5 === 0) input = input.subarray(0, Math.floor(rand() * input.length));
      const res = spawnSync(agentPath, [], { input });
      expect(res.signal).toBeNull();
      expect(res.status).toBeLessThanOrEqual(3);
    }
    expect(fs.readdirSync(fuzzBase)).toEqual(['root']);
    // Nothing appeared anywhere else either ('..' and absolute names must all be refused).
    expect(fs.readdirSync('/').sort()).toEqual(hostRootBefore);
  });
});
