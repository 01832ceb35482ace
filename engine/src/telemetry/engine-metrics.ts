// The engine's Prometheus metrics, made from the one event stream with prom-client: each phase
// of an `up` per service, restarts, health transitions, live sync's latency and bytes, reloads,
// and the daemon's clients. Served on 127.0.0.1 only (metrics-server.ts). This module loads
// prom-client: the daemon imports it only when metrics are switched on.

import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineEvent, SpanAttributes, SpanEvent } from '../model/events.js';
import type { ServiceStatus } from '../model/status.js';

/** Every metric's name, in one place (the unit test holds them to Prometheus' naming rules). */
export const METRIC_NAMES = {
  upDuration: 'devenv_up_duration_seconds',
  upPhaseDuration: 'devenv_up_phase_duration_seconds',
  upDependencyWait: 'devenv_up_dependency_wait_seconds',
  serviceReady: 'devenv_service_ready_seconds',
  serviceState: 'devenv_service_state',
  restarts: 'devenv_service_restarts_total',
  healthTransitions: 'devenv_service_health_transitions_total',
  syncLatency: 'devenv_sync_latency_seconds',
  syncBytes: 'devenv_sync_bytes_total',
  syncFiles: 'devenv_sync_files_total',
  syncRefused: 'devenv_sync_refused_files_total',
  reloadDuration: 'devenv_reload_duration_seconds',
  daemonClients: 'devenv_daemon_clients',
  cpu: 'process_cpu_seconds_total',
  rss: 'process_resident_memory_bytes',
  startTime: 'process_start_time_seconds',
} as const;

const PHASE_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];
const SYNC_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const PHASES = new Set(['build', 'pull', 'remove', 'create', 'start', 'sync', 'healthy', 'debugger']);
/** Spans begun but not yet ended are remembered; more than this at once is no real engine. */
const MAX_OPEN_SPANS = 10_000;

export interface MetricsSource {
  project: string;
  /** Clients connected to the daemon now (read at each scrape). */
  clients(): number;
}

