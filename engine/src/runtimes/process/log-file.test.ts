import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  filterLines,
  formatTs,
  LineStamper,
  LogIndex,
  normaliseIndex,
  parseIndex,
  readHistory,
  rotateLog,
  splitLines,
} from './log-file.js';

const scratch: string[] = [];
/** A temp directory removed after the file's tests. */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `devenv-unit-${prefix}`));
  scratch.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('splitLines', () => {
  it('splits complete lines with their end offsets and keeps the partial tail', () => {
    const { lines, consumed } = splitLines(Buffer.from('a\r\nbb\n\nccc'), 10);
    expect(lines).toEqual([
      { end: 13, text: 'a' },
      { end: 16, text: 'bb' },
      { end: 17, text: '' },
    ]);
    expect(consumed).toBe(7);
  });

  it('never splits a multi-byte character', () => {
    const { lines } = splitLines(Buffer.from('héllo ✓\n'), 0);
    expect(lines[0]!.text).toBe('héllo ✓');
  });
});

describe('the arrival index', () => {
  it('parses, sorts, dedupes and keeps times from going backwards', () => {
    expect(parseIndex('10 1000\n5 900\nbad line\n10 1001\n20 999\n')).toEqual([
      { offset: 5, ms: 900 },
      { offset: 10, ms: 1000 },
      { offset: 20, ms: 1001 },
    ]);
    expect(normaliseIndex([])).toEqual([]);
  });

  it('formats fixed-width nanosecond timestamps that sort as strings', () => {
    expect(formatTs(Date.UTC(2024, 0, 2, 3, 4, 5, 67), 0)).toBe('2024-01-02T03:04:05.067000000Z');
    expect(formatTs(Date.UTC(2024, 0, 2, 3, 4, 5, 67), 12)).toBe('2024-01-02T03:04:05.067000012Z');
    expect(formatTs(0, 0) < formatTs(0, 1)).toBe(true);
  });

  it('stamps each line with the entry covering its end, numbering lines within an entry', () => {
    const data = Buffer.from('one\ntwo\nthree\nfour\n');
    const { lines } = splitLines(data, 0);
    const index = [
      { offset: 8, ms: 1000 },
      { offset: 19, ms: 2000 },
    ];
    const ts = new LineStamper().stamp(lines, index).map((l) => l.ts);
    expect(ts).toEqual([formatTs(1000, 0), formatTs(1000, 1), formatTs(2000, 0), formatTs(2000, 1)]);
  });

  it('gives a follower continuing after history the same times as one full read', () => {
    const { lines } = splitLines(Buffer.from('a\nb\nc\nd\n'), 0);
    const index = [{ offset: 8, ms: 5000 }];
    const full = new LineStamper().stamp(lines, index);
    const s = new LineStamper();
    const parts = [...s.stamp(lines.slice(0, 1), index), ...s.stamp(lines.slice(1), index)];
    expect(parts).toEqual(full);
  });

  it('filters by since and tail', () => {
    const lines = [1000, 2000, 3000].map((ms) => ({
      stream: 'stdout' as const,
      line: String(ms),
      ts: formatTs(ms, 0),
    }));
    expect(filterLines(lines, { since: 2 }).map((l) => l.line)).toEqual(['2000', '3000']);
    expect(filterLines(lines, { tail: 1 }).map((l) => l.line)).toEqual(['3000']);
    expect(filterLines(lines, { tail: 0 })).toEqual([]);
  });

  it('reads history, pinning uncovered lines to the mtime, and persists that', async () => {
    const dir = scratchDir('logidx-');
    const log = join(dir, 's.log');
    writeFileSync(log, 'x\ny\npartial');
    const index = new LogIndex(`${log}.idx`);
    const h = await readHistory(log, index, { partial: true });
    expect(h.lines.map((l) => l.line)).toEqual(['x', 'y', 'partial']);
    expect(h.offset).toBe(11);
    expect(readFileSync(`${log}.idx`, 'utf8')).toMatch(/^11 \d+\n$/);
    const again = await readHistory(log, new LogIndex(`${log}.idx`), { partial: true });
    expect(again.lines).toEqual(h.lines);
    const complete = await readHistory(log, new LogIndex(`${log}.idx`), { partial: false });
    expect(complete.offset).toBe(4);
  });

  it('rotates a log over its cap and starts a fresh index', async () => {
    const dir = scratchDir('logrot-');
    const log = join(dir, 's.log');
    writeFileSync(log, 'x'.repeat(100));
    const index = new LogIndex(`${log}.idx`);
    await index.cover(100, 1);
    expect(await rotateLog(log, index, 1000, 'move')).toBe(false);
    expect(await rotateLog(log, index, 50, 'copytruncate')).toBe(true);
    expect(readFileSync(log, 'utf8')).toBe('');
    expect(readFileSync(`${log}.1`, 'utf8')).toHaveLength(100);
    expect(await index.load()).toEqual([]);
    expect(readFileSync(`${log}.idx.1`, 'utf8')).toBe('100 1\n');
  });
});
