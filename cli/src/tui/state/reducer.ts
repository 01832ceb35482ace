// The TUI's state and the one pure function that changes it. Engine events (in batches, at
// most one batch per frame) and the user's intents come in as actions; components only read
// the state. Nothing here touches the terminal, the daemon or the clock: tests drive it alone.

import {
  type EngineEvent,
  type ProgressEvent,
  type ProjectPhase,
  type ProjectStatus,
  type RuntimeHealth,
  type RuntimeKind,
  type ServiceStatus,
  type Timeline,
  TimelineBuilder,
} from '@devenv/engine';
import { describeProject, describeState } from '../../output/plain-renderer.js';
import { sanitizeTerminalText, stripAnsi } from '../../output/terminal-text.js';
import { layout } from './layout.js';
import { LogRing, type LogStream, type NewLogLine } from './log-ring.js';
import { type LogQuery, scrollDown, scrollUp, topAnchor } from './log-window.js';

export type Overlay =
  | { kind: 'none' }
  | { kind: 'help' }
  | { kind: 'debug'; service: string }
  | { kind: 'reset' }
  | { kind: 'timeline' };

export interface Notice {
  text: string;
  level: 'info' | 'success' | 'error';
  at: number;
}

export interface Busy {
  kind: 'stopping' | 'resetting';
  since: number;
}

export interface ProjectInfo {
  name: string;
  dir: string;
  runtime?: RuntimeKind | undefined;
  runtimeDetail?: string | undefined;
  phase: ProjectPhase;
  /** The runtime's engine as the daemon watches it (the header says when it is away). */
  runtimeHealth?: RuntimeHealth | undefined;
  cluster?: ProjectStatus['cluster'];
}

export interface TuiState {
  project: ProjectInfo;
  /** In the daemon's order (dependencies first); new services are appended. */
  services: ServiceStatus[];
  selected?: string | undefined;
  /** Work in progress (image builds, initial sync, cluster creation): shown as bars until done. */
  progress: ProgressEvent[];
  logs: LogRing;
  /** SGR colour per service prefix, assigned on first sight so it never changes. */
  colours: Record<string, number>;
  /** Last state line written per service and last step per progress id (to skip repeats). */
  lastState: Record<string, string>;
  lastStep: Record<string, string>;
  /** The service whose logs alone are shown (enter); undefined: all services. */
  focus?: string | undefined;
  filter: string;
  editingFilter: boolean;
  timestamps: boolean;
  /** Seq of the log line at the bottom of a scrolled-back view; undefined: follow. */
  anchorSeq?: number | undefined;
  overlay: Overlay;
  notice?: Notice | undefined;
  busy?: Busy | undefined;
  /** Named volumes a reset deletes, when known (see declared-volumes.ts). */
  volumes?: string[] | undefined;
  /** The last (or running) `up`'s timeline: the daemon's answer, then its span events. */
  timeline?: Timeline | undefined;
  now: number;
  size: { columns: number; rows: number };
}

export type ScrollMove = 'pageUp' | 'pageDown' | 'top' | 'bottom';

export type Action =
  | { type: 'snapshot'; status: ProjectStatus }
  | { type: 'events'; events: EngineEvent[] }
  | { type: 'resize'; columns: number; rows: number }
  | { type: 'tick'; now: number }
  | { type: 'select'; delta: number }
  | { type: 'focus' }
  | { type: 'unfocus' }
  | { type: 'scroll'; move: ScrollMove }
  | { type: 'filterStart' }
  | { type: 'filterInput'; text: string }
  | { type: 'filterBackspace' }
  | { type: 'filterCommit' }
  | { type: 'filterCancel' }
  | { type: 'toggleTimestamps' }
  | { type: 'overlay'; overlay: Overlay }
  | { type: 'timeline'; timeline: Timeline | undefined }
  | { type: 'notice'; text: string; level?: Notice['level'] }
  | { type: 'busy'; busy: Busy['kind'] | undefined };

export const LOG_CAPACITY = 10_000;
/** Longer lines are cut before they are stored: nothing on screen could show more anyway. */
export const MAX_LINE_CHARS = 4096;
const NOTICE_MS = 6000;
const palette = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

