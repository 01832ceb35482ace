// The wire format between the host and the in-container agent (engine/agent/devenv-sync-agent.c).
// Little-endian throughout. Host → agent: a 32-byte request header, the path, then the data.
// Agent → host: a 60-byte record header, the path, then extra bytes (link target or message).
// Pure code: no I/O, so it is shared by every transport (docker exec, kubectl exec, a local pipe).

export const PROTOCOL_VERSION = 1;

export const Op = {
  hello: 1,
  root: 2,
  write: 3,
  mkdir: 4,
  symlink: 5,
  delete: 6,
  list: 7,
  hash: 8,
  commit: 9,
  quit: 10,
} as const;
export type OpCode = (typeof Op)[keyof typeof Op];

export const Flag = { fsync: 1, mtime: 2, listHash: 1, rootCreate: 1 } as const;

export const Rec = { entry: 1, error: 2, ack: 3, hash: 4, hello: 5 } as const;

export const Kind = { file: 1, dir: 2, symlink: 3, other: 4 } as const;

/** The agent's own refusal codes (above errno's range). */
export const AgentError: Record<number, string> = {
  10001: 'EBADPATH',
  10002: 'ESYMLINK',
  10003: 'EBADROOT',
  10004: 'ELINKOUT',
  10005: 'EBADOP',
};

export const REQUEST_HEADER_BYTES = 32;
export const RECORD_HEADER_BYTES = 60;

export interface RequestFrame {
  op: OpCode;
  flags?: number;
  rootId?: number;
  seq: number;
  mode?: number;
  path?: string;
  data?: Uint8Array;
  mtimeNs?: bigint;
}

