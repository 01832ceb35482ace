import type { EngineEvent, ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../fake-client.js';
import { layout } from './layout.js';
import { visibleWindow } from './log-window.js';
import { type Action, initialState, logLine, logQuery, reduce, type TuiState } from './reducer.js';

const ts = '2026-01-01T10:00:05.000Z';
const log = (service: string, line: string, stream: 'stdout' | 'stderr' | 'system' = 'stdout'): EngineEvent => ({
  kind: 'log',
  ts,
  service,
  stream,
  line,
});

function start(): TuiState {
  const s = initialState({ project: 'shop', now: Date.parse(ts), columns: 100, rows: 30 });
  return reduce(s, { type: 'snapshot', status: sampleStatus() });
}
const run = (s: TuiState, ...actions: Action[]) => actions.reduce(reduce, s);
const shown = (s: TuiState, height = 50) =>
  visibleWindow(s.logs, logQuery(s), height, s.anchorSeq).lines.map((l) => `${l.service}: ${l.plain}`);

describe('reduce: snapshot and events', () => {
  it('takes the project, runtime, services (in order) and selects the first', () => {
    const s = start();
    expect(s.project).toMatchObject({ name: 'shop', runtime: 'docker', phase: 'running', dir: '/home/me/shop' });
    expect(s.services.map((x) => x.name)).toEqual(['postgres', 'backend', 'worker']);
    expect(s.selected).toBe('postgres');
    expect(Object.keys(s.colours)).toEqual(['postgres', 'backend', 'worker']);
  });

  it('updates a service from a status event and writes its state change as a line', () => {
    const backend = sampleStatus().services[1]!;
    const restarting: ServiceStatus = { ...backend, state: 'restarting', message: 'restart requested' };
    const s = run(start(), {
      type: 'events',
      events: [{ kind: 'status', ts, service: 'backend', status: restarting }],
    });
    expect(s.services[1]!.state).toBe('restarting');
    expect(shown(s)).toEqual(['backend: restarting (restart requested)']);
    // The same state again writes nothing more.
    const again = run(s, { type: 'events', events: [{ kind: 'status', ts, service: 'backend', status: restarting }] });
    expect(shown(again)).toHaveLength(1);
  });

  it('shows an engine note and the identical state line only once', () => {
    const backend = sampleStatus().services[1]!;
    const s = run(start(), {
      type: 'events',
      events: [
        log('backend', 'restarting (restart requested)', 'system'),
        {
          kind: 'status',
          ts,
          service: 'backend',
          status: { ...backend, state: 'restarting', message: 'restart requested' },
        },
      ],
    });
    expect(shown(s)).toEqual(['backend: restarting (restart requested)']);
  });

  it('appends a service it did not know', () => {
    const status: ServiceStatus = { name: 'cache', state: 'starting', health: 'none', ports: [], restartCount: 0 };
    const s = run(start(), { type: 'events', events: [{ kind: 'status', ts, service: 'cache', status }] });
    expect(s.services.map((x) => x.name)).toEqual(['postgres', 'backend', 'worker', 'cache']);
    expect(s.colours.cache).toBeDefined();
  });

  it('sanitises log lines: colour kept, titles and cursor moves gone, CR and tabs handled', () => {
    const hostile = 'x\x1b]0;pwned\x07\x1b[2J\x1b[H\x1b[10;5Hy \x1b[31mred\x1b[0m\tend\r';
    const line = logLine(ts, 'web', 'stdout', hostile);
    expect(line.text).toBe('xy \x1b[31mred\x1b[0m    end');
    expect(line.plain).toBe('xy red    end');
  });

  it('cuts very long lines before storing them', () => {
    expect(logLine(ts, 'web', 'stdout', 'x'.repeat(10_000)).plain).toHaveLength(4096);
  });

  it('tracks progress until done, then leaves a line', () => {
    const p = { kind: 'progress', ts, id: 'build:backend', service: 'backend', title: 'build backend' } as const;
    let s = run(start(), { type: 'events', events: [{ ...p, current: 1, total: 5, unit: 'steps' }] });
    expect(s.progress).toHaveLength(1);
    s = run(s, { type: 'events', events: [{ ...p, current: 3, total: 5, unit: 'steps' }] });
    expect(s.progress[0]?.current).toBe(3);
    s = run(s, { type: 'events', events: [{ ...p, done: true, message: 'built' }] });
    expect(s.progress).toHaveLength(0);
    expect(shown(s)).toEqual(['backend: build backend: built']);
  });

  it('records the phase, and errors as a notice', () => {
    const s = run(start(), {
      type: 'events',
      events: [
        { kind: 'project', ts, phase: 'degraded' },
        { kind: 'diagnostic', ts, severity: 'error', code: 'x', message: 'port 8000 is busy', hint: 'free it' },
      ],
    });
    expect(s.project.phase).toBe('degraded');
    expect(s.notice).toMatchObject({ level: 'error', text: 'error: port 8000 is busy (hint: free it)' });
    expect(shown(s)).toEqual(['devenv: environment degraded', 'devenv: error: port 8000 is busy (hint: free it)']);
  });

  it('a snapshot after events keeps the selection and services it does not list', () => {
    let s = run(start(), { type: 'select', delta: 1 });
    s = run(s, { type: 'snapshot', status: sampleStatus({ services: sampleStatus().services.slice(0, 2) }) });
    expect(s.selected).toBe('backend');
    expect(s.services).toHaveLength(3);
  });
});

describe('reduce: the user', () => {
  it('moves the selection within the list', () => {
    const s = start();
    expect(run(s, { type: 'select', delta: 1 }).selected).toBe('backend');
    expect(run(s, { type: 'select', delta: -1 }).selected).toBe('postgres');
    expect(run(s, { type: 'select', delta: 10 }).selected).toBe('worker');
  });

  it('focuses the selected service and goes back to all', () => {
    const s = run(
      start(),
      { type: 'events', events: [log('postgres', 'pg ready'), log('backend', 'GET /')] },
      { type: 'select', delta: 1 },
      { type: 'focus' },
    );
    expect(s.focus).toBe('backend');
    expect(shown(s)).toEqual(['backend: GET /']);
    expect(shown(run(s, { type: 'unfocus' }))).toEqual(['postgres: pg ready', 'backend: GET /']);
  });

  it('types, edits, keeps and clears a filter', () => {
    let s = run(start(), { type: 'events', events: [log('backend', 'GET /a'), log('backend', 'POST /b')] });
    s = run(s, { type: 'filterStart' }, { type: 'filterInput', text: 'POS' }, { type: 'filterInput', text: 'TX' });
    expect(s.editingFilter).toBe(true);
    expect(s.filter).toBe('POSTX');
    s = run(s, { type: 'filterBackspace' }, { type: 'filterCommit' });
    expect(s).toMatchObject({ filter: 'POST', editingFilter: false });
    expect(shown(s)).toEqual(['backend: POST /b']);
    expect(run(s, { type: 'filterCancel' }).filter).toBe('');
  });

  it('keeps control characters out of the filter', () => {
    expect(run(start(), { type: 'filterInput', text: 'a\x1b[31mb\x07' }).filter).toBe('ab');
  });

  it('scrolls back a page, stays there while lines arrive, and follows again', () => {
    const many = Array.from({ length: 100 }, (_, i) => log('backend', `line ${i}`));
    let s = run(start(), { type: 'events', events: many });
    s = run(s, { type: 'scroll', move: 'pageUp' });
    expect(s.anchorSeq).toBeDefined();
    const before = shown(s, 5);
    s = run(s, { type: 'events', events: [log('backend', 'later')] });
    expect(shown(s, 5)).toEqual(before);
    s = run(s, { type: 'scroll', move: 'top' });
    expect(shown(s, layout(s).logRows)[0]).toBe('backend: line 0');
    s = run(s, { type: 'scroll', move: 'bottom' });
    expect(s.anchorSeq).toBeUndefined();
  });

  it('toggles timestamps, opens and closes overlays, shows notices that expire', () => {
    let s = run(start(), { type: 'toggleTimestamps' }, { type: 'overlay', overlay: { kind: 'help' } });
    expect(s.timestamps).toBe(true);
    expect(s.overlay.kind).toBe('help');
    s = run(s, { type: 'notice', text: 'hello' });
    expect(s.notice?.text).toBe('hello');
    s = run(s, { type: 'tick', now: s.now + 1000 });
    expect(s.notice).toBeDefined();
    s = run(s, { type: 'tick', now: s.now + 10_000 });
    expect(s.notice).toBeUndefined();
  });

  it('marks the environment busy', () => {
    const s = run(start(), { type: 'busy', busy: 'stopping' });
    expect(s.busy?.kind).toBe('stopping');
    expect(run(s, { type: 'busy', busy: undefined }).busy).toBeUndefined();
  });
});