export class EngineMetrics {
  readonly registry = new Registry();
  private readonly open = new Map<string, { ts: number; root: string; attrs: SpanAttributes }>();
  private readonly last = new Map<string, { restarts: number; health: ServiceStatus['health']; state: string }>();
  private readonly upDuration: Histogram;
  private readonly phase: Histogram;
  private readonly dependencyWait: Histogram;
  private readonly ready: Gauge;
  private readonly state: Gauge;
  private readonly restarts: Counter;
  private readonly health: Counter;
  private readonly syncLatency: Histogram;
  private readonly syncBytes: Counter;
  private readonly syncFiles: Counter;
  private readonly syncRefused: Counter;
  private readonly reload: Histogram;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ project: source.project });
    const histogram = (name: string, help: string, labelNames: string[], buckets = PHASE_BUCKETS) =>
      new Histogram({ name, help, labelNames, buckets, registers });
    const counter = (name: string, help: string, labelNames: string[]) =>
      new Counter({ name, help, labelNames, registers });
    this.upDuration = histogram(
      METRIC_NAMES.upDuration,
      'Time from the start of an `up` until every service settled or failed.',
      ['outcome'],
    );
    this.phase = histogram(
      METRIC_NAMES.upPhaseDuration,
      'Time each phase of a service took during `up` (build, pull, remove, create, start, sync, healthy, debugger).',
      ['service', 'phase', 'outcome'],
    );
    this.dependencyWait = histogram(
      METRIC_NAMES.upDependencyWait,
      'Time a service waited during `up` for one dependency to meet its depends_on condition.',
      ['service', 'dependency', 'condition'],
    );
    this.ready = new Gauge({
      name: METRIC_NAMES.serviceReady,
      help: 'How long the last `up` took to bring the service to its settled state.',
      labelNames: ['service'],
      registers,
    });
    this.state = new Gauge({
      name: METRIC_NAMES.serviceState,
      help: "1 for the service's current state (pending, building, waiting, starting, running, healthy, unhealthy, restarting, completed, exited, stopped, failed).",
      labelNames: ['service', 'state'],
      registers,
    });
    this.restarts = counter(
      METRIC_NAMES.restarts,
      'Restarts of the service: by its restart policy, by hand, or by a watch action.',
      ['service'],
    );
    this.health = counter(
      METRIC_NAMES.healthTransitions,
      "Changes of the service's health (none, starting, healthy, unhealthy).",
      ['service', 'from', 'to'],
    );
    this.syncLatency = histogram(
      METRIC_NAMES.syncLatency,
      'Live sync: from the first change of a batch to its files in place in the service.',
      ['service', 'kind'],
      SYNC_BUCKETS,
    );
    this.syncBytes = counter(METRIC_NAMES.syncBytes, 'Live sync: bytes of file content written into the service.', [
      'service',
    ]);
    this.syncFiles = counter(METRIC_NAMES.syncFiles, 'Live sync: files written or removed in the service.', [
      'service',
    ]);
    this.syncRefused = counter(
      METRIC_NAMES.syncRefused,
      'Live sync: paths the service refused (outside the target, permissions).',
      ['service'],
    );
    this.reload = histogram(
      METRIC_NAMES.reloadDuration,
      'Watch actions on a running service (sync+restart, rebuild, sync+exec), from the batch to the service back.',
      ['service', 'action', 'outcome'],
    );
    new Gauge({
      name: METRIC_NAMES.daemonClients,
      help: 'Clients connected to the daemon (terminals, TUIs, the editor).',
      registers,
      collect() {
        this.set(source.clients());
      },
    });
    // The process figures Prometheus' own clients export, read at scrape time. prom-client's
    // collectDefaultMetrics is not used: its event-loop lag monitor wakes an idle daemon every 10 ms.
    let counted = 0;
    new Counter({
      name: METRIC_NAMES.cpu,
      help: 'Total user and system CPU time of the daemon in seconds.',
      registers,
      collect() {
        const { user, system } = process.cpuUsage();
        const total = (user + system) / 1e6;
        this.inc(Math.max(0, total - counted));
        counted = total;
      },
    });
    new Gauge({
      name: METRIC_NAMES.rss,
      help: 'Resident memory of the daemon in bytes.',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    const started = (Date.now() - performance.now()) / 1000;
    new Gauge({
      name: METRIC_NAMES.startTime,
      help: 'Start time of the daemon since the Unix epoch in seconds.',
      registers,
      collect() {
        this.set(Math.round(started));
      },
    });
  }

  /** Fold one engine event into the metrics. */
  record(e: EngineEvent): void {
    switch (e.kind) {
      case 'span':
        this.span(e);
        return;
      case 'status':
        this.status(e.service, e.status);
        return;
      case 'sync': {
        const service = e.service;
        this.syncLatency.observe({ service, kind: e.reconcile ? 'reconcile' : 'save' }, e.latencyMs / 1000);
        this.syncBytes.inc({ service }, e.bytes);
        this.syncFiles.inc({ service }, e.files);
        if (e.errors > 0) this.syncRefused.inc({ service }, e.errors);
        return;
      }
      default:
        return;
    }
  }

  /** The exposition text, as a scrape sees it. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  private span(e: SpanEvent): void {
    const ts = Date.parse(e.ts);
    if (e.edge === 'begin') {
      if (this.open.size < MAX_OPEN_SPANS) this.open.set(e.id, { ts, root: e.id.split('/')[0]!, attrs: e.attrs ?? {} });
      return;
    }
    const begun = this.open.get(e.id);
    if (!begun) return;
    this.open.delete(e.id);
    const seconds = Math.max(0, ts - begun.ts) / 1000;
    const outcome = e.outcome ?? 'ok';
    const service = e.service ?? '';
    const attrs = { ...begun.attrs, ...e.attrs };
    // Phases count only under an `up` (a rebuild's are its own business).
    const underUp = begun.root.startsWith('up-');
    if (e.name === 'up') this.upDuration.observe({ outcome }, seconds);
    else if (e.name === 'reload') this.reload.observe({ service, action: attrs.action ?? 'unknown', outcome }, seconds);
    else if (!underUp) return;
    else if (e.name === 'service') this.ready.set({ service }, seconds);
    else if (e.name === 'wait')
      this.dependencyWait.observe(
        { service, dependency: attrs.dependency ?? 'unknown', condition: attrs.condition ?? 'unknown' },
        seconds,
      );
    else if (PHASES.has(e.name)) this.phase.observe({ service, phase: e.name, outcome }, seconds);
  }

  private status(service: string, s: ServiceStatus): void {
    const before = this.last.get(service);
    this.last.set(service, { restarts: s.restartCount, health: s.health, state: s.state });
    if (!before || before.state !== s.state) {
      if (before) this.state.remove({ service, state: before.state });
      this.state.set({ service, state: s.state }, 1);
    }
    if (!before) return;
    if (s.restartCount > before.restarts) this.restarts.inc({ service }, s.restartCount - before.restarts);
    if (s.health !== before.health) this.health.inc({ service, from: before.health, to: s.health });
  }
}
