// The waterfall (w): the last `up`'s timeline in place of the log pane, every service's phases
// on one time axis, widths proportional to time, the critical path marked ★ and drawn in yellow.
// A phase per row when they fit, else a row per service; a running `up` grows with the clock.

import type { Timeline } from '@devenv/engine';
import {
  CRITICAL_MARK,
  headerLines,
  rowText,
  WAIT_CELL,
  type Waterfall,
  type WaterfallRow,
  waterfall,
} from '../../output/waterfall.js';
import { Lines, type Piece } from './line.js';

export function TimelinePane({
  timeline,
  now,
  height,
  width,
}: {
  timeline: Timeline | undefined;
  now: number;
  height: number;
  width: number;
}) {
  const rows = timelineRows(timeline, now, height, width);
  return <Lines rows={rows.slice(0, height + 1)} width={width} height={height + 1} />;
}

/** The pane's rows: a title, the legend and axis, then the waterfall (or why there is none). */
export function timelineRows(timeline: Timeline | undefined, now: number, height: number, width: number): Piece[][] {
  const title = (text: string): Piece[] => [
    { text: `─ ${text} `, bold: true, color: 'cyan' },
    { text: '─'.repeat(Math.max(0, width - text.length - 3)), dim: true },
  ];
  if (!timeline) {
    return [
      title('timeline'),
      [{ text: '  No `up` has been recorded yet: its timeline appears here as it runs.' }],
      [{ text: '  w, esc or q closes this', dim: true }],
    ];
  }
  const wide = waterfall(timeline, { width: width - 2, detail: 'phases', nowMs: now });
  // Title, legend, axis and the closing hint take four rows.
  const w =
    wide.rows.length <= height - 3 ? wide : waterfall(timeline, { width: width - 2, detail: 'services', nowMs: now });
  const [heading, legend, axis] = headerLines(w);
  return [
    title(`timeline · ${heading}`),
    [{ text: `  ${legend}`, dim: true }],
    [{ text: `  ${axis}`, dim: true }],
    ...w.rows.map((r) => rowPieces(w, r)),
    [{ text: '  w, esc or q closes this · `devenv timeline` prints it', dim: true }],
  ];
}

function rowPieces(w: Waterfall, r: WaterfallRow): Piece[] {
  const text = rowText(w, r);
  const barsAt = w.labelWidth + 1 + 1 + 1 + 9 + 1;
  const head = text.slice(0, barsAt);
  const pieces: Piece[] = [
    { text: '  ' },
    { text: head.slice(0, w.labelWidth), bold: r.kind === 'service', dim: r.kind === 'phase' && !r.critical },
    { text: ' ' },
    r.critical ? { text: CRITICAL_MARK, color: 'yellow', bold: true } : { text: ' ' },
    { text: head.slice(w.labelWidth + 2), dim: !r.critical },
  ];
  // Consecutive cells of one kind become one piece: yellow on the critical path, grey while waiting.
  let col = 0;
  for (const c of r.cells) {
    if (c.col > col) pieces.push({ text: ' '.repeat(c.col - col) });
    const last = pieces.at(-1)!;
    const color = c.critical ? 'yellow' : c.char === WAIT_CELL ? 'gray' : 'cyan';
    if (last.color === color && last.text.endsWith(c.char)) last.text += c.char;
    else pieces.push({ text: c.char, color });
    col = c.col + 1;
  }
  if (r.outcome === 'failed') pieces.push({ text: ' ✗', color: 'red', bold: true });
  return pieces;
}
