import { describe, expect, it } from 'vitest';
import { MessageLimit } from './message-limit.js';

function frame(body: string): Buffer {
  return Buffer.from(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function run(limit: number, chunks: Buffer[]): { out: string; refused?: string } {
  let refused: string | undefined;
  const t = new MessageLimit(limit, (why) => {
    refused = why;
  });
  const out: Buffer[] = [];
  t.on('data', (d: Buffer) => out.push(d));
  t.on('error', () => undefined);
  for (const c of chunks) t.write(c);
  return { out: Buffer.concat(out).toString(), ...(refused ? { refused } : {}) };
}

describe('MessageLimit', () => {
  it('passes messages through unchanged, however they are cut', () => {
    const all = Buffer.concat([frame('{"a":1}'), frame('{"b":"ü"}'), frame('')]);
    const bytes = [...all].map((b) => Buffer.from([b]));
    expect(run(100, bytes)).toEqual({ out: all.toString() });
  });

  it('ends the connection at a message over the limit, before its body arrives', () => {
    const r = run(10, [Buffer.from('Content-Length: 999999999\r\n\r\n')]);
    expect(r.refused).toBe('a message of 999999999 bytes (the limit is 10)');
    expect(r.out).toBe('');
  });

  it('ends it at an endless header block or one without a length', () => {
    expect(run(10, [Buffer.alloc(9000, 'x')]).refused).toBe('a header block over 8 kB');
    expect(run(10, [Buffer.from('X-Other: 1\r\n\r\n')]).refused).toBe('a message without Content-Length');
  });
});
