// Long work in progress (image builds, initial sync, cluster creation): one row each, with a
// bar and counts when the work knows its size, a spinner-free "…" when it does not.

import type { ProgressEvent } from '@devenv/engine';
import { bar } from '../text.js';
import { Lines, type Piece } from './line.js';

export function progressPieces(p: ProgressEvent, width: number): Piece[] {
  const title =
    p.title.length > 28 ? `${p.title.slice(0, 27)}…` : p.title.padEnd(Math.min(28, Math.max(16, p.title.length)));
  const known = p.current !== undefined && p.total !== undefined && p.total > 0;
  const barWidth = Math.max(10, Math.min(30, Math.floor(width / 6)));
  return [
    { text: ' ◐ ', color: 'cyan' },
    { text: `${title} `, bold: true },
    known ? { text: bar(p.current!, p.total!, barWidth), color: 'cyan' } : { text: '…', color: 'cyan' },
    ...(known ? [{ text: ` ${p.current}/${p.total}${p.unit ? ` ${p.unit}` : ''}` }] : []),
    ...(p.message ? [{ text: `  ${p.message}`, dim: true }] : []),
  ];
}

export function ProgressBars({ progress, rows, width }: { progress: ProgressEvent[]; rows: number; width: number }) {
  if (rows <= 0) return null;
  const shown = progress.slice(0, rows);
  const more = progress.length - shown.length;
  const lines = shown.map((p, i) => {
    const pieces = progressPieces(p, width);
    if (i === shown.length - 1 && more > 0) pieces.push({ text: `  (+${more} more)`, dim: true });
    return pieces;
  });
  return <Lines rows={lines} width={width} height={rows} />;
}
