// One terminal row built from styled pieces, cut to the width so it never wraps: every row of
// the TUI goes through here (or is cut the same way), which is what keeps the layout exact.

import { createContext, useContext } from 'react';
import { type ColourName, onBackground, paint } from '../paint.js';
import { stringWidth, truncate } from '../text.js';
import { Rows } from './rows.js';

/** Whether rows carry colour (off under NO_COLOR or when the output is not a terminal). */
export const ColourContext = createContext(true);

export interface Piece {
  text: string;
  color?: ColourName | undefined;
  bold?: boolean;
  dim?: boolean;
  /** Text already holding OSC 8 links or SGR that measuring must see through (`text` is what shows). */
  raw?: string | undefined;
}

export function fitPieces(pieces: Piece[], width: number): Piece[] {
  const out: Piece[] = [];
  let left = width;
  for (const p of pieces) {
    if (left <= 0) break;
    const w = stringWidth(p.text);
    if (w <= left) {
      out.push(p);
      left -= w;
    } else {
      // A cut piece loses its raw form (a half link is no link).
      out.push({ ...p, text: truncate(p.text, left), raw: undefined });
      left = 0;
    }
  }
  return out;
}

/** The row as a string: cut to `width`, styled when colour is on. */
export function renderPieces(pieces: Piece[], width: number, colour: boolean, background?: ColourName): string {
  const row = fitPieces(pieces, width)
    .map((p) => paint(p.raw ?? p.text, p, colour))
    .join('');
  return background ? onBackground(row, background, colour) : row;
}

export function Line({ pieces, width, background }: { pieces: Piece[]; width: number; background?: ColourName }) {
  const colour = useContext(ColourContext);
  return <Rows lines={[renderPieces(pieces, width, colour, background)]} width={width} />;
}

/** Several rows of pieces as one block. */
export function Lines({ rows, width, height }: { rows: Piece[][]; width: number; height?: number }) {
  const colour = useContext(ColourContext);
  return <Rows lines={rows.map((r) => renderPieces(r, width, colour))} width={width} {...(height ? { height } : {})} />;
}
