import { describe, expect, it } from 'vitest';
import { hyperlink, hyperlinksSupported } from './hyperlinks.js';

describe('hyperlinksSupported', () => {
  it('follows the flag first, then FORCE_HYPERLINK', () => {
    expect(hyperlinksSupported({}, true)).toBe(true);
    expect(hyperlinksSupported({ TERM_PROGRAM: 'iTerm.app' }, false)).toBe(false);
    expect(hyperlinksSupported({ FORCE_HYPERLINK: '1' })).toBe(true);
    expect(hyperlinksSupported({ FORCE_HYPERLINK: '0', WT_SESSION: 'x' })).toBe(false);
  });

  it('knows the terminals that support OSC 8', () => {
    expect(hyperlinksSupported({ TERM_PROGRAM: 'iTerm.app' })).toBe(true);
    expect(hyperlinksSupported({ TERM_PROGRAM: 'vscode' })).toBe(true);
    expect(hyperlinksSupported({ TERM_PROGRAM: 'WezTerm' })).toBe(true);
    expect(hyperlinksSupported({ VTE_VERSION: '7200' })).toBe(true);
    expect(hyperlinksSupported({ WT_SESSION: 'abc' })).toBe(true);
    expect(hyperlinksSupported({ TERM: 'xterm-kitty' })).toBe(true);
  });

  it('is off for unknown terminals, old VTE, and inside tmux', () => {
    expect(hyperlinksSupported({ TERM: 'xterm-256color' })).toBe(false);
    expect(hyperlinksSupported({ VTE_VERSION: '4600' })).toBe(false);
    expect(hyperlinksSupported({ TMUX: '/tmp/tmux-0/default,1,0', TERM_PROGRAM: 'iTerm.app' })).toBe(false);
  });
});

describe('hyperlink', () => {
  it('wraps text in OSC 8 and strips control characters from the URL', () => {
    expect(hyperlink('here', 'http://127.0.0.1:8000')).toBe('\x1b]8;;http://127.0.0.1:8000\x1b\\here\x1b]8;;\x1b\\');
    expect(hyperlink('x', 'http://a\x1b]0;pwned\x07b')).toBe('\x1b]8;;http://a]0;pwnedb\x1b\\x\x1b]8;;\x1b\\');
  });
});
