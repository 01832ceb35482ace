// An up's timeline as a waterfall: one row per service (and, in the detailed form, one per phase
// under it), bars on a shared time axis with widths proportional to time, the critical path
// marked ★. Pure: `devenv timeline`, the `ci` artifacts and the TUI's waterfall all draw from it.

import {
  criticalPath,
  formatDuration,
  type Span,
  type SpanName,
  spanLabel,
  spanMs,
  type Timeline,
  timeOf,
} from '@devenv/engine';

/** Phases that are the service's own work; the others are waiting (for a dependency, for health). */
const WAITING: ReadonlySet<SpanName> = new Set(['wait', 'healthy']);

export const WORK_CELL = '█';
export const WAIT_CELL = '▒';
export const CRITICAL_MARK = '★';

export interface WaterfallCell {
  /** A column of the bar area. */
  col: number;
  char: string;
  phase: SpanName;
  critical: boolean;
}

export interface WaterfallRow {
  kind: 'project' | 'service' | 'phase';
  label: string;
  service?: string | undefined;
  durationMs: number;
  running: boolean;
  critical: boolean;
  outcome?: Span['outcome'];
  cells: WaterfallCell[];
}

export interface Waterfall {
  title: string;
  totalMs: number;
  labelWidth: number;
  barWidth: number;
  /** The time axis over the bar area: tick labels at their columns. */
  axis: string;
  rows: WaterfallRow[];
}

export interface WaterfallOptions {
  /** Columns available for one row. */
  width: number;
  /** `phases`: a row per phase under each service; `services`: one row per service. */
  detail: 'phases' | 'services';
  /** Running spans are measured up to this time (default: now). */
  nowMs?: number;
}

const DURATION_WIDTH = 9;
const MAX_LABEL = 32;

export function waterfall(timeline: Timeline, opts: WaterfallOptions): Waterfall {
  const nowMs = opts.nowMs ?? Date.now();
  const start = timeOf(timeline.start);
  const root = timeline.spans[0]!;
  const totalMs = Math.max(1, spanMs(root, nowMs));
  const critical = new Set(criticalPath(timeline, nowMs));
  const services = timeline.spans.filter((s) => s.name === 'service');
  const prepare = timeline.spans.find((s) => s.name === 'prepare');
  const phasesOf = (service: Span) => timeline.spans.filter((s) => s.parent === service.id);

  const labels: string[] = [];
  if (prepare) labels.push(spanLabel(prepare));
  for (const s of services) {
    labels.push(s.service ?? '');
    if (opts.detail === 'phases') for (const p of phasesOf(s)) labels.push(`  ${spanLabel(p)}`);
  }
  const labelWidth = Math.min(MAX_LABEL, Math.max(8, ...labels.map((l) => l.length)));
  // label, space, mark, space, duration, space, bars
  const barWidth = Math.max(10, opts.width - labelWidth - DURATION_WIDTH - 4);
  const scale = barWidth / totalMs;
  const span = (s: Span, char: string): WaterfallCell[] => {
    const from = Math.min(barWidth - 1, Math.floor((timeOf(s.start) - start) * scale));
    const to = Math.min(barWidth, Math.max(from + 1, Math.round((timeOf(s.start) - start + spanMs(s, nowMs)) * scale)));
    const cells: WaterfallCell[] = [];
    for (let col = from; col < to; col++) cells.push({ col, char, phase: s.name, critical: critical.has(s.id) });
    return cells;
  };
  const charOf = (p: Span) => (WAITING.has(p.name) ? WAIT_CELL : WORK_CELL);
  const row = (kind: WaterfallRow['kind'], s: Span, label: string, cells: WaterfallCell[]): WaterfallRow => ({
    kind,
    label: label.length > labelWidth ? `${label.slice(0, labelWidth - 1)}…` : label,
    service: s.service,
    durationMs: spanMs(s, nowMs),
    running: s.end === undefined,
    critical: critical.has(s.id),
    ...(s.outcome ? { outcome: s.outcome } : {}),
    cells,
  });

  const rows: WaterfallRow[] = [];
  if (prepare) rows.push(row('project', prepare, spanLabel(prepare), span(prepare, WORK_CELL)));
  for (const s of services) {
    const phases = phasesOf(s);
    // A service's own row: its phases side by side (later ones drawn over parallel waits).
    const merged = new Map<number, WaterfallCell>();
    for (const p of phases) for (const c of span(p, charOf(p))) merged.set(c.col, c);
    rows.push(
      row(
        'service',
        s,
        s.service ?? '',
        [...merged.values()].sort((a, b) => a.col - b.col),
      ),
    );
    if (opts.detail === 'phases')
      for (const p of phases) rows.push(row('phase', p, `  ${spanLabel(p)}`, span(p, charOf(p))));
  }
  const state =
    timeline.end === undefined ? 'running' : (timeline.outcome ?? 'ok') === 'ok' ? 'done' : timeline.outcome;
  return {
    title: `up ${timeline.project}${timeline.runtime ? ` on ${timeline.runtime}` : ''} · ${formatDuration(totalMs)} · ${state}`,
    totalMs,
    labelWidth,
    barWidth,
    axis: axis(totalMs, barWidth),
    rows,
  };
}

/** Tick labels along the bar area, at least 8 columns apart. */
function axis(totalMs: number, barWidth: number): string {
  const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1800, 3600].map((s) => s * 1000);
  const perCol = totalMs / barWidth;
  const step = steps.find((s) => s / perCol >= 8) ?? steps.at(-1)!;
  const out = Array.from({ length: barWidth }, () => ' ');
  for (let t = 0; t <= totalMs; t += step) {
    const col = Math.floor(t / perCol);
    const text =
      step < 1000
        ? `${(t / 1000).toFixed(1)}s`
        : step < 60_000
          ? `${Math.round(t / 1000)}s`
          : `${Math.round(t / 60_000)}m`;
    if (col + text.length > barWidth) break;
    for (let i = 0; i < text.length; i++) out[col + i] = text[i]!;
  }
  return out.join('').trimEnd();
}

/** One row as plain text (the bar area padded to its width). */
export function rowText(w: Waterfall, r: WaterfallRow): string {
  const bars = Array.from({ length: w.barWidth }, () => ' ');
  for (const c of r.cells) bars[c.col] = c.char;
  const mark = r.critical ? CRITICAL_MARK : ' ';
  const duration = `${r.running ? '…' : ''}${formatDuration(r.durationMs)}`;
  const failed = r.outcome === 'failed' ? ' ✗' : r.outcome === 'cancelled' ? ' –' : '';
  return `${r.label.padEnd(w.labelWidth)} ${mark} ${duration.padStart(DURATION_WIDTH)} ${bars.join('').trimEnd()}${failed}`;
}

/** The header lines: title, legend, axis aligned over the bars. */
export function headerLines(w: Waterfall): string[] {
  return [
    w.title,
    `${WORK_CELL} work (build, pull, create, start, first sync, debugger)   ${WAIT_CELL} waiting (dependencies, health)   ${CRITICAL_MARK} critical path`,
    `${'phase'.padEnd(w.labelWidth)}   ${'took'.padStart(DURATION_WIDTH)} ${w.axis}`,
  ];
}

/** The whole waterfall as text lines (`devenv timeline`, the ci artifact). */
export function waterfallText(timeline: Timeline, opts: WaterfallOptions): string[] {
  const w = waterfall(timeline, opts);
  return [...headerLines(w), ...w.rows.map((r) => rowText(w, r))];
}
