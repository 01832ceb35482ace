// The sync agent built with AddressSanitizer and UndefinedBehaviorSanitizer, fed crafted frames
// straight on stdin (no host code in between): truncated frames, oversized lengths, `..` and
// absolute paths, chained symlinks (`d/l3 -> ..`, then `d/l4 -> l3/../..`), a symlink planted
// in the target, a parent swapped for a symlink in the middle of a write, a 100,000-deep tree
// to delete, and a bounded run of random frames. Nothing may appear outside the target, and the
// sanitizers must stay silent.

import { type ChildProcessWithoutNullStreams, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_SOURCE } from '../../engine/src/sync/agent-binary.js';
import {
  AgentError,
  type AgentRecord,
  encodeRequest,
  Flag,
  Op,
  Rec,
  RecordDecoder,
  type RequestFrame,
} from '../../engine/src/sync/framing.js';

const gcc = spawnSync('gcc', ['--version']).status === 0;
let binary: string;
let base: string;
let target: string;
let outside: string;

/** Every path, kind, mode and content hash under a directory (lstat: links are not followed). */
function fingerprint(dir: string): string {
  const h = createHash('sha1');
  const walk = (d: string) => {
    for (const name of fs.readdirSync(d).sort()) {
      const p = path.join(d, name);
      const st = fs.lstatSync(p);
      h.update(`${p} ${st.mode} ${st.size}\n`);
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) h.update(fs.readFileSync(p));
      else if (st.isSymbolicLink()) h.update(fs.readlinkSync(p));
    }
  };
  walk(dir);
  return h.digest('hex');
}

const frame = (f: RequestFrame) => Buffer.concat(encodeRequest(f));

