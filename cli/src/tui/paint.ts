// Colour for the TUI's rows, as plain SGR sequences: every row is a pre-styled string (see
// components/rows.tsx), so styling is ours, and off entirely under NO_COLOR.

export type ColourName = 'green' | 'yellow' | 'red' | 'gray' | 'cyan' | 'blue' | 'magenta';

const fg: Record<ColourName, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90 };
const bg: Record<ColourName, number> = { red: 41, green: 42, yellow: 43, blue: 44, magenta: 45, cyan: 46, gray: 100 };

export interface Style {
  color?: ColourName | undefined;
  bold?: boolean | undefined;
  dim?: boolean | undefined;
}

/** `text` in a style; closes only what it opened (22 bold/dim, 39 colour) so a row background survives. */
export function paint(text: string, style: Style, colour: boolean): string {
  if (!colour || text === '') return text;
  let open = '';
  let close = '';
  if (style.bold) open += '\x1b[1m';
  if (style.dim) open += '\x1b[2m';
  if (style.bold || style.dim) close = '\x1b[22m';
  if (style.color) {
    open += `\x1b[${fg[style.color]}m`;
    close = `\x1b[39m${close}`;
  }
  return open ? `${open}${text}${close}` : text;
}

/** A whole row on a background colour. */
export function onBackground(row: string, colour: ColourName, enabled: boolean): string {
  return enabled ? `\x1b[${bg[colour]}m${row}\x1b[49m` : row;
}
