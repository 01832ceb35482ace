import { describe, expect, it } from 'vitest';
import { LogRing, type NewLogLine } from './log-ring.js';
import { lineMatcher, scrollDown, scrollUp, topAnchor, visibleWindow } from './log-window.js';

const mk = (text: string, service: string): NewLogLine => ({
  ts: '2026-01-01T00:00:00.000Z',
  service,
  stream: 'stdout',
  text,
  plain: text,
  lower: text.toLowerCase(),
});

/** 100 lines: "line 0".."line 99", alternating services a and b; every 10th says Needle. */
function ring(): LogRing {
  return LogRing.empty(1000).append(
    Array.from({ length: 100 }, (_, i) => mk(`line ${i}${i % 10 === 0 ? ' Needle' : ''}`, i % 2 ? 'b' : 'a')),
  );
}
const texts = (lines: { plain: string }[]) => lines.map((l) => l.plain);

describe('lineMatcher', () => {
  it('matches case-insensitively unless the filter has a capital (smart case)', () => {
    const l = { ...mk('Hello World', 'a'), seq: 0 };
    const withLower = { ...l, lower: 'hello world' };
    expect(lineMatcher({ filter: 'hello' })(withLower)).toBe(true);
    expect(lineMatcher({ filter: 'Hello' })(withLower)).toBe(true);
    expect(lineMatcher({ filter: 'HELLO' })(withLower)).toBe(false);
    expect(lineMatcher({ service: 'b' })(withLower)).toBe(false);
  });
});

describe('visibleWindow', () => {
  it('follows: the newest lines fill the pane', () => {
    const w = visibleWindow(ring(), {}, 3);
    expect(texts(w.lines)).toEqual(['line 97', 'line 98', 'line 99']);
    expect(w.newerLines).toBe(0);
    expect(w.atTop).toBe(false);
  });

  it('shows one service only, filtered by text', () => {
    expect(texts(visibleWindow(ring(), { service: 'b' }, 2).lines)).toEqual(['line 97', 'line 99']);
    expect(texts(visibleWindow(ring(), { filter: 'needle' }, 2).lines)).toEqual(['line 80 Needle', 'line 90 Needle']);
    expect(visibleWindow(ring(), { filter: 'needle', service: 'b' }, 2).lines).toEqual([]);
  });

  it('stays anchored when lines arrive, and counts what is newer', () => {
    const r = ring();
    const anchor = r.at(49)!.seq;
    const more = r.append([mk('new', 'a')]);
    const w = visibleWindow(more, {}, 3, anchor);
    expect(texts(w.lines)).toEqual(['line 47', 'line 48', 'line 49']);
    expect(w.newerLines).toBe(51);
  });

  it('fills from below when scrolled to the very top', () => {
    const w = visibleWindow(ring(), {}, 3, 0);
    expect(texts(w.lines)).toEqual(['line 0 Needle', 'line 1', 'line 2']);
    expect(w.atTop).toBe(true);
  });

  it('clamps an anchor whose line left the ring', () => {
    const r = LogRing.empty(256).append(Array.from({ length: 600 }, (_, i) => mk(`l${i}`, 'a')));
    const w = visibleWindow(r, {}, 2, 3);
    expect(w.lines[0]?.seq).toBe(r.firstSeq);
  });
});

describe('scrolling', () => {
  it('pages up and down by matching lines and follows again at the bottom', () => {
    const r = ring();
    const up1 = scrollUp(r, {}, 10, undefined, 9);
    expect(up1).toBe(90);
    const up2 = scrollUp(r, {}, 10, up1, 9);
    expect(up2).toBe(81);
    expect(scrollDown(r, {}, up2, 9)).toBe(90);
    expect(scrollDown(r, {}, 90, 9)).toBeUndefined();
    expect(scrollDown(r, {}, undefined, 9)).toBeUndefined();
  });

  it('never scrolls past the top', () => {
    const r = ring();
    expect(scrollUp(r, {}, 10, undefined, 1000)).toBe(9);
    expect(topAnchor(r, {}, 10)).toBe(9);
  });

  it('scrolls through filtered lines only', () => {
    const r = ring();
    const q = { filter: 'needle' };
    expect(topAnchor(r, q, 2)).toBe(10);
    const up = scrollUp(r, q, 2, undefined, 1);
    expect(up).toBe(80);
    expect(texts(visibleWindow(r, q, 2, up).lines)).toEqual(['line 70 Needle', 'line 80 Needle']);
  });

  it('has nothing to scroll in an empty ring', () => {
    const empty = LogRing.empty();
    expect(topAnchor(empty, {}, 5)).toBeUndefined();
    expect(scrollUp(empty, {}, 5, undefined, 3)).toBeUndefined();
    expect(visibleWindow(empty, {}, 5).lines).toEqual([]);
  });
});
