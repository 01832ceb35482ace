// The host side of the agent protocol over any byte stream: `docker exec -i` (docker-transport.ts),
// `kubectl exec -i` later, or a local child process in tests. One channel per container;
// each sync target (container directory) opened on it gets a root id.

import { spawn } from 'node:child_process';
import { constants as osConstants } from 'node:os';
import {
  AgentError,
  type AgentRecord,
  encodeRequest,
  Flag,
  kindName,
  Op,
  PROTOCOL_VERSION,
  Rec,
  RecordDecoder,
  type RequestFrame,
} from './framing.js';
import {
  type ApplyResult,
  ChannelClosedError,
  type ListOptions,
  type OpError,
  type SyncOp,
  type SyncTransport,
  type TreeEntry,
} from './transport.js';

/** The minimum a stream must offer to carry the protocol. */
export interface ByteChannel {
  write(chunks: readonly Buffer[]): void;
  /** Register the single consumer of incoming bytes. */
  onData(cb: (chunk: Buffer) => void): void;
  /** Called once when the stream ends or fails. */
  onClose(cb: (err?: Error) => void): void;
  close(): Promise<void>;
}

interface Outstanding {
  records: AgentRecord[];
  resolve: (value: { ack: AgentRecord; records: AgentRecord[] }) => void;
  reject: (err: Error) => void;
}

const errnoNames = new Map<number, string>(
  Object.entries(osConstants.errno).map(([name, num]) => [num as number, name] as [number, string]),
);

export function errorName(code: number): string {
  return AgentError[code] ?? errnoNames.get(code) ?? `E${code}`;
}

const describe: Record<string, string> = {
  ESYMLINK: 'a directory on the way is a symlink in the container; refusing to follow it',
  EBADPATH: 'refused path (absolute, empty, or with a . or .. component)',
  ELINKOUT: 'symlink target would leave the sync target',
};

export class AgentChannel {
  private readonly decoder = new RecordDecoder();
  private readonly outstanding: Outstanding[] = [];
  private seq = 1;
  private closedWith: Error | undefined;
  private readonly closeListeners: ((err: Error) => void)[] = [];
  version = '';

  private constructor(private readonly io: ByteChannel) {
    io.onData((chunk) => this.onData(chunk));
    io.onClose((err) => this.fail(err ?? new ChannelClosedError('sync agent channel closed')));
  }