class Agent {
  readonly child: ChildProcessWithoutNullStreams;
  readonly records: AgentRecord[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  private seq = 1;

  constructor() {
    this.child = spawn(binary, [], {
      env: {
        ...process.env,
        ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:exitcode=99',
        UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1:exitcode=98',
      },
    });
    const decoder = new RecordDecoder();
    this.child.stdout.on('data', (d: Buffer) => this.records.push(...decoder.push(d)));
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr += d.toString();
    });
    this.exited = new Promise((r) => this.child.once('exit', r));
  }

  send(f: Omit<RequestFrame, 'seq'> & { seq?: number }): number {
    const seq = f.seq ?? this.seq++;
    this.child.stdin.write(frame({ ...f, seq } as RequestFrame));
    return seq;
  }

  raw(bytes: Buffer): void {
    this.child.stdin.write(bytes);
  }

  /** Sends a commit and waits for its ack: everything before it has been applied. */
  async sync(): Promise<void> {
    const seq = this.send({ op: Op.commit });
    const deadline = Date.now() + 30_000;
    while (!this.records.some((r) => r.type === Rec.ack && r.seq === seq)) {
      if (Date.now() > deadline) throw new Error(`no ack; stderr: ${this.stderr}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  errorsFor(seq: number): string[] {
    return this.records
      .filter((r) => r.seq === seq && r.type === Rec.error)
      .map((r) => AgentError[r.err] ?? `errno ${r.err}`);
  }

  async end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}

async function openAgent(root = target): Promise<Agent> {
  const a = new Agent();
  a.send({ op: Op.hello });
  a.send({ op: Op.root, path: root, flags: Flag.rootCreate });
  await a.sync();
  return a;
}

function expectClean(a: Agent): void {
  expect(a.stderr).not.toMatch(/AddressSanitizer|runtime error|LeakSanitizer|UndefinedBehavior/);
}

beforeAll(() => {
  if (!gcc) return;
  base = fs.mkdtempSync(path.join(tmpdir(), 'agent-asan-'));
  target = path.join(base, 'target');
  outside = path.join(base, 'outside');
  fs.mkdirSync(target);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'canary'), 'untouched');
  binary = path.join(base, 'devenv-sync-agent-asan');
  execFileSync('gcc', [
    '-g',
    '-O1',
    '-fno-omit-frame-pointer',
    '-fsanitize=address,undefined',
    '-o',
    binary,
    AGENT_SOURCE,
  ]);
}, 120_000);

afterAll(() => {
  if (base) fs.rmSync(base, { recursive: true, force: true });
});

describe.skipIf(!gcc)(`the sync agent under ASan and UBSan${gcc ? '' : ' (skipped: gcc is not installed)'}`, () => {
  it('refuses `..`, absolute, empty and NUL paths and oversized lengths, and stays inside', async () => {
    const before = fingerprint(outside);
    const a = await openAgent();
    const refused = [
      a.send({ op: Op.write, path: '../escape', mode: 0o644, data: Buffer.from('x') }),
      a.send({ op: Op.write, path: '/etc/escape', mode: 0o644, data: Buffer.from('x') }),
      a.send({ op: Op.write, path: 'a/../../escape', mode: 0o644, data: Buffer.from('x') }),
      a.send({ op: Op.mkdir, path: 'a//b', mode: 0o755 }),
      a.send({ op: Op.delete, path: '..' }),
      a.send({ op: Op.write, path: 'nul\0name', mode: 0o644, data: Buffer.from('x') }),
    ];
    // A path length over the limit, with its bytes: skipped and refused.
    const long = Buffer.alloc(32);
    long.writeUInt8(Op.write, 0);
    long.writeUInt32LE(900, 4);
    long.writeUInt32LE(5000, 12);
    long.writeBigUInt64LE(3n, 16);
    a.raw(Buffer.concat([long, Buffer.alloc(5000, 0x61), Buffer.from('abc')]));
    // A link target over the limit.
    const link = a.send({ op: Op.symlink, path: 'l', data: Buffer.alloc(10_000, 0x61) });
    await a.sync();
    for (const seq of refused) expect(a.errorsFor(seq), `seq ${seq}`).toEqual(['EBADPATH']);
    expect(a.errorsFor(900)).toEqual(['EBADPATH']);
    expect(a.errorsFor(link)).toEqual(['EBADPATH']);
    expect(await a.end()).toBe(0);
    expectClean(a);
    expect(fingerprint(outside)).toBe(before);
    expect(fs.existsSync(path.join(base, 'escape'))).toBe(false);
  });

  it('refuses chained symlinks that climb out, and writes through none', async () => {
    const before = fingerprint(outside);
    const a = await openAgent();
    a.send({ op: Op.mkdir, path: 'd', mode: 0o755 });
    const l3 = a.send({ op: Op.symlink, path: 'd/l3', data: Buffer.from('..') });
    const l4 = a.send({ op: Op.symlink, path: 'd/l4', data: Buffer.from('l3/../..') });
    const l5 = a.send({ op: Op.symlink, path: 'd/l5', data: Buffer.from('../../outside') });
    const through = a.send({ op: Op.write, path: 'd/l3/d/l3/pwned', mode: 0o644, data: Buffer.from('x') });
    await a.sync();
    expect(a.errorsFor(l3)).toEqual([]);
    expect(a.errorsFor(l4)).toEqual(['ELINKOUT']);
    expect(a.errorsFor(l5)).toEqual(['ELINKOUT']);
    expect(a.errorsFor(through)).toEqual(['ESYMLINK']);
    // A link planted in the target by someone in the container.
    fs.symlinkSync('../outside', path.join(target, 'planted'));
    const w = a.send({ op: Op.write, path: 'planted/canary', mode: 0o644, data: Buffer.from('pwned') });
    const m = a.send({ op: Op.mkdir, path: 'planted/new', mode: 0o755 });
    const del = a.send({ op: Op.delete, path: 'planted/canary' });
    await a.sync();
    expect(a.errorsFor(w)).toEqual(['ESYMLINK']);
    expect(a.errorsFor(m)).toEqual(['ESYMLINK']);
    expect(a.errorsFor(del)).toEqual(['ESYMLINK']);
    expect(await a.end()).toBe(0);
    expectClean(a);
    expect(fingerprint(outside)).toBe(before);
    expect(fs.readlinkSync(path.join(target, 'd/l3'))).toBe('..');
    expect(fs.existsSync(path.join(target, 'd/l4'))).toBe(false);
  });

  it('never sets setuid, setgid or sticky bits', async () => {
    const a = await openAgent();
    a.send({ op: Op.write, path: 'suid', mode: 0o6755, data: Buffer.from('#!/bin/sh\n') });
    a.send({ op: Op.mkdir, path: 'sticky', mode: 0o1777 });
    await a.sync();
    expect(await a.end()).toBe(0);
    expectClean(a);
    expect(fs.statSync(path.join(target, 'suid')).mode & 0o7777).toBe(0o755);
    expect(fs.statSync(path.join(target, 'sticky')).mode & 0o7777).toBe(0o777);
  });

  it('keeps a write inside the directory it opened when that parent is swapped for a symlink mid-write', async () => {
    const before = fingerprint(outside);
    const a = await openAgent();
    a.send({ op: Op.mkdir, path: 'p', mode: 0o755 });
    await a.sync();
    const data = Buffer.alloc(4 * 1024 * 1024, 0x41);
    const parts = encodeRequest({ op: Op.write, seq: 7000, path: 'p/big', mode: 0o644, data });
    const whole = Buffer.concat(parts);
    const cut = whole.length - 1024 * 1024;
    a.raw(whole.subarray(0, cut));
    // Give the agent time to open p/ and start writing, then swap p for a link to outside.
    await new Promise((r) => setTimeout(r, 300));
    fs.renameSync(path.join(target, 'p'), path.join(base, 'p-moved-away'));
    fs.symlinkSync('../outside', path.join(target, 'p'));
    a.raw(whole.subarray(cut));
    await a.sync();
    expect(await a.end()).toBe(0);
    expectClean(a);
    expect(fingerprint(outside)).toBe(before);
    expect(fs.readdirSync(outside)).toEqual(['canary']);
    fs.rmSync(path.join(target, 'p'));
    fs.rmSync(path.join(base, 'p-moved-away'), { recursive: true });
  });

  it('removes the temporary file of a write cut short by EOF, and never lists one', async () => {
    const a = await openAgent();
    const whole = Buffer.concat(
      encodeRequest({ op: Op.write, seq: 8000, path: 'cut/short', mode: 0o644, data: Buffer.alloc(100_000, 1) }),
    );
    a.raw(whole.subarray(0, 32 + 'cut/short'.length + 5000));
    await new Promise((r) => setTimeout(r, 200));
    expect(await a.end()).toBe(2);
    expectClean(a);
    expect(fs.readdirSync(path.join(target, 'cut'))).toEqual([]);
    // A temporary file left by a crash elsewhere is not a file to report.
    fs.writeFileSync(path.join(target, 'cut', '.devenv-sync.1.1.tmp'), 'partial');
    const b = await openAgent();
    const list = b.send({ op: Op.list });
    await new Promise((r) => setTimeout(r, 300));
    await b.end();
    expectClean(b);
    const listed = b.records.filter((r) => r.seq === list && r.type === Rec.entry).map((r) => r.path);
    expect(listed).toContain('cut');
    expect(listed.some((p) => p.includes('.devenv-sync.'))).toBe(false);
  });

  it('deletes a 100,000-deep tree without recursion', async () => {
    // On tmpfs where there is one: 100,000 directories cost ~1 s there, minutes on a busy disk.
    const scratch = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'agent-deep-'));
    try {
      const deep = path.join(scratch, 'deep-root');
      fs.mkdirSync(deep);
      // Made with mkdir + chdir, one level at a time (a full path would exceed PATH_MAX).
      const script =
        'import os,sys\nos.chdir(sys.argv[1])\nfor i in range(100000):\n    os.mkdir("d")\n    os.chdir("d")\nopen("leaf","w").write("x")\n';
      execFileSync('python3', ['-c', script, deep]);
      const a = await openAgent(scratch);
      const del = a.send({ op: Op.delete, path: 'deep-root' });
      await a.sync();
      expect(a.errorsFor(del)).toEqual([]);
      expect(await a.end()).toBe(0);
      expectClean(a);
      expect(fs.readdirSync(scratch)).toEqual([]);
    } finally {
      fs.rmSync(scratch, { recursive: true, force: true });
    }
  }, 120_000);

  it('survives 2,000 random frames (seeded) with nothing outside the target touched', async () => {
    const before = fingerprint(outside);
    const a = await openAgent();
    let seed = 17;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const parts = ['a', 'b', '..', '.', '', 'l', 'd', 'x\u00e9', '/'];
    for (let i = 0; i < 2000; i++) {
      const depth = 1 + rand(4);
      const p = Array.from({ length: depth }, () => parts[rand(parts.length)]).join('/');
      const op = [Op.write, Op.mkdir, Op.symlink, Op.delete, Op.hash, Op.list, 200][rand(7)]!;
      const data =
        op === Op.symlink
          ? Buffer.from(['..', '../..', 'a/../..', 'b', '../outside', 'l/..'][rand(6)]!)
          : Buffer.alloc(rand(64), 0x5a);
      a.send({ op: op as RequestFrame['op'], path: p, mode: rand(0o10000), data, flags: rand(4) });
    }
    await a.sync();
    // Then a truncated header: the agent ends cleanly.
    a.raw(Buffer.alloc(17, 0xff));
    expect(await a.end()).toBe(0);
    expectClean(a);
    expect(fingerprint(outside)).toBe(before);
    for (const name of fs.readdirSync(base)) expect(['target', 'outside', 'devenv-sync-agent-asan']).toContain(name);
  }, 60_000);
});
