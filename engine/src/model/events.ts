// The one typed event stream. The engine emits these; the CLI's plain and JSON renderers,
// the TUI, the daemon (which relays them over JSON-RPC) and the extension all consume them.

import type { SourceLocation } from './spec.js';
import type { ProjectPhase, RuntimeHealth, ServiceStatus } from './status.js';

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

export type EngineEvent = StatusEvent | LogEvent | ProgressEvent | DiagnosticEvent | ProjectEvent;

/** Everything that produces events writes to a sink; the engine's bus is one. */
export type EventSink = (event: EngineEvent) => void;

export function now(): string {
  return new Date().toISOString();
}
