// One terminal row built from styled pieces, cut to the width so it never wraps: every row of
// the TUI goes through here (or is cut the same way), which is what keeps the layout exact.

import { Text } from 'ink';
import { stringWidth, truncate } from '../text.js';

export interface Piece {
  text: string;
  color?: string | undefined;
  bold?: boolean;
  dim?: boolean;
  inverse?: boolean;
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

export function Line({ pieces, width, background }: { pieces: Piece[]; width: number; background?: string }) {
  return (
    <Text wrap="truncate-end" {...(background ? { backgroundColor: background } : {})}>
      {fitPieces(pieces, width).map((p, i) => (
        <Text
          // biome-ignore lint/suspicious/noArrayIndexKey: pieces of one row have no identity beyond their place
          key={i}
          {...(p.color ? { color: p.color } : {})}
          bold={p.bold ?? false}
          dimColor={p.dim ?? false}
          inverse={p.inverse ?? false}
        >
          {p.raw ?? p.text}
        </Text>
      ))}
    </Text>
  );
}
