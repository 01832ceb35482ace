// A service's log: the child writes `<stateDir>/logs/<service>.log` itself (stdout and stderr,
// O_APPEND), so a dead daemon never blocks or kills it. Lines get their times from an arrival
// index beside it (`<service>.log.idx`, lines `<end offset> <unix ms>`): whoever reads new bytes
// first (a follower, or the runtime's poll) appends "bytes up to here had arrived by now". A
// line's time is that of the first entry covering its end; lines no entry covers (written while
// no devenv ran) get the file's mtime. Within one entry, line k gets +k ns, so times are unique
// and ordered and every reader derives the same time for the same line.

import { appendFile, open, readFile, rename, stat, truncate, writeFile } from 'node:fs/promises';
import type { LogLine } from '../../runtime-interface/runtime.js';

export interface IndexEntry {
  offset: number;
  ms: number;
}

export interface RawLine {
  /** Byte offset just past the line's newline (or the end of the data for a partial last line). */
  end: number;
  text: string;
}

/** Complete lines of `data` (which starts at file offset `base`); the bytes after the last newline stay pending. */
export function splitLines(data: Buffer, base: number): { lines: RawLine[]; consumed: number } {
  const lines: RawLine[] = [];
  let start = 0;
  for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, start)) {
    let text = data.subarray(start, nl).toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    lines.push({ end: base + nl + 1, text });
    start = nl + 1;
  }
  return { lines, consumed: start };
}

export function parseIndex(text: string): IndexEntry[] {
  const out: IndexEntry[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line.trim());
    if (m) out.push({ offset: Number(m[1]), ms: Number(m[2]) });
  }
  return normaliseIndex(out);
}

/** Sorted by offset, one entry per offset, times never going backwards. */
export function normaliseIndex(entries: IndexEntry[]): IndexEntry[] {
  const sorted = [...entries].sort((a, b) => a.offset - b.offset || a.ms - b.ms);
  const out: IndexEntry[] = [];
  for (const e of sorted) {
    const last = out.at(-1);
    if (last && last.offset === e.offset) continue;
    out.push({ offset: e.offset, ms: last ? Math.max(e.ms, last.ms + 1) : e.ms });
  }
  return out;
}

/** RFC 3339 with nanoseconds, fixed width, so string order is time order (like Docker's). */
export function formatTs(ms: number, extraNs: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.123Z
  const fracNs = (ms % 1000) * 1_000_000 + Math.min(extraNs, 999_999);
  return `${iso.slice(0, 19)}.${String(fracNs).padStart(9, '0')}Z`;
}

/**
 * Gives lines their times from the index (see the file comment). Stateful so that a follower
 * continuing after the history numbers lines within an entry exactly as a full read would.
 * Every line's end must be covered by the index (`LogIndex.cover`) before it is stamped.
 */
export class LineStamper {
  private entryEnd = -1;
  private k = 0;

  stamp(lines: RawLine[], index: IndexEntry[]): LogLine[] {
    const out: LogLine[] = [];
    let i = 0;
    for (const l of lines) {
      while (i < index.length && index[i]!.offset < l.end) i++;
      const entry = index[i] ?? { offset: Number.POSITIVE_INFINITY, ms: (index.at(-1)?.ms ?? 0) + 1 };
      this.k = entry.offset === this.entryEnd ? this.k + 1 : 0;
      this.entryEnd = entry.offset;
      out.push({ stream: 'stdout', line: l.text, ts: formatTs(entry.ms, this.k) });
    }
    return out;
  }
}

/** The arrival index of one log file, kept in memory by the runtime that writes it. */
export class LogIndex {
  private entries: IndexEntry[] | undefined;

  constructor(readonly path: string) {}

  async load(): Promise<IndexEntry[]> {
    if (!this.entries) this.entries = parseIndex(await readFile(this.path, 'utf8').catch(() => ''));
    return this.entries;
  }

  /** Forget what is in memory (another runtime may have appended); the next load reads the file. */
  invalidate(): void {
    this.entries = undefined;
  }

  /** Make sure bytes up to `offset` are covered; the new entry says they arrived by `nowMs`. */
  async cover(offset: number, nowMs: number): Promise<void> {
    const entries = await this.load();
    const last = entries.at(-1);
    if (last && last.offset >= offset) return;
    const entry = { offset, ms: last ? Math.max(nowMs, last.ms + 1) : nowMs };
    entries.push(entry);
    // An index that cannot be written only costs precision later: the entry still applies now.
    await appendFile(this.path, `${entry.offset} ${entry.ms}\n`, { mode: 0o600 }).catch(() => undefined);
  }

  async reset(): Promise<void> {
    this.entries = [];
    await writeFile(this.path, '', { mode: 0o600 });
  }
}

export interface ReadOptions {
  tail?: number;
  /** Unix seconds; lines older are left out. */
  since?: number;
}

/**
 * The whole history of a log file, stamped (lines no entry covers yet are covered now, with the
 * file's mtime); the offset reached, and the stamper to continue with.
 */
export async function readHistory(
  path: string,
  index: LogIndex,
  opts: ReadOptions & { partial: boolean },
): Promise<{ lines: LogLine[]; offset: number; stamper: LineStamper }> {
  const stamper = new LineStamper();
  let data: Buffer;
  let mtimeMs: number;
  try {
    const [buf, st] = await Promise.all([readFile(path), stat(path)]);
    data = buf;
    mtimeMs = Math.floor(st.mtimeMs);
  } catch {
    return { lines: [], offset: 0, stamper };
  }
  const { lines, consumed } = splitLines(data, 0);
  let offset = consumed;
  if (opts.partial && consumed < data.length) {
    lines.push({ end: data.length, text: data.subarray(consumed).toString('utf8') });
    offset = data.length;
  }
  index.invalidate();
  if (offset > 0) await index.cover(offset, mtimeMs);
  const stamped = stamper.stamp(lines, await index.load());
  return { lines: filterLines(stamped, opts), offset, stamper };
}

export function filterLines(lines: LogLine[], opts: ReadOptions): LogLine[] {
  let out = lines;
  if (opts.since !== undefined) {
    const since = formatTs(Math.floor(opts.since * 1000), 0);
    out = out.filter((l) => l.ts >= since);
  }
  if (opts.tail !== undefined) out = opts.tail <= 0 ? [] : out.slice(-opts.tail);
  return out;
}

/** Read bytes [from, size) of a file. */
export async function readFrom(path: string, from: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size <= from) return Buffer.alloc(0);
    const buf = Buffer.alloc(size - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Keep a log under `capBytes`: before a run, move it aside to `.1` (one old file kept); while a
 * process writes it, copy it aside and truncate in place (its O_APPEND writes continue at 0;
 * lines written between copy and truncate are lost, as with logrotate's copytruncate).
 */
export async function rotateLog(
  path: string,
  index: LogIndex,
  capBytes: number,
  mode: 'move' | 'copytruncate',
): Promise<boolean> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size <= capBytes) return false;
  if (mode === 'move') {
    await rename(path, `${path}.1`);
    await rename(index.path, `${index.path}.1`).catch(() => undefined);
    await writeFile(path, '', { mode: 0o600 });
  } else {
    await writeFile(`${path}.1`, await readFile(path), { mode: 0o600 });
    await truncate(path, 0);
    await rename(index.path, `${index.path}.1`).catch(() => undefined);
  }
  await index.reset();
  return true;
}
