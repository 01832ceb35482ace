// Docker's log stream → lines. Without a TTY the engine multiplexes stdout and stderr in
// frames (8-byte header: stream, 0, 0, 0, big-endian size); with `timestamps` every line
// starts with an RFC 3339 time. Partial lines are held until their newline arrives.

import { StringDecoder } from 'node:string_decoder';
import type { LogLine } from '../../runtime-interface/runtime.js';

export class LogDecoder {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  // One decoder per stream: a character whose bytes arrive in two chunks (or two frames) is
  // held until it is whole, instead of becoming two U+FFFD.
  private readonly utf8 = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(private readonly multiplexed: boolean) {}

  push(chunk: Buffer): LogLine[] {
    if (!this.multiplexed) return this.text('stdout', this.utf8.stdout.write(chunk));
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const out: LogLine[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const stream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      out.push(...this.text(stream, this.utf8[stream].write(this.pending.subarray(8, 8 + size))));
      this.pending = this.pending.subarray(8 + size);
    }
    return out;
  }

  /** Whatever is left without a final newline. */
  flush(): LogLine[] {
    const out: LogLine[] = [];
    for (const stream of ['stdout', 'stderr'] as const) {
      this.partial[stream] += this.utf8[stream].end();
      if (this.partial[stream] !== '') out.push(toLine(stream, this.partial[stream]));
      this.partial[stream] = '';
    }
    return out;
  }

  private text(stream: 'stdout' | 'stderr', text: string): LogLine[] {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    return parts.map((p) => toLine(stream, p));
  }
}

const tsPattern = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) /;

function toLine(stream: 'stdout' | 'stderr', raw: string): LogLine {
  const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
  const m = tsPattern.exec(line);
  if (!m) return { stream, line, ts: new Date().toISOString() };
  return { stream, line: line.slice(m[0].length), ts: normaliseTs(m[1]!) };
}

/** Nanosecond RFC 3339 → fixed-width, so string comparison orders lines correctly. */
export function normaliseTs(ts: string): string {
  const [whole, frac = ''] = ts.replace('Z', '').split('.');
  return `${whole}.${frac.padEnd(9, '0').slice(0, 9)}Z`;
}
