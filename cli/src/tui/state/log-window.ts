// Which log lines the pane shows: only the visible window is ever computed (virtualised), by
// walking the ring from the bottom of the view upwards. The view is either following (the
// newest matching lines) or anchored at a line's seq, so a scrolled-back view stays put while
// new lines arrive.

import type { LogLine, LogRing } from './log-ring.js';

export interface LogQuery {
  /** Only this service's lines (enter on a service). */
  service?: string | undefined;
  /** Only lines containing this text; case-insensitive unless it has a capital (smart case). */
  filter?: string | undefined;
}

export type LineMatcher = (line: LogLine) => boolean;

export function lineMatcher(q: LogQuery): LineMatcher {
  const service = q.service;
  const filter = q.filter ?? '';
  if (!service && !filter) return () => true;
  const caseSensitive = filter !== filter.toLowerCase();
  const needle = filter;
  return (line) =>
    (!service || line.service === service) &&
    (!needle || (caseSensitive ? line.plain.includes(needle) : line.lower.includes(needle)));
}

export interface LogWindow {
  /** Oldest first, at most `height` lines. */
  lines: LogLine[];
  /** Lines held in the ring newer than the bottom of the view (0 when following). */
  newerLines: number;
  /** No matching line above the window. */
  atTop: boolean;
}

/** Index of the view's bottom line: the newest line, or the anchor (clamped into the ring). */
function bottomIndex(ring: LogRing, anchorSeq: number | undefined): number {
  if (anchorSeq === undefined) return ring.size - 1;
  return Math.max(0, Math.min(ring.indexOfSeq(anchorSeq), ring.size - 1));
}

export function visibleWindow(ring: LogRing, q: LogQuery, height: number, anchorSeq?: number): LogWindow {
  const match = lineMatcher(q);
  const lines: LogLine[] = [];
  if (height <= 0 || ring.size === 0) return { lines, newerLines: 0, atTop: true };
  const bottom = bottomIndex(ring, anchorSeq);
  let i = bottom;
  for (; i >= 0 && lines.length < height; i--) {
    const line = ring.at(i)!;
    if (match(line)) lines.push(line);
  }
  lines.reverse();
  let atTop = true;
  for (let j = i; j >= 0; j--) {
    if (match(ring.at(j)!)) {
      atTop = false;
      break;
    }
  }
  // Scrolled to the very top with room to spare: fill the rest from below, so the pane stays full.
  if (anchorSeq !== undefined && lines.length < height) {
    for (let j = bottom + 1; j < ring.size && lines.length < height; j++) {
      const line = ring.at(j)!;
      if (match(line)) lines.push(line);
    }
  }
  const last = lines.at(-1);
  const newerLines = anchorSeq === undefined || !last ? 0 : ring.size - 1 - ring.indexOfSeq(last.seq);
  return { lines, newerLines, atTop };
}

/** Index of the n-th matching line walking from `from` in `step` direction (the last one found if fewer). */
function walk(
  ring: LogRing,
  match: LineMatcher,
  from: number,
  step: 1 | -1,
  n: number,
): { index: number; found: number } {
  let index = from;
  let found = 0;
  for (let i = from + step; i >= 0 && i < ring.size && found < n; i += step) {
    if (match(ring.at(i)!)) {
      index = i;
      found++;
    }
  }
  return { index, found };
}

/** The anchor that shows the oldest matching lines at the top of the pane (`g`). */
export function topAnchor(ring: LogRing, q: LogQuery, height: number): number | undefined {
  if (ring.size === 0) return undefined;
  const match = lineMatcher(q);
  const first = walk(ring, match, -1, 1, 1);
  if (first.found === 0) return undefined;
  const bottom = walk(ring, match, first.index, 1, Math.max(0, height - 1));
  return ring.at(bottom.index)!.seq;
}

/** Scroll towards older lines by n matching lines; never further than `topAnchor`. */
export function scrollUp(
  ring: LogRing,
  q: LogQuery,
  height: number,
  anchorSeq: number | undefined,
  n: number,
): number | undefined {
  if (ring.size === 0) return anchorSeq;
  const match = lineMatcher(q);
  let bottom = bottomIndex(ring, anchorSeq);
  // Start from the newest line the view really shows.
  while (bottom > 0 && !match(ring.at(bottom)!)) bottom--;
  const target = walk(ring, match, bottom, -1, n).index;
  const top = topAnchor(ring, q, height);
  if (top === undefined) return anchorSeq;
  const topIndex = ring.indexOfSeq(top);
  return ring.at(Math.max(target, topIndex))!.seq;
}

/** Scroll towards newer lines by n matching lines; undefined (follow) once the newest is reached. */
export function scrollDown(ring: LogRing, q: LogQuery, anchorSeq: number | undefined, n: number): number | undefined {
  if (anchorSeq === undefined || ring.size === 0) return undefined;
  const match = lineMatcher(q);
  const from = bottomIndex(ring, anchorSeq);
  const step = walk(ring, match, from, 1, n);
  if (step.found < n) return undefined;
  // Reached the newest matching line: follow again.
  if (walk(ring, match, step.index, 1, 1).found === 0) return undefined;
  return ring.at(step.index)!.seq;
}
