// How every row reaches ink: as a pre-styled string written over a blank placeholder of the
// same size by <Transform>. ink measures (and caches, without bound) the text of every <Text>
// it lays out; log lines are all different, so measuring them would grow memory by every line
// ever shown. The placeholder is the same for a given size, so ink's caches stay small, and
// ink still does what it is good at: layout, diffing frames, input.

import { Transform } from 'ink';

const placeholders = new Map<string, string>();

function placeholder(width: number, height: number): string {
  const key = `${width}x${height}`;
  let text = placeholders.get(key);
  if (text === undefined) {
    text = Array.from({ length: height }, () => ' '.repeat(Math.max(1, width))).join('\n');
    placeholders.set(key, text);
  }
  return text;
}

/** `lines` (each at most `width` columns, styled already), in a block `height` rows tall. */
export function Rows({ lines, width, height }: { lines: readonly string[]; width: number; height?: number }) {
  const rows = Math.max(1, height ?? lines.length);
  return <Transform transform={(_, index) => lines[index] ?? ''}>{placeholder(width, rows)}</Transform>;
}
