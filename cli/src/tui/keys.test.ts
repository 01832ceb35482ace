import { describe, expect, it } from 'vitest';
import { sampleStatus } from './fake-client.js';
import { KEY_HELP, type KeyInfo, keyIntent, splitKeys } from './keys.js';
import { initialState, reduce, type TuiState } from './state/reducer.js';

function state(patch: Partial<TuiState> = {}): TuiState {
  const s = reduce(initialState({ project: 'shop', now: 0, columns: 100, rows: 30 }), {
    type: 'snapshot',
    status: sampleStatus(),
  });
  return { ...s, ...patch };
}
const press = (s: TuiState, input: string, key: KeyInfo = {}) => keyIntent(s, input, key);

describe('keys in the normal view', () => {
  const s = state();
  it.each([
    ['k', {}, { type: 'select', delta: -1 }],
    ['j', {}, { type: 'select', delta: 1 }],
    ['', { upArrow: true }, { type: 'select', delta: -1 }],
    ['', { downArrow: true }, { type: 'select', delta: 1 }],
    ['', { return: true }, { type: 'focus' }],
    ['', { pageUp: true }, { type: 'scroll', move: 'pageUp' }],
    ['', { pageDown: true }, { type: 'scroll', move: 'pageDown' }],
    ['g', {}, { type: 'scroll', move: 'top' }],
    ['G', {}, { type: 'scroll', move: 'bottom' }],
    ['', { home: true }, { type: 'scroll', move: 'top' }],
    ['', { end: true }, { type: 'scroll', move: 'bottom' }],
    ['/', {}, { type: 'filterStart' }],
    ['t', {}, { type: 'toggleTimestamps' }],
    ['?', {}, { type: 'overlay', overlay: { kind: 'help' } }],
    ['d', {}, { type: 'overlay', overlay: { kind: 'debug', service: 'postgres' } }],
    ['R', {}, { type: 'overlay', overlay: { kind: 'reset' } }],
    ['r', {}, { effect: 'restart', service: 'postgres' }],
    ['b', {}, { effect: 'rebuild', service: 'postgres' }],
    ['s', {}, { effect: 'resync', service: 'postgres' }],
    ['o', {}, { effect: 'open', service: 'postgres' }],
    ['q', {}, { effect: 'quit' }],
    ['Q', {}, { effect: 'down' }],
    ['c', { ctrl: true }, { effect: 'down' }],
  ] as [string, KeyInfo, unknown][])('%j %j', (input, key, intent) => {
    expect(press(s, input, key)).toEqual(intent);
  });

  it('ignores keys it does not know', () => {
    expect(press(s, 'z')).toBeUndefined();
    expect(press(s, 'x', { ctrl: true })).toBeUndefined();
  });

  it('esc leaves focus, then clears the filter, then follows again', () => {
    expect(press(state({ focus: 'backend', filter: 'x' }), '', { escape: true })).toEqual({ type: 'unfocus' });
    expect(press(state({ filter: 'x' }), '', { escape: true })).toEqual({ type: 'filterCancel' });
    expect(press(state({ anchorSeq: 3 }), '', { escape: true })).toEqual({ type: 'scroll', move: 'bottom' });
    expect(press(state(), '', { escape: true })).toBeUndefined();
  });

  it('service keys do nothing before there is a service', () => {
    const empty = initialState({ project: 'p', now: 0, columns: 80, rows: 24 });
    for (const k of ['r', 'b', 's', 'o', 'd']) expect(press(empty, k)).toBeUndefined();
  });
});