export function initialState(opts: {
  project: string;
  now: number;
  columns: number;
  rows: number;
  volumes?: string[] | undefined;
  capacity?: number;
}): TuiState {
  return {
    project: { name: opts.project, dir: '', phase: 'idle' },
    services: [],
    progress: [],
    logs: LogRing.empty(opts.capacity ?? LOG_CAPACITY),
    colours: {},
    lastState: {},
    lastStep: {},
    filter: '',
    editingFilter: false,
    timestamps: false,
    overlay: { kind: 'none' },
    volumes: opts.volumes,
    now: opts.now,
    size: { columns: opts.columns, rows: opts.rows },
  };
}

export function logQuery(state: TuiState): LogQuery {
  return { service: state.focus, filter: state.filter };
}

export function selectedService(state: TuiState): ServiceStatus | undefined {
  return state.services.find((s) => s.name === state.selected);
}

export function reduce(state: TuiState, action: Action): TuiState {
  switch (action.type) {
    case 'snapshot':
      return applySnapshot(state, action.status);
    case 'events':
      return applyEvents(state, action.events);
    case 'resize':
      return { ...state, size: { columns: action.columns, rows: action.rows } };
    case 'tick':
      return {
        ...state,
        now: action.now,
        notice: state.notice && action.now - state.notice.at > NOTICE_MS ? undefined : state.notice,
      };
    case 'select': {
      if (state.services.length === 0) return state;
      const i = state.services.findIndex((s) => s.name === state.selected);
      const next = Math.max(0, Math.min(state.services.length - 1, Math.max(i, 0) + action.delta));
      return { ...state, selected: state.services[next]!.name };
    }
    case 'focus':
      return state.selected ? { ...state, focus: state.selected, anchorSeq: undefined } : state;
    case 'unfocus':
      return { ...state, focus: undefined, anchorSeq: undefined };
    case 'scroll':
      return { ...state, anchorSeq: scrolled(state, action.move) };
    case 'filterStart':
      return { ...state, editingFilter: true, anchorSeq: undefined };
    case 'filterInput':
      // Typed text is shown in the footer: keep it printable.
      return { ...state, filter: state.filter + stripAnsi(action.text).replace(/[\x00-\x1f\x7f]/g, '') };
    case 'filterBackspace':
      return { ...state, filter: [...state.filter].slice(0, -1).join('') };
    case 'filterCommit':
      return { ...state, editingFilter: false };
    case 'filterCancel':
      return { ...state, editingFilter: false, filter: '', anchorSeq: undefined };
    case 'toggleTimestamps':
      return { ...state, timestamps: !state.timestamps };
    case 'overlay':
      return { ...state, overlay: action.overlay };
    case 'timeline':
      return action.timeline ? { ...state, timeline: action.timeline } : state;
    case 'notice':
      return { ...state, notice: { text: action.text, level: action.level ?? 'info', at: state.now } };
    case 'busy':
      return { ...state, busy: action.busy ? { kind: action.busy, since: state.now } : undefined };
  }
}

function scrolled(state: TuiState, move: ScrollMove): number | undefined {
  const q = logQuery(state);
  const height = layout(state).logRows;
  const page = Math.max(1, height - 1);
  switch (move) {
    case 'pageUp':
      return scrollUp(state.logs, q, height, state.anchorSeq, page);
    case 'pageDown':
      return scrollDown(state.logs, q, state.anchorSeq, page);
    case 'top':
      return topAnchor(state.logs, q, height) ?? state.anchorSeq;
    case 'bottom':
      return undefined;
  }
}

function applySnapshot(state: TuiState, status: ProjectStatus): TuiState {
  const byName = new Map(state.services.map((s) => [s.name, s]));
  for (const s of status.services) byName.set(s.name, s);
  const order = [...status.services.map((s) => s.name), ...state.services.map((s) => s.name)];
  const services = [...new Set(order)].map((n) => byName.get(n)!);
  const lastState = { ...state.lastState };
  for (const s of status.services) lastState[s.name] = describeState(s);
  return withColours({
    ...state,
    project: {
      name: status.project || state.project.name,
      dir: status.projectDir || state.project.dir,
      runtime: status.runtime,
      runtimeDetail: status.runtimeDetail,
      phase: status.phase,
      runtimeHealth: status.runtimeHealth,
      cluster: status.cluster,
    },
    services,
    lastState,
    selected: state.selected && byName.has(state.selected) ? state.selected : services[0]?.name,
  });
}

