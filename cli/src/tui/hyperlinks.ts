// OSC 8 hyperlinks, written by the TUI itself and only around its own URLs (published ports,
// service URLs), never from service output (that is sanitised before it is shown). Terminals
// that do not know OSC 8 may print the sequence, so links are on only where support is known.

export type HyperlinkChoice = boolean | undefined;

/** `--hyperlinks` / `--no-hyperlinks` win; then FORCE_HYPERLINK; then what the terminal says about itself. */
export function hyperlinksSupported(env: Record<string, string | undefined>, choice?: HyperlinkChoice): boolean {
  if (choice !== undefined) return choice;
  const force = env.FORCE_HYPERLINK;
  if (force !== undefined) return force !== '0' && force !== '';
  // Inside tmux or screen the outer terminal is unknown, and tmux drops OSC 8 unless configured.
  if (env.TMUX || env.TERM?.startsWith('screen') || env.TERM?.startsWith('tmux')) return false;
  if (env.WT_SESSION || env.KITTY_WINDOW_ID || env.DOMTERM || env.KONSOLE_VERSION) return true;
  if (env.TERM === 'xterm-kitty' || env.TERM === 'xterm-ghostty' || env.TERM === 'alacritty') return true;
  const vte = Number(env.VTE_VERSION);
  if (Number.isFinite(vte) && vte >= 5000) return true;
  switch (env.TERM_PROGRAM) {
    case 'iTerm.app':
    case 'WezTerm':
    case 'vscode':
    case 'ghostty':
    case 'Hyper':
    case 'rio':
      return true;
    default:
      return false;
  }
}

/** `text` as a link to `url`; control characters in the URL are dropped so it cannot end the sequence. */
export function hyperlink(text: string, url: string): string {
  const safe = url.replace(/[\x00-\x1f\x7f-\x9f]/g, '');
  return `\x1b]8;;${safe}\x1b\\${text}\x1b]8;;\x1b\\`;
}
