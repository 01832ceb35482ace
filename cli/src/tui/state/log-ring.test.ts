import { describe, expect, it } from 'vitest';
import { LogRing, type NewLogLine } from './log-ring.js';

const line = (text: string, service = 'web'): NewLogLine => ({
  ts: '2026-01-01T00:00:00.000Z',
  service,
  stream: 'stdout',
  text,
  plain: text,
  lower: text,
});

describe('LogRing', () => {
  it('appends with contiguous seqs and reads by index', () => {
    const ring = LogRing.empty(10)
      .append([line('a'), line('b')])
      .append([line('c')]);
    expect(ring.size).toBe(3);
    expect([0, 1, 2].map((i) => ring.at(i)?.text)).toEqual(['a', 'b', 'c']);
    expect(ring.at(2)?.seq).toBe(2);
    expect(ring.firstSeq).toBe(0);
    expect(ring.at(3)).toBeUndefined();
  });

  it('is immutable: an earlier ring is unchanged by later appends', () => {
    const before = LogRing.empty(10).append([line('a')]);
    const after = before.append([line('b')]);
    expect(before.size).toBe(1);
    expect(after.size).toBe(2);
    expect(before.append([])).toBe(before);
  });

  it('stays bounded: keeps at least capacity lines and drops the oldest in whole chunks', () => {
    let ring = LogRing.empty(1000);
    for (let i = 0; i < 50; i++) ring = ring.append(Array.from({ length: 1000 }, (_, k) => line(`l${i * 1000 + k}`)));
    expect(ring.size).toBeGreaterThanOrEqual(1000);
    expect(ring.size).toBeLessThan(1000 + 256);
    expect(ring.nextSeq).toBe(50_000);
    expect(ring.at(ring.size - 1)?.text).toBe('l49999');
    expect(ring.at(0)?.seq).toBe(ring.firstSeq);
    expect(ring.indexOfSeq(0)).toBe(-1);
    expect(ring.indexOfSeq(49_999)).toBe(ring.size - 1);
  });

  it('takes a single batch larger than its capacity', () => {
    const ring = LogRing.empty(300).append(Array.from({ length: 5000 }, (_, k) => line(`l${k}`)));
    expect(ring.size).toBeLessThan(300 + 256);
    expect(ring.at(ring.size - 1)?.text).toBe('l4999');
  });
});