function applyEvents(state: TuiState, events: EngineEvent[]): TuiState {
  if (events.length === 0) return state;
  let services = state.services;
  let servicesCopied = false;
  let progress = state.progress;
  let project = state.project;
  let lastState = state.lastState;
  let lastStep = state.lastStep;
  let notice = state.notice;
  // Span events fold into the timeline; replayed or repeated edges change nothing.
  let timelines: TimelineBuilder | undefined;
  const lines: NewLogLine[] = [];
  const system = (ts: string, service: string, text: string) => {
    // A state line often repeats the engine's own note just before it ("restarting (why)"): show it once.
    const previous = lines.at(-1) ?? state.logs.at(state.logs.size - 1);
    if (previous?.stream === 'system' && previous.service === service && previous.plain === text) return;
    lines.push(logLine(ts, service, 'system', text));
  };

  for (const e of events) {
    switch (e.kind) {
      case 'log':
        lines.push(logLine(e.ts, e.service, e.stream, e.line));
        break;
      case 'status': {
        if (!servicesCopied) {
          services = services.slice();
          servicesCopied = true;
        }
        const i = services.findIndex((s) => s.name === e.service);
        if (i < 0) services.push(e.status);
        else services[i] = e.status;
        const described = describeState(e.status);
        if (lastState[e.service] !== described) {
          lastState = { ...lastState, [e.service]: described };
          system(e.ts, e.service, described);
        }
        break;
      }
      case 'progress': {
        const rest = progress.filter((p) => p.id !== e.id);
        const known = rest.length !== progress.length;
        progress = e.done ? rest : known ? progress.map((p) => (p.id === e.id ? e : p)) : [...progress, e];
        if (e.done) {
          const step = e.failed
            ? `${e.title}: failed${e.message ? ` (${e.message})` : ''}`
            : `${e.title}: ${e.message ?? 'done'}`;
          if (lastStep[e.id] !== step) {
            lastStep = { ...lastStep, [e.id]: step };
            system(e.ts, e.service ?? 'devenv', step);
          }
        }
        break;
      }
      case 'diagnostic': {
        const text = `${e.severity}: ${e.message}${e.hint ? ` (hint: ${e.hint})` : ''}`;
        system(e.ts, e.service ?? 'devenv', text);
        if (e.severity === 'error') notice = { text, level: 'error', at: state.now };
        break;
      }
      case 'cluster':
        project = { ...project, cluster: e.cluster };
        break;
      case 'project':
        // A project event carries the runtime's health whenever the daemon knows it: none, none known.
        project = { ...project, phase: e.phase, runtimeHealth: e.runtime };
        system(e.ts, 'devenv', describeProject(e));
        break;
      case 'span':
        timelines ??= new TimelineBuilder(state.timeline);
        timelines.apply(e);
        break;
      case 'sync':
        break;
    }
  }
  return withColours({
    ...state,
    services,
    progress,
    project,
    lastState,
    lastStep,
    notice,
    logs: state.logs.append(lines),
    selected: state.selected ?? services[0]?.name,
    ...(timelines ? { timeline: timelines.current } : {}),
  });
}

/** One stored line: cut, CR dropped, tabs expanded, escape sequences other than colour removed. */
export function logLine(ts: string, service: string, stream: LogStream, raw: string): NewLogLine {
  let cut = raw.length > MAX_LINE_CHARS ? raw.slice(0, MAX_LINE_CHARS) : raw;
  if (cut.endsWith('\r')) cut = cut.slice(0, -1);
  const text = sanitizeTerminalText(cut.replaceAll('\t', '    '), { keepColour: true });
  const plain = stripAnsi(text);
  const lower = plain.toLowerCase();
  return { ts, service, stream, text, plain, lower: lower === plain ? plain : lower };
}

function withColours(state: TuiState): TuiState {
  const missing = state.services.filter((s) => state.colours[s.name] === undefined);
  if (missing.length === 0) return state;
  const colours = { ...state.colours };
  let n = Object.keys(colours).length;
  for (const s of missing) colours[s.name] = palette[n++ % palette.length]!;
  return { ...state, colours };
}
