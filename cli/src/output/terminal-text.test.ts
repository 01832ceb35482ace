import { describe, expect, it } from 'vitest';
import { escapeControls, sanitizeTerminalText, stripAnsi } from './terminal-text.js';

describe('sanitizeTerminalText', () => {
  it('removes a window-title OSC and cursor movement, keeps colour', () => {
    const hostile = 'a\x1b]0;pwned\x07b\x1b[2J\x1b[H\x1b[10;5Hc\x1b[31mred\x1b[0m';
    expect(sanitizeTerminalText(hostile)).toBe('abc\x1b[31mred\x1b[0m');
  });

  it('drops colour too when asked', () => {
    expect(sanitizeTerminalText('\x1b[1;32mok\x1b[0m', { keepColour: false })).toBe('ok');
  });

  it('removes OSC 8 hyperlinks, DCS, C1 CSI and single-byte escapes', () => {
    expect(sanitizeTerminalText('\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\')).toBe('link');
    expect(sanitizeTerminalText('x\x1bP1$r\x1b\\y')).toBe('xy');
    expect(sanitizeTerminalText('x\x9b2Jy')).toBe('xy');
    expect(sanitizeTerminalText('x\x1bcy\x1b7z')).toBe('xyz');
  });

  it('shows other control characters escaped, never raw', () => {
    expect(sanitizeTerminalText('bell\x07 back\x08 cr\r nul\x00 tab\tok')).toBe(
      'bell\\x07 back\\x08 cr\\x0d nul\\x00 tab\tok',
    );
    expect(escapeControls('file\nname')).toBe('file\\x0aname');
  });

  it('a lone ESC cannot start a sequence later', () => {
    const out = sanitizeTerminalText('x\x1b');
    expect(out).toBe('x\\x1b');
    expect(stripAnsi('\x1b[31mred\x1b[0m')).toBe('red');
  });
});