/** Encodes one request as header + path + data (returned as separate buffers for a writev). */
export function encodeRequest(frame: RequestFrame): Buffer[] {
  const pathBytes = frame.path ? Buffer.from(frame.path, 'utf8') : Buffer.alloc(0);
  const data = frame.data ?? new Uint8Array(0);
  const h = Buffer.alloc(REQUEST_HEADER_BYTES);
  h.writeUInt8(frame.op, 0);
  h.writeUInt8(frame.flags ?? 0, 1);
  h.writeUInt16LE(frame.rootId ?? 0, 2);
  h.writeUInt32LE(frame.seq >>> 0, 4);
  h.writeUInt32LE((frame.mode ?? 0) >>> 0, 8);
  h.writeUInt32LE(pathBytes.length, 12);
  h.writeBigUInt64LE(BigInt(data.byteLength), 16);
  h.writeBigInt64LE(frame.mtimeNs ?? 0n, 24);
  const parts: Buffer[] = [h];
  if (pathBytes.length) parts.push(pathBytes);
  if (data.byteLength) parts.push(Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return parts;
}

export interface AgentRecord {
  type: number;
  kind: number;
  seq: number;
  mode: number;
  /** errno (or an AgentError code); 0 for success. */
  err: number;
  size: number;
  mtimeNs: bigint;
  path: string;
  /** Link target for symlink entries, a message for errors, the version for hello. */
  extra: string;
  /** Hex SHA-1 of the content, when the record carries one. */
  hash?: string;
}

/** Decodes one record from a buffer holding exactly one (header + path + extra). */
export function decodeRecord(buf: Buffer): AgentRecord {
  const pathLen = buf.readUInt32LE(32);
  const extraLen = buf.readUInt32LE(36);
  const hashBytes = buf.subarray(40, 60);
  const hasHash = hashBytes.some((b) => b !== 0);
  const rec: AgentRecord = {
    type: buf.readUInt8(0),
    kind: buf.readUInt8(1),
    seq: buf.readUInt32LE(4),
    mode: buf.readUInt32LE(8),
    err: buf.readInt32LE(12),
    size: Number(buf.readBigUInt64LE(16)),
    mtimeNs: buf.readBigInt64LE(24),
    path: buf.toString('utf8', RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + pathLen),
    extra: buf.toString('utf8', RECORD_HEADER_BYTES + pathLen, RECORD_HEADER_BYTES + pathLen + extraLen),
  };
  if (hasHash) rec.hash = hashBytes.toString('hex');
  return rec;
}

/** Encodes a record the way the agent does (for tests and fakes). */
export function encodeRecord(rec: Omit<AgentRecord, 'hash'> & { hash?: string }): Buffer {
  const pathBytes = Buffer.from(rec.path, 'utf8');
  const extraBytes = Buffer.from(rec.extra, 'utf8');
  const h = Buffer.alloc(RECORD_HEADER_BYTES);
  h.writeUInt8(rec.type, 0);
  h.writeUInt8(rec.kind, 1);
  h.writeUInt32LE(rec.seq >>> 0, 4);
  h.writeUInt32LE(rec.mode >>> 0, 8);
  h.writeInt32LE(rec.err, 12);
  h.writeBigUInt64LE(BigInt(rec.size), 16);
  h.writeBigInt64LE(rec.mtimeNs, 24);
  h.writeUInt32LE(pathBytes.length, 32);
  h.writeUInt32LE(extraBytes.length, 36);
  if (rec.hash) Buffer.from(rec.hash, 'hex').copy(h, 40);
  return Buffer.concat([h, pathBytes, extraBytes]);
}

/**
 * Incremental decoder: feed it stream chunks in any sizes, get whole records back. Keeps a
 * list of chunks so a large listing is not re-copied on every arrival.
 */
export class RecordDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  push(chunk: Buffer): AgentRecord[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: AgentRecord[] = [];
    for (;;) {
      if (this.buffered < RECORD_HEADER_BYTES) break;
      const head = this.peek(RECORD_HEADER_BYTES);
      const total = RECORD_HEADER_BYTES + head.readUInt32LE(32) + head.readUInt32LE(36);
      if (this.buffered < total) break;
      out.push(decodeRecord(this.take(total)));
    }
    return out;
  }

  private peek(n: number): Buffer {
    const first = this.chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    let first = this.chunks[0]!;
    if (first.length < n) {
      first = Buffer.concat(this.chunks);
      this.chunks = [first];
    }
    const rec = first.subarray(0, n);
    if (first.length === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return rec;
  }
}

export interface DecodedRequest {
  op: number;
  flags: number;
  rootId: number;
  seq: number;
  mode: number;
  path: string;
  mtimeNs: bigint;
  data: Buffer;
}

/** Decodes request frames (what the agent reads); used by tests and by in-process fakes. */
export class RequestDecoder {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): DecodedRequest[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const out: DecodedRequest[] = [];
    for (;;) {
      if (this.buf.length < REQUEST_HEADER_BYTES) break;
      const pathLen = this.buf.readUInt32LE(12);
      const dataLen = Number(this.buf.readBigUInt64LE(16));
      const total = REQUEST_HEADER_BYTES + pathLen + dataLen;
      if (this.buf.length < total) break;
      out.push({
        op: this.buf.readUInt8(0),
        flags: this.buf.readUInt8(1),
        rootId: this.buf.readUInt16LE(2),
        seq: this.buf.readUInt32LE(4),
        mode: this.buf.readUInt32LE(8),
        path: this.buf.toString('utf8', REQUEST_HEADER_BYTES, REQUEST_HEADER_BYTES + pathLen),
        mtimeNs: this.buf.readBigInt64LE(24),
        data: Buffer.from(this.buf.subarray(REQUEST_HEADER_BYTES + pathLen, total)),
      });
      this.buf = this.buf.subarray(total);
    }
    return out;
  }
}

export function kindName(kind: number): 'file' | 'dir' | 'symlink' | 'other' {
  switch (kind) {
    case Kind.file:
      return 'file';
    case Kind.dir:
      return 'dir';
    case Kind.symlink:
      return 'symlink';
    default:
      return 'other';
  }
}