  /** Wraps a stream and checks the agent answers with our protocol version. */
  static async open(io: ByteChannel, timeoutMs = 10_000): Promise<AgentChannel> {
    const ch = new AgentChannel(io);
    let timer: NodeJS.Timeout | undefined;
    try {
      const hello = await Promise.race([
        ch.request([{ op: Op.hello, seq: ch.nextSeq() }]),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`sync agent did not answer within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      if (hello.ack.type !== Rec.hello || hello.ack.mode !== PROTOCOL_VERSION) {
        throw new Error(`sync agent speaks protocol ${hello.ack.mode}, expected ${PROTOCOL_VERSION}`);
      }
      ch.version = hello.ack.extra;
      return ch;
    } catch (err) {
      await io.close().catch(() => {});
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  get closed(): boolean {
    return this.closedWith !== undefined;
  }

  onClosed(cb: (err: Error) => void): void {
    if (this.closedWith) cb(this.closedWith);
    else this.closeListeners.push(cb);
  }

  /** Opens (creating it when asked) an absolute container directory as a sync target. */
  async openTarget(target: string, opts: { create?: boolean } = {}): Promise<SyncTransport> {
    const { ack } = await this.request([
      { op: Op.root, seq: this.nextSeq(), path: target, flags: opts.create === false ? 0 : Flag.rootCreate },
    ]);
    if (ack.err !== 0) throw new Error(`cannot open sync target ${target} in the container: ${errorName(ack.err)}`);
    return new AgentTransport(this, target, ack.size);
  }

  async close(): Promise<void> {
    if (!this.closedWith) {
      try {
        this.io.write(encodeRequest({ op: Op.quit, seq: this.nextSeq() }));
      } catch {
        // already gone
      }
    }
    await this.io.close();
    this.fail(new ChannelClosedError('sync agent channel closed'));
  }

  nextSeq(): number {
    const s = this.seq;
    this.seq = this.seq >= 0xfffffff0 ? 1 : this.seq + 1;
    return s;
  }

  /** Sends frames (the last one must produce an ACK or HELLO) and collects the records until it. */
  request(frames: readonly RequestFrame[]): Promise<{ ack: AgentRecord; records: AgentRecord[] }> {
    if (this.closedWith) return Promise.reject(this.closedWith);
    return new Promise((resolve, reject) => {
      this.outstanding.push({ records: [], resolve, reject });
      const parts: Buffer[] = [];
      for (const f of frames) parts.push(...encodeRequest(f));
      try {
        this.io.write(parts);
      } catch (err) {
        this.fail(err as Error);
      }
    });
  }

  private onData(chunk: Buffer): void {
    for (const rec of this.decoder.push(chunk)) {
      const head = this.outstanding[0];
      if (!head) continue;
      if (rec.type === Rec.ack || rec.type === Rec.hello) {
        this.outstanding.shift();
        head.resolve({ ack: rec, records: head.records });
      } else {
        head.records.push(rec);
      }
    }
  }

  private fail(err: Error): void {
    if (this.closedWith) return;
    this.closedWith = err instanceof ChannelClosedError ? err : new ChannelClosedError(err.message);
    for (const o of this.outstanding.splice(0)) o.reject(this.closedWith);
    for (const cb of this.closeListeners.splice(0)) cb(this.closedWith);
  }
}

class AgentTransport implements SyncTransport {
  readonly kind = 'agent' as const;

  constructor(
    private readonly channel: AgentChannel,
    readonly target: string,
    private readonly rootId: number,
  ) {}

  get closed(): boolean {
    return this.channel.closed;
  }

  async apply(ops: readonly SyncOp[]): Promise<ApplyResult> {
    const started = performance.now();
    const frames: RequestFrame[] = [];
    const bySeq = new Map<number, SyncOp>();
    let bytes = 0;
    for (const op of ops) {
      const seq = this.channel.nextSeq();
      bySeq.set(seq, op);
      frames.push(toFrame(op, seq, this.rootId));
      if (op.op === 'write') bytes += op.data.byteLength;
    }
    frames.push({ op: Op.commit, seq: this.channel.nextSeq(), rootId: this.rootId });
    const { records } = await this.channel.request(frames);
    const errors: OpError[] = [];
    for (const rec of records) {
      if (rec.type !== Rec.error) continue;
      const op = bySeq.get(rec.seq);
      const code = errorName(rec.err);
      errors.push({
        path: op?.path ?? rec.path,
        op: op?.op ?? 'write',
        code,
        message: describe[code] ?? `${rec.extra}: ${code}`,
      });
    }
    return { ops: ops.length, bytes, errors, durationMs: performance.now() - started };
  }

  async list(opts: ListOptions = {}): Promise<TreeEntry[]> {
    const prune = Buffer.from((opts.prune ?? []).join('\0'), 'utf8');
    const { records } = await this.channel.request([
      {
        op: Op.list,
        seq: this.channel.nextSeq(),
        rootId: this.rootId,
        flags: opts.hashes ? Flag.listHash : 0,
        data: prune,
      },
    ]);
    const out: TreeEntry[] = [];
    for (const rec of records) {
      if (rec.type !== Rec.entry) continue;
      const entry: TreeEntry = {
        path: rec.path,
        kind: kindName(rec.kind),
        mode: rec.mode & 0o7777,
        size: rec.size,
        mtimeMs: Number(rec.mtimeNs / 1000n) / 1000,
      };
      if (entry.kind === 'symlink') entry.linkTarget = rec.extra;
      if (rec.hash) entry.hash = rec.hash;
      out.push(entry);
    }
    return out;
  }

  async hash(paths: readonly string[]): Promise<Map<string, string | undefined>> {
    const out = new Map<string, string | undefined>();
    if (paths.length === 0) return out;
    const bySeq = new Map<number, string>();
    const frames: RequestFrame[] = [];
    for (const p of paths) {
      const seq = this.channel.nextSeq();
      bySeq.set(seq, p);
      frames.push({ op: Op.hash, seq, rootId: this.rootId, path: p });
    }
    frames.push({ op: Op.commit, seq: this.channel.nextSeq(), rootId: this.rootId });
    const { records } = await this.channel.request(frames);
    for (const p of paths) out.set(p, undefined);
    for (const rec of records) {
      const p = bySeq.get(rec.seq);
      if (rec.type === Rec.hash && p !== undefined && rec.err === 0) out.set(p, rec.hash);
    }
    return out;
  }

  async close(): Promise<void> {
    // Targets share the channel; the channel's owner closes it.
  }
}

function toFrame(op: SyncOp, seq: number, rootId: number): RequestFrame {
  switch (op.op) {
    case 'write':
      return {
        op: Op.write,
        seq,
        rootId,
        path: op.path,
        mode: op.mode,
        data: op.data,
        flags: (op.mtimeMs !== undefined ? Flag.mtime : 0) | (op.fsync ? Flag.fsync : 0),
        ...(op.mtimeMs !== undefined ? { mtimeNs: BigInt(Math.round(op.mtimeMs * 1e6)) } : {}),
      };
    case 'mkdir':
      return {
        op: Op.mkdir,
        seq,
        rootId,
        path: op.path,
        mode: op.mode,
        ...(op.mtimeMs !== undefined ? { flags: Flag.mtime, mtimeNs: BigInt(Math.round(op.mtimeMs * 1e6)) } : {}),
      };
    case 'symlink':
      return { op: Op.symlink, seq, rootId, path: op.path, data: Buffer.from(op.target, 'utf8') };
    case 'delete':
      return { op: Op.delete, seq, rootId, path: op.path };
  }
}

/**
 * Runs an agent as a local child process (`cmd` may be the agent itself, or `kubectl exec -i
 * … -- /agent`). Used by tests and by transports whose exec is a CLI.
 */
export function spawnChannel(cmd: string, args: readonly string[] = []): ByteChannel {
  const child = spawn(cmd, [...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    write(chunks) {
      child.stdin.cork();
      for (const c of chunks) child.stdin.write(c);
      process.nextTick(() => child.stdin.uncork());
    },
    onData(cb) {
      child.stdout.on('data', cb);
    },
    onClose(cb) {
      child.once('close', (code, signal) =>
        cb(new ChannelClosedError(`agent exited (${signal ?? code})${stderr ? `: ${stderr.trim()}` : ''}`)),
      );
      child.once('error', (err) => cb(err));
      child.stdin.on('error', () => {});
    },
    async close() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}
