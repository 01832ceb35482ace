import { describe, expect, it } from 'vitest';
import { DockerStreamDemuxer } from './docker-transport.js';
import {
  encodeRecord,
  encodeRequest,
  Kind,
  Op,
  RECORD_HEADER_BYTES,
  REQUEST_HEADER_BYTES,
  Rec,
  RecordDecoder,
  RequestDecoder,
} from './framing.js';

describe('request framing', () => {
  it('round-trips every field, with unicode and control characters in paths', () => {
    const frames = [
      {
        op: Op.write,
        seq: 7,
        rootId: 3,
        mode: 0o755,
        flags: 2,
        path: 'dir/ü\nname',
        data: Buffer.from('hello'),
        mtimeNs: 1_700_000_000_123_456_789n,
      },
      { op: Op.delete, seq: 8, path: 'gone' },
      { op: Op.commit, seq: 9 },
    ];
    const bytes = Buffer.concat(frames.flatMap((f) => encodeRequest(f)));
    const dec = new RequestDecoder();
    const out = [...bytes].flatMap((_, i) => dec.push(bytes.subarray(i, i + 1)));
    expect(out).toHaveLength(3);
    expect(out[0]).toMatchObject({
      op: Op.write,
      seq: 7,
      rootId: 3,
      mode: 0o755,
      flags: 2,
      path: 'dir/ü\nname',
      mtimeNs: 1_700_000_000_123_456_789n,
    });
    expect(out[0]!.data.toString()).toBe('hello');
    expect(out[1]).toMatchObject({ op: Op.delete, seq: 8, path: 'gone' });
    expect(out[2]!.op).toBe(Op.commit);
  });
  it('has a fixed 32-byte header', () => {
    const [h] = encodeRequest({ op: Op.hello, seq: 1 });
    expect(h!.length).toBe(REQUEST_HEADER_BYTES);
  });
});

describe('record framing', () => {
  it('decodes records split at every possible point', () => {
    const recs = [
      {
        type: Rec.entry,
        kind: Kind.symlink,
        seq: 1,
        mode: 0o120777,
        err: 0,
        size: 3,
        mtimeNs: 5n,
        path: 'a/l',
        extra: '../b',
      },
      {
        type: Rec.entry,
        kind: Kind.file,
        seq: 1,
        mode: 0o100644,
        err: 0,
        size: 2 ** 40,
        mtimeNs: -1n,
        path: 'big',
        extra: '',
        hash: 'a9993e364706816aba3e25717850c26c9cd0d89d',
      },
      {
        type: Rec.error,
        kind: 0,
        seq: 2,
        mode: 0,
        err: 10002,
        size: 0,
        mtimeNs: 0n,
        path: 'x/y',
        extra: 'open parent',
      },
      { type: Rec.ack, kind: 0, seq: 3, mode: 0, err: 0, size: 2, mtimeNs: 0n, path: '', extra: '' },
    ];
    const bytes = Buffer.concat(recs.map(encodeRecord));
    expect(encodeRecord(recs[3]!).length).toBe(RECORD_HEADER_BYTES);
    for (const split of [1, 7, 59, 60, 61, 100]) {
      const dec = new RecordDecoder();
      const out = [];
      for (let i = 0; i < bytes.length; i += split) out.push(...dec.push(bytes.subarray(i, i + split)));
      expect(out).toHaveLength(4);
      expect(out[0]).toMatchObject({ kind: Kind.symlink, path: 'a/l', extra: '../b' });
      expect(out[1]!.size).toBe(2 ** 40);
      expect(out[1]!.hash).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
      expect(out[0]!.hash).toBeUndefined();
      expect(out[2]).toMatchObject({ err: 10002, path: 'x/y' });
      expect(out[3]!.type).toBe(Rec.ack);
    }
  });
});

describe('DockerStreamDemuxer', () => {
  it('separates stdout and stderr across arbitrary chunk boundaries', () => {
    const frame = (type: number, s: string) => {
      const h = Buffer.alloc(8);
      h[0] = type;
      h.writeUInt32BE(Buffer.byteLength(s), 4);
      return Buffer.concat([h, Buffer.from(s)]);
    };
    const stream = Buffer.concat([frame(1, 'hello '), frame(2, 'oops'), frame(1, 'world'), frame(1, '')]);
    for (const step of [1, 3, 8, 9, 64]) {
      let out = '';
      let err = '';
      const d = new DockerStreamDemuxer(
        (c) => {
          out += c.toString();
        },
        (c) => {
          err += c.toString();
        },
      );
      for (let i = 0; i < stream.length; i += step) d.push(stream.subarray(i, i + step));
      expect(out).toBe('hello world');
      expect(err).toBe('oops');
    }
  });
});
