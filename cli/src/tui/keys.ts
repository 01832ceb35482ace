// Every key the TUI knows, in one place: what it does in each mode (normal, typing a filter,
// an overlay open, stopping) and the help text the footer, the help overlay and docs/tui.md
// show. Keys map to a reducer action (a change of view) or an effect (a request to the daemon,
// opening a browser, quitting), which the app carries out.

import type { Action, TuiState } from './state/reducer.js';

/** The parts of ink's Key this module reads. */
export interface KeyInfo {
  upArrow?: boolean;
  downArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  home?: boolean;
  end?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
  tab?: boolean;
}

export type Effect =
  | { effect: 'restart'; service: string }
  | { effect: 'rebuild'; service: string }
  | { effect: 'debug'; service: string }
  | { effect: 'resync'; service: string }
  | { effect: 'open'; service: string }
  | { effect: 'reset'; mode: 'soft' | 'hard' }
  /** Leave the UI; the daemon keeps the environment running. */
  | { effect: 'quit' }
  /** Take the environment down, then leave. */
  | { effect: 'down' };

export type Intent = Action | Effect;

export function isEffect(i: Intent): i is Effect {
  return 'effect' in i;
}

export interface KeyHelp {
  keys: string;
  what: string;
  /** Short form for the footer; absent: help overlay only. */
  footer?: string;
}

export const KEY_HELP: KeyHelp[] = [
  { keys: '↑/↓  j/k', what: 'select a service', footer: 'select' },
  { keys: 'enter', what: "show only the selected service's logs", footer: 'logs' },
  { keys: 'esc', what: 'back to all logs (and clear the filter)' },
  { keys: 'r', what: 'restart the selected service', footer: 'restart' },
  { keys: 'b', what: "rebuild the selected service's image, recreate it if it changed", footer: 'rebuild' },
  { keys: 's', what: "full resync of the selected service's synced files", footer: 'resync' },
  { keys: 'd', what: 'debugger attach details and a VS Code launch.json entry (or why none)', footer: 'debug' },
  { keys: 'D', what: 'run the selected service under its debugger now (a job waits for you)' },
  { keys: 'o', what: "open the selected service's URL in the browser", footer: 'open' },
  { keys: 'R', what: 'reset the environment (asks first; says what is lost)', footer: 'reset' },
  { keys: 'w', what: "the up's timeline: each service's phases, the critical path ★", footer: 'timeline' },
  { keys: '/', what: 'filter log lines by text (enter keeps it, esc clears it)', footer: 'filter' },
  { keys: 't', what: 'show or hide timestamps', footer: 'time' },
  { keys: 'PgUp/PgDn', what: 'scroll the logs back and forth by a page (the view stays put while lines arrive)' },
  { keys: 'g/G  home/end', what: 'oldest log line / newest (follow again)' },
  { keys: 'q', what: 'quit; the environment keeps running (`devenv up` re-attaches)', footer: 'quit' },
  { keys: 'Q  ctrl-c', what: 'take the environment down and quit', footer: 'down' },
  { keys: '?', what: 'this help', footer: 'help' },
];

