// What the daemon keeps and sends about where an environment's time goes: the last `up`'s
// timeline (folded from the engine's span events, kept in the state directory for
// `devenv timeline` after the daemon ended), its export as OTLP spans when the asking client's
// OTEL_* variables name an endpoint, and the Prometheus endpoint when metrics are asked for.
// The OpenTelemetry SDK and prom-client load only when they are used (the daemon starts fast).

import { renameSync, writeFileSync } from 'node:fs';
import type { Engine } from '../engine/engine.js';
import type { EngineEvent } from '../model/events.js';
import { type Timeline, TimelineBuilder } from '../model/timeline.js';
import { readTimelineFile, timelineFile } from '../protocol/timeline-file.js';
import { errorMessage } from '../shared/error-text.js';
import type { EngineMetrics } from '../telemetry/engine-metrics.js';
import type { MetricsServer } from '../telemetry/metrics-server.js';
import { otlpTracesEndpoint } from '../telemetry/otlp-endpoint.js';

export interface ObservabilityOptions {
  stateDir: string;
  project: string;
  log(line: string): void;
  /** Clients connected now (a metric). */
  clients(): number;
  /** Tell every client (a diagnostic about the export). */
  broadcast(e: EngineEvent): void;
}

export class DaemonObservability {
  private readonly timelines: TimelineBuilder;
  private engine: Engine | undefined;
  private metrics: EngineMetrics | undefined;
  private server: MetricsServer | undefined;
  /** The OTEL_* variables of the client whose `up` runs (its own environment, not the daemon's). */
  private otel: Record<string, string> = {};
  private exports: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: ObservabilityOptions) {
    this.timelines = new TimelineBuilder(readTimelineFile(opts.stateDir));
  }

  /** Follow the engine's events from now on. */
  attach(engine: Engine): void {
    this.engine = engine;
    engine.bus.subscribe((e) => this.onEvent(e));
  }

  /** The last `up`'s timeline, live while it runs. */
  timeline(): Timeline | undefined {
    return this.timelines.current;
  }

  /**
   * Before an `up`: whose OTEL_* variables its export uses, and the metrics endpoint (started,
   * or moved to another port). Answers the endpoint's URL when metrics are served.
   */
  async prepareUp(opts: { metricsPort?: number | undefined; otel?: Record<string, string> | undefined }) {
    this.otel = opts.otel ?? {};
    const port = opts.metricsPort;
    // Port 0 asks for any free port: one already served will do.
    if (port !== undefined && (!this.server || (port !== 0 && port !== this.server.port)))
      await this.serveMetrics(port);
    return this.server?.url;
  }

  async close(): Promise<void> {
    await this.exports;
    await this.server?.close();
    this.server = undefined;
  }

  private onEvent(e: EngineEvent): void {
    this.metrics?.record(e);
    if (!this.timelines.apply(e) || e.kind !== 'span' || e.edge !== 'end' || e.name !== 'up') return;
    const timeline = this.timelines.current;
    if (!timeline || timeline.id !== e.id) return;
    this.keep(timeline);
    this.export(timeline);
  }

  /** Written whole and renamed into place, 0600 like every state file. */
  private keep(timeline: Timeline): void {
    const file = timelineFile(this.opts.stateDir);
    try {
      writeFileSync(`${file}.tmp`, `${JSON.stringify(timeline)}\n`, { mode: 0o600 });
      renameSync(`${file}.tmp`, file);
    } catch (err) {
      this.opts.log(`could not keep the timeline in ${file}: ${errorMessage(err)}`);
    }
  }

  private export(timeline: Timeline): void {
    const env = { ...this.otel };
    if (!otlpTracesEndpoint(env)) return;
    const run = async () => {
      const { exportTimeline } = await import('../telemetry/otlp-spans.js');
      const outcome = await exportTimeline(timeline, env);
      const ts = new Date().toISOString();
      if (outcome.kind === 'sent') {
        this.opts.log(
          `timeline of ${timeline.id} sent to ${outcome.endpoint} (${outcome.spans} spans, ${outcome.protocol})`,
        );
        this.opts.broadcast({
          kind: 'diagnostic',
          ts,
          severity: 'info',
          code: 'telemetry.exported',
          message: `the up's timeline went to ${outcome.endpoint} as ${outcome.spans} OpenTelemetry spans`,
        });
      } else if (outcome.kind === 'failed') {
        this.opts.log(`timeline export to ${outcome.endpoint} failed: ${outcome.error}`);
        this.opts.broadcast({
          kind: 'diagnostic',
          ts,
          severity: 'warning',
          code: 'telemetry.export-failed',
          message: `the up's timeline could not be sent to ${outcome.endpoint}: ${outcome.error}`,
          ...(outcome.hint ? { hint: outcome.hint } : {}),
        });
      }
    };
    this.exports = this.exports
      .then(run)
      .catch((err: unknown) => this.opts.log(`timeline export: ${errorMessage(err)}`));
  }

  private async serveMetrics(port: number): Promise<void> {
    if (!this.metrics) {
      const { EngineMetrics } = await import('../telemetry/engine-metrics.js');
      this.metrics = new EngineMetrics({ project: this.opts.project, clients: this.opts.clients });
      // What already runs counts from its current state.
      const ts = new Date().toISOString();
      for (const s of this.engine?.status().services ?? [])
        this.metrics.record({ kind: 'status', ts, service: s.name, status: s });
    }
    const { serveMetrics } = await import('../telemetry/metrics-server.js');
    const next = await serveMetrics(this.metrics, port);
    await this.server?.close();
    this.server = next;
    this.opts.log(`metrics served at ${next.url}`);
  }
}
