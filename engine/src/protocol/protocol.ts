// The engine daemon's JSON-RPC protocol, declared once. The CLI, the TUI and the VS Code
// extension import this module (and nothing else from the engine); the daemon implements it.

import { NotificationType, RequestType, RequestType0 } from 'vscode-jsonrpc';
import type { EngineEvent, LogEvent } from '../model/events.js';
import type { ProjectStatus, ServiceStatus } from '../model/status.js';
import type { Timeline } from '../model/timeline.js';

/** Bumped on any incompatible change; the handshake refuses a client of another version. */
export const PROTOCOL_VERSION = 1;

/** JSON-RPC error codes the daemon uses beyond the standard ones. */
export const ErrorCodes = {
  /** A user-fixable problem (bad config, unknown service): `data` holds the problems. */
  userError: -32001,
  /** The runtime failed (build, start): `data` holds code and hint. */
  runtimeFailure: -32002,
  versionMismatch: -32003,
  notInitialized: -32004,
  /** The daemon is ending (after `down` or `shutdown`): connect again, a new one will start. */
  shuttingDown: -32005,
  /**
   * `up` needs variables the client did not send (`data.variables`): the client sends their
   * values (or that they are unset) and asks again. See ConfigSource.envNames.
   */
  needVariables: -32006,
} as const;

export interface ProblemData {
  code: string;
  message: string;
  location?: { file: string; line: number; col: number };
  hint?: string;
}

export interface ErrorData {
  problems?: ProblemData[];
  nextSteps?: string[];
  code?: string;
  hint?: string;
  service?: string;
  /** With needVariables: the names the config looked up that the client was not asked about. */
  variables?: string[];
}

export interface ClientInfo {
  name: string;
  version: string;
  pid?: number;
}

export interface InitializeParams {
  protocolVersion: number;
  client: ClientInfo;
}

export interface DaemonInfo {
  protocolVersion: number;
  version: string;
  pid: number;
  startedAt: string;
  projectDir: string;
  project: string;
  runtime: string;
  logFile: string;
}

/** How the daemon finds the config: what the client's command line and environment said. */
export interface ConfigSource {
  files?: string[];
  projectDir?: string;
  projectName?: string;
  profiles?: string[];
  /** Variables for `${VAR}` interpolation, from the client's environment. */
  env?: Record<string, string>;
  /**
   * The names the client considered: `env` holds those of them that are set, and a name in this
   * list but not in `env` is unset. Without it `env` is the client's whole environment. With it,
   * a config that looks up any other name is answered with needVariables, so the client sends
   * only what the config uses and interpolation still sees exactly its environment.
   */
  envNames?: string[];
}

export interface UpParams {
  config: ConfigSource;
  services?: string[];
  build?: boolean;
  removeOrphans?: boolean;
  /** false: start services without their debuggers (default: injected where debuggable). */
  debug?: boolean;
  /**
   * Serve the engine's Prometheus metrics on this 127.0.0.1 port (0: a free one) from now until
   * the daemon ends; wins over `x-devenv.metrics.port`. Absent: as the config says, or as before.
   */
  metricsPort?: number;
  /**
   * The client's OTEL_* variables: when they name an OTLP endpoint, the timeline of this `up` is
   * exported there once it ends (sendUp fills this in from the client's environment).
   */
  otel?: Record<string, string>;
}

export interface UpResultWire {
  services: ServiceStatus[];
  failed: { service: string; message: string }[];
  actions: Record<string, string>;
  warnings: ProblemData[];
  /** Where the engine's metrics are served, when they are. */
  metricsUrl?: string;
}

export interface SubscribeParams {
  /** Event kinds wanted; all when absent. */
  kinds?: EngineEvent['kind'][];
  /** Log history to replay first (lines per service), before live events. */
  replayLogs?: number;
}

export interface LogsParams {
  service?: string;
  limit?: number;
}

export interface ServiceParams {
  service: string;
}

export interface ResyncResult {
  /** Files sent and removed by the reconcile, over every watch rule of the service. */
  sent: number;
  removed: number;
  /** Why nothing was reconciled (no copying rule, files already in place on this runtime, not running). */
  note?: string;
}

export interface DownParams {
  volumes?: boolean;
  /** Stop the daemon once down (default true). */
  shutdown?: boolean;
}

export interface ResetParams {
  /** Docker: remove volumes too. Kubernetes: `hard` recreates the cluster. */
  mode: 'soft' | 'hard';
}

export const Methods = {
  initialize: new RequestType<InitializeParams, DaemonInfo, ErrorData>('devenv/initialize'),
  up: new RequestType<UpParams, UpResultWire, ErrorData>('devenv/up'),
  down: new RequestType<DownParams, void, ErrorData>('devenv/down'),
  stop: new RequestType0<void, ErrorData>('devenv/stop'),
  status: new RequestType0<ProjectStatus, ErrorData>('devenv/status'),
  subscribe: new RequestType<SubscribeParams, { subscribed: true }, ErrorData>('devenv/subscribe'),
  unsubscribe: new RequestType0<void, ErrorData>('devenv/unsubscribe'),
  logs: new RequestType<LogsParams, LogEvent[], ErrorData>('devenv/logs'),
  restart: new RequestType<ServiceParams, void, ErrorData>('devenv/restart'),
  rebuild: new RequestType<ServiceParams, UpResultWire, ErrorData>('devenv/rebuild'),
  /** Start the service under its debugger now (a one-shot job runs again, waiting for a client). */
  debug: new RequestType<ServiceParams, UpResultWire, ErrorData>('devenv/debug'),
  /** Bring the service's synced files in line with the host now (a full reconcile). */
  resync: new RequestType<ServiceParams, ResyncResult, ErrorData>('devenv/resync'),
  reset: new RequestType<ResetParams, UpResultWire, ErrorData>('devenv/reset'),
  shutdown: new RequestType0<void, ErrorData>('devenv/shutdown'),
  /** The last `up`'s timeline (every service's phases as spans), live while it runs; null before any. */
  timeline: new RequestType0<Timeline | null, ErrorData>('devenv/timeline'),
} as const;

export const Notifications = {
  /** One engine event, sent to subscribed clients. */
  event: new NotificationType<EngineEvent>('devenv/event'),
} as const;
