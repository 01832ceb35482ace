// The TUI's log store: the last ~10,000 lines, immutable so the reducer stays pure. Lines live
// in fixed-size chunks; appending copies at most one partial chunk and the chunk list, and the
// oldest lines leave a whole chunk at a time. So a batch of k lines costs O(k + chunk), never
// O(capacity), however busy the services are.

export type LogStream = 'stdout' | 'stderr' | 'system';

export interface LogLine {
  /** Position in the whole stream (contiguous: the line at index i has seq firstSeq + i). */
  seq: number;
  ts: string;
  service: string;
  stream: LogStream;
  /** Sanitised text: colour (SGR) kept, every other escape sequence removed. */
  text: string;
  /** The same without colour: what filters match and widths measure. */
  plain: string;
  /** `plain` lower-cased, for case-insensitive filters. */
  lower: string;
}

export type NewLogLine = Omit<LogLine, 'seq'>;

const CHUNK = 256;

export class LogRing {
  private constructor(
    private readonly chunks: readonly (readonly LogLine[])[],
    readonly capacity: number,
    /** Seq the next appended line gets. */
    readonly nextSeq: number,
  ) {}

  static empty(capacity = 10_000): LogRing {
    return new LogRing([], capacity, 0);
  }

  get size(): number {
    const n = this.chunks.length;
    return n === 0 ? 0 : (n - 1) * CHUNK + this.chunks[n - 1]!.length;
  }

  /** Seq of the oldest line still held (equals nextSeq when empty). */
  get firstSeq(): number {
    return this.nextSeq - this.size;
  }

  /** The line at index i, 0 being the oldest held. */
  at(i: number): LogLine | undefined {
    if (i < 0 || i >= this.size) return undefined;
    return this.chunks[Math.floor(i / CHUNK)]![i % CHUNK];
  }

  /** Index of the line with this seq; -1 when it was dropped already, size when it is newer. */
  indexOfSeq(seq: number): number {
    const i = seq - this.firstSeq;
    return i < 0 ? -1 : Math.min(i, this.size);
  }

  append(lines: readonly NewLogLine[]): LogRing {
    if (lines.length === 0) return this;
    const chunks = this.chunks.slice();
    let last: LogLine[] = chunks.length > 0 && chunks[chunks.length - 1]!.length < CHUNK ? [...chunks.pop()!] : [];
    let seq = this.nextSeq;
    for (const line of lines) {
      if (last.length === CHUNK) {
        chunks.push(last);
        last = [];
      }
      last.push({ ...line, seq: seq++ });
    }
    chunks.push(last);
    // Drop whole chunks from the front while what stays still holds `capacity` lines.
    let drop = 0;
    let size = (chunks.length - 1) * CHUNK + last.length;
    while (chunks.length - drop > 1 && size - CHUNK >= this.capacity) {
      drop++;
      size -= CHUNK;
    }
    return new LogRing(drop > 0 ? chunks.slice(drop) : chunks, this.capacity, seq);
  }
}
