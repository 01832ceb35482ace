// The one typed event stream. The engine emits these; the CLI's plain and JSON renderers,
// the TUI, the daemon (which relays them over JSON-RPC) and the extension all consume them.

import type { SourceLocation } from './spec.js';
import type { ClusterStatus, ProjectPhase, RuntimeHealth, ServiceStatus } from './status.js';

export interface StatusEvent {
  kind: 'status';
  ts: string;
  service: string;
  status: ServiceStatus;
}

export interface LogEvent {
  kind: 'log';
  ts: string;
  service: string;
  /** `system` lines come from devenv itself (restarts, sync, debugger notes). */
  stream: 'stdout' | 'stderr' | 'system';
  line: string;
}

export interface ProgressEvent {
  kind: 'progress';
  ts: string;
  /** Stable id of the piece of work (e.g. `build:backend`); the last event has done=true. */
  id: string;
  service?: string;
  title: string;
  current?: number;
  total?: number;
  unit?: string;
  message?: string;
  done?: boolean;
  failed?: boolean;
}

export interface DiagnosticEvent {
  kind: 'diagnostic';
  ts: string;
  severity: 'error' | 'warning' | 'info';
  code: string;
  message: string;
  location?: SourceLocation;
  hint?: string;
  service?: string;
}

export interface ProjectEvent {
  kind: 'project';
  ts: string;
  phase: ProjectPhase;
  message?: string;
  /** The runtime's engine as the daemon watches it (carried on every project event once known). */
  runtime?: RuntimeHealth;
}

/** The cluster's Argo CD Applications changed (sync, health, an operation or hook moved on). */
export interface ClusterEvent {
  kind: 'cluster';
  ts: string;
  cluster: ClusterStatus;
}

/**
 * What a span is a phase of. `up` is the root of an `up`; `rebuild` the root of a rebuild;
 * `prepare` the project's own start (network, volumes, the plan); `service` one service's whole
 * way through an `up`, whose children are its phases; `reload` a watch action on a running service.
 */
export type SpanName =
  | 'up'
  | 'rebuild'
  | 'prepare'
  | 'service'
  | 'build'
  | 'pull'
  | 'wait'
  | 'remove'
  | 'create'
  | 'start'
  | 'sync'
  | 'healthy'
  | 'debugger'
  | 'reload';

export type SpanOutcome = 'ok' | 'failed' | 'cancelled';

export interface SpanAttributes {
  /** `wait`: the dependency waited for, and its `depends_on` condition. */
  dependency?: string;
  condition?: 'started' | 'healthy' | 'completed';
  /** `service`: what `up` did (kept, started, created, recreated); `reload`: restart, rebuild or exec. */
  action?: string;
  /** `healthy`: the state the service settled in (healthy, running without a healthcheck, completed). */
  reached?: string;
  /** `up`: the project and the runtime. */
  project?: string;
  runtime?: string;
}

/**
 * One edge of a span: the engine emits `begin` when a phase starts and `end` (same id) when it is
 * over, so every UI sees phases live and the timeline (model/timeline.ts) is a fold of these.
 */
export interface SpanEvent {
  kind: 'span';
  /** When the edge happened (the engine's clock). */
  ts: string;
  edge: 'begin' | 'end';
  /** Unique for the engine's life, e.g. `up-2`, `up-2/backend`, `up-2/backend/wait:postgres`. */
  id: string;
  /** The enclosing span (absent for roots: `up`, `rebuild`, `reload`). */
  parent?: string;
  name: SpanName;
  service?: string;
  /** On `begin`: what the span is about. */
  attrs?: SpanAttributes;
  /** On `end`: how it ended, and why when it did not end well. */
  outcome?: SpanOutcome;
  message?: string;
}

/** A batch of files live sync applied to one service (the figures metrics are made from). */
export interface SyncEvent {
  kind: 'sync';
  ts: string;
  service: string;
  files: number;
  bytes: number;
  latencyMs: number;
  /** Paths the service refused (outside the target, permissions). */
  errors: number;
  /** Sent by a reconcile (an instance that started again) rather than by saved files. */
  reconcile: boolean;
}

export type EngineEvent =
  | StatusEvent
  | LogEvent
  | ProgressEvent
  | DiagnosticEvent
  | ProjectEvent
  | ClusterEvent
  | SpanEvent
  | SyncEvent;

/** Everything that produces events writes to a sink; the engine's bus is one. */
export type EventSink = (event: EngineEvent) => void;

export function now(): string {
  return new Date().toISOString();
}
