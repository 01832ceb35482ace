// Text that came from a service (log lines, file names) may carry terminal escape sequences.
// Only colour (SGR: ESC [ … m) survives; anything that could move the cursor, retitle the
// window, ring, or write hyperlinks is removed, and other control characters are shown escaped.

const ESC = '\x1b';

// CSI (ESC [ params final), OSC (ESC ] … BEL or ST), other two-byte escapes, and C1 CSI/OSC.
const sequence = new RegExp(
  [
    '\\x1b\\[[0-?]*[ -/]*[@-~]', // CSI
    '\\x1b\\][^\\x07\\x1b]*(?:\\x07|\\x1b\\\\)?', // OSC
    '\\x1b[PX^_][^\\x1b]*(?:\\x1b\\\\)?', // DCS, SOS, PM, APC
    '\\x1b[@-Z\\\\-_]', // other Fe escapes
    '\\x1b[ -/]*[0-~]', // nF / Fp escapes
    '\\x9b[0-?]*[ -/]*[@-~]', // C1 CSI
    '\\x9d[^\\x07\\x9c]*(?:\\x07|\\x9c)?', // C1 OSC
  ].join('|'),
  'g',
);

/** Keep SGR colour, drop every other escape sequence, escape remaining control characters. */
export function sanitizeTerminalText(text: string, opts: { keepColour?: boolean } = {}): string {
  const keepColour = opts.keepColour ?? true;
  const withoutSequences = text.replace(sequence, (seq) => (keepColour && /^\x1b\[[0-9;:]*m$/.test(seq) ? seq : ''));
  return escapeControls(withoutSequences, keepColour);
}

/** Control characters (other than tab and the ESC of a kept colour sequence) as visible `\xNN`. */
export function escapeControls(text: string, allowSgr = false): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const code = ch.charCodeAt(0);
    if (ch === ESC && allowSgr && /^\x1b\[[0-9;:]*m/.test(text.slice(i, i + 32))) {
      out += ch;
      continue;
    }
    if (ch === '\t' || (code >= 0x20 && code !== 0x7f && !(code >= 0x80 && code < 0xa0))) out += ch;
    else out += `\\x${code.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function stripAnsi(text: string): string {
  return text.replace(sequence, '');
}
