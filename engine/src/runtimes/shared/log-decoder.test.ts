import { describe, expect, it } from 'vitest';
import { LogDecoder, normaliseTs } from './log-decoder.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

describe('LogDecoder', () => {
  it('keeps a character whose bytes arrive in two chunks whole (TTY, and Kubernetes logs)', () => {
    const d = new LogDecoder(false);
    const bytes = Buffer.from('2024-01-02T03:04:05Z héllo wörld €\n');
    const cut = bytes.indexOf(0xc3) + 1; // inside the é
    const euro = bytes.lastIndexOf(0xe2) + 2; // inside the €
    const out = [
      ...d.push(bytes.subarray(0, cut)),
      ...d.push(bytes.subarray(cut, euro)),
      ...d.push(bytes.subarray(euro)),
    ];
    expect(out.map((l) => l.line)).toEqual(['héllo wörld €']);
  });

  it('keeps a character split across two frames of one stream whole', () => {
    const d = new LogDecoder(true);
    const text = Buffer.from('2024-01-02T03:04:05Z ü\n');
    const cut = text.indexOf(0xc3) + 1;
    const first = frame(1, '');
    const a = Buffer.concat([first.subarray(0, 4), Buffer.from([0, 0, 0, cut])]);
    const b = Buffer.concat([first.subarray(0, 4), Buffer.from([0, 0, 0, text.length - cut])]);
    const all = Buffer.concat([a, text.subarray(0, cut), frame(2, 'other\n'), b, text.subarray(cut)]);
    expect(d.push(all).map((l) => `${l.stream}:${l.line}`)).toEqual(['stderr:other', 'stdout:ü']);
  });

  it('demultiplexes frames split anywhere and holds partial lines', () => {
    const d = new LogDecoder(true);
    const all = Buffer.concat([
      frame(1, '2024-01-02T03:04:05.123456789Z hello\n2024-01-02T03:04:05.2Z par'),
      frame(2, '2024-01-02T03:04:06Z oops\n'),
      frame(1, 'tial\n'),
    ]);
    const out = [...d.push(all.subarray(0, 11)), ...d.push(all.subarray(11, 50)), ...d.push(all.subarray(50))];
    expect(out).toEqual([
      { stream: 'stdout', line: 'hello', ts: '2024-01-02T03:04:05.123456789Z' },
      { stream: 'stderr', line: 'oops', ts: '2024-01-02T03:04:06.000000000Z' },
      { stream: 'stdout', line: 'partial', ts: '2024-01-02T03:04:05.200000000Z' },
    ]);
  });

  it('reads a TTY stream as plain stdout', () => {
    const d = new LogDecoder(false);
    expect(d.push(Buffer.from('2024-01-02T03:04:05Z a\r\nb'))).toEqual([
      { stream: 'stdout', line: 'a', ts: '2024-01-02T03:04:05.000000000Z' },
    ]);
    expect(d.flush().map((l) => l.line)).toEqual(['b']);
  });

  it('makes timestamps sortable as strings', () => {
    expect(normaliseTs('2024-01-02T03:04:05.1Z') < normaliseTs('2024-01-02T03:04:05.09Z')).toBe(false);
  });
});