export function keyIntent(state: TuiState, input: string, key: KeyInfo): Intent | undefined {
  const ctrlC = key.ctrl === true && input === 'c';
  if (state.busy?.kind === 'stopping') {
    // Stopping already: a second ctrl-c (or q) leaves the rest to the daemon.
    return ctrlC || input === 'q' ? { effect: 'quit' } : undefined;
  }
  if (ctrlC) return { effect: 'down' };

  switch (state.overlay.kind) {
    case 'help':
      return key.escape || input === '?' || input === 'q' ? close() : undefined;
    case 'debug':
      return key.escape || input === 'd' || input === 'q' ? close() : undefined;
    case 'timeline':
      return key.escape || input === 'w' || input === 'q' ? close() : undefined;
    case 'reset':
      return resetKey(state, input, key);
    case 'none':
      break;
  }

  if (state.editingFilter) {
    if (key.escape) return { type: 'filterCancel' };
    if (key.return) return { type: 'filterCommit' };
    if (key.backspace || key.delete) return { type: 'filterBackspace' };
    if (key.ctrl || key.meta || key.upArrow || key.downArrow || key.tab || input === '') return undefined;
    return { type: 'filterInput', text: input };
  }

  const service = state.selected;
  if (key.upArrow) return { type: 'select', delta: -1 };
  if (key.downArrow) return { type: 'select', delta: 1 };
  if (key.pageUp) return { type: 'scroll', move: 'pageUp' };
  if (key.pageDown) return { type: 'scroll', move: 'pageDown' };
  if (key.home) return { type: 'scroll', move: 'top' };
  if (key.end) return { type: 'scroll', move: 'bottom' };
  if (key.return) return service ? { type: 'focus' } : undefined;
  if (key.escape) {
    if (state.focus) return { type: 'unfocus' };
    if (state.filter) return { type: 'filterCancel' };
    return state.anchorSeq !== undefined ? { type: 'scroll', move: 'bottom' } : undefined;
  }
  if (key.ctrl || key.meta) return undefined;
  switch (input) {
    case 'k':
      return { type: 'select', delta: -1 };
    case 'j':
      return { type: 'select', delta: 1 };
    case 'g':
      return { type: 'scroll', move: 'top' };
    case 'G':
      return { type: 'scroll', move: 'bottom' };
    case '/':
      return { type: 'filterStart' };
    case 't':
      return { type: 'toggleTimestamps' };
    case '?':
      return { type: 'overlay', overlay: { kind: 'help' } };
    case 'd':
      return service ? { type: 'overlay', overlay: { kind: 'debug', service } } : undefined;
    case 'D':
      return service ? { effect: 'debug', service } : undefined;
    case 'R':
      return { type: 'overlay', overlay: { kind: 'reset' } };
    case 'w':
      return { type: 'overlay', overlay: { kind: 'timeline' } };
    case 'r':
      return service ? { effect: 'restart', service } : undefined;
    case 'b':
      return service ? { effect: 'rebuild', service } : undefined;
    case 's':
      return service ? { effect: 'resync', service } : undefined;
    case 'o':
      return service ? { effect: 'open', service } : undefined;
    case 'q':
      return { effect: 'quit' };
    case 'Q':
      return { effect: 'down' };
    default:
      return undefined;
  }
}

/** Docker and processes: y resets (volumes deleted). Kubernetes: h (hard) or s (soft). */
function resetKey(state: TuiState, input: string, key: KeyInfo): Intent | undefined {
  if (key.escape || input === 'n' || input === 'q') return close();
  if (state.project.runtime === 'kubernetes') {
    if (input === 'h') return { effect: 'reset', mode: 'hard' };
    if (input === 's') return { effect: 'reset', mode: 'soft' };
    return undefined;
  }
  return input === 'y' ? { effect: 'reset', mode: 'hard' } : undefined;
}

function close(): Action {
  return { type: 'overlay', overlay: { kind: 'none' } };
}

/**
 * ink hands a run of plain characters over as one input (a paste, or keys typed faster than
 * a frame, like tmux send-keys): split it into single keys, mapping control characters to
 * the keys they are, so `/needle⏎` works as typed.
 */
export function splitKeys(input: string, key: KeyInfo): { input: string; key: KeyInfo }[] {
  const chars = [...input];
  // ESC and a key in one read arrive as "meta+key"; no key here uses alt, so it is esc, then the key.
  if (key.meta && !key.escape && chars.length === 1 && !key.upArrow && !key.downArrow && !key.pageUp && !key.pageDown)
    return [
      { input: '', key: { escape: true } },
      { input, key: {} },
    ];
  if (chars.length <= 1 || key.ctrl || key.meta || key.escape) return [{ input, key }];
  return chars.map((ch) => {
    const code = ch.charCodeAt(0);
    if (ch === '\r' || ch === '\n') return { input: '', key: { return: true } };
    if (ch === '\t') return { input: '', key: { tab: true } };
    if (ch === '\x7f' || ch === '\b') return { input: '', key: { backspace: true } };
    if (code >= 1 && code <= 26) return { input: String.fromCharCode(code + 96), key: { ctrl: true } };
    return { input: ch, key: {} };
  });
}