describe('keys while typing a filter', () => {
  const s = state({ editingFilter: true });
  it('types text, deletes, keeps and cancels', () => {
    expect(press(s, 'q')).toEqual({ type: 'filterInput', text: 'q' });
    expect(press(s, 'R')).toEqual({ type: 'filterInput', text: 'R' });
    expect(press(s, '', { backspace: true })).toEqual({ type: 'filterBackspace' });
    expect(press(s, '', { delete: true })).toEqual({ type: 'filterBackspace' });
    expect(press(s, '', { return: true })).toEqual({ type: 'filterCommit' });
    expect(press(s, '', { escape: true })).toEqual({ type: 'filterCancel' });
    expect(press(s, '', { upArrow: true })).toBeUndefined();
  });
  it('ctrl-c still takes the environment down', () => {
    expect(press(s, 'c', { ctrl: true })).toEqual({ effect: 'down' });
  });
});

describe('keys in overlays', () => {
  const close = { type: 'overlay', overlay: { kind: 'none' } };
  it('help and debug close with esc or their own key', () => {
    const help = state({ overlay: { kind: 'help' } });
    expect(press(help, '?')).toEqual(close);
    expect(press(help, '', { escape: true })).toEqual(close);
    expect(press(help, 'r')).toBeUndefined();
    const debug = state({ overlay: { kind: 'debug', service: 'backend' } });
    expect(press(debug, 'd')).toEqual(close);
    expect(press(debug, 'q')).toEqual(close);
  });

  it('reset on Docker: y resets (hard, volumes go), n or esc cancels', () => {
    const reset = state({ overlay: { kind: 'reset' } });
    expect(press(reset, 'y')).toEqual({ effect: 'reset', mode: 'hard' });
    expect(press(reset, 'n')).toEqual(close);
    expect(press(reset, '', { escape: true })).toEqual(close);
    expect(press(reset, 'h')).toBeUndefined();
  });

  it('reset on Kubernetes: h hard, s soft, no y', () => {
    const s = state({ overlay: { kind: 'reset' } });
    const k8s = { ...s, project: { ...s.project, runtime: 'kubernetes' as const } };
    expect(press(k8s, 'h')).toEqual({ effect: 'reset', mode: 'hard' });
    expect(press(k8s, 's')).toEqual({ effect: 'reset', mode: 'soft' });
    expect(press(k8s, 'y')).toBeUndefined();
    expect(press(k8s, 'n')).toEqual(close);
  });
});

describe('keys while stopping', () => {
  it('only ctrl-c or q, which leave the rest running', () => {
    const s = state({ busy: { kind: 'stopping', since: 0 } });
    expect(press(s, 'c', { ctrl: true })).toEqual({ effect: 'quit' });
    expect(press(s, 'q')).toEqual({ effect: 'quit' });
    expect(press(s, 'r')).toBeUndefined();
    expect(press(s, 'Q')).toBeUndefined();
  });
});

describe('splitKeys', () => {
  it('splits a run of typed characters, mapping enter, tab, backspace and control keys', () => {
    expect(splitKeys('/ab\r', {})).toEqual([
      { input: '/', key: {} },
      { input: 'a', key: {} },
      { input: 'b', key: {} },
      { input: '', key: { return: true } },
    ]);
    expect(splitKeys('x\x7f\t\x03', {}).map((k) => k.key)).toEqual([
      {},
      { backspace: true },
      { tab: true },
      { ctrl: true },
    ]);
  });

  it('turns esc-then-key (read as alt+key) into both keys', () => {
    expect(splitKeys('R', { meta: true })).toEqual([
      { input: '', key: { escape: true } },
      { input: 'R', key: {} },
    ]);
  });

  it('leaves single keys and special keys alone', () => {
    expect(splitKeys('j', {})).toEqual([{ input: 'j', key: {} }]);
    expect(splitKeys('', { upArrow: true })).toEqual([{ input: '', key: { upArrow: true } }]);
  });
});

describe('docs/tui.md', () => {
  it('documents every key the app knows', async () => {
    const { readFileSync } = await import('node:fs');
    const doc = readFileSync(new URL('../../../docs/tui.md', import.meta.url), 'utf8');
    for (const k of KEY_HELP) expect(doc).toContain(`\`${k.keys}\``);
  });
});
