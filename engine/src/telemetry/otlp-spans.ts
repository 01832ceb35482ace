// An `up`'s timeline as OpenTelemetry spans, made with the official SDK: sent over OTLP/HTTP to
// the endpoint the OTEL_* variables name (the exporters read them themselves, with every option
// the specification gives them), or written as OTLP/JSON (the file `devenv ci --artifacts` keeps).
// This module loads the SDK: import it lazily, only when there is something to export.

import { type Span as ApiSpan, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { criticalPath } from '../model/critical-path.js';
import { type Span, spanLabel, type Timeline, timeOf } from '../model/timeline.js';
import { type Env, otlpProtocol, otlpTracesEndpoint } from './otlp-endpoint.js';

export { otlpTracesEndpoint } from './otlp-endpoint.js';

/** What one export did, for the log and the user. */
export type ExportOutcome =
  | { kind: 'skipped'; why: string }
  | { kind: 'sent'; endpoint: string; protocol: string; spans: number }
  | { kind: 'failed'; endpoint: string; error: string; hint?: string };

/** The timeline's spans in the SDK's form: one trace per `up`, phases under their service. */
export function timelineSpans(timeline: Timeline, env: Env = {}, scopeVersion = '0.1.0'): ReadableSpan[] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...resourceAttributes(env.OTEL_RESOURCE_ATTRIBUTES),
      [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME?.trim() || 'devenv',
      'devenv.project': timeline.project,
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('devenv', scopeVersion);
  const critical = new Set(criticalPath(timeline, timeOf(timeline.end ?? new Date().toISOString())));
  const made = new Map<string, ApiSpan>();
  const fallbackEnd = timeline.end ?? new Date().toISOString();
  // Spans are listed in the order they began, so a parent is always made before its children.
  for (const s of timeline.spans) {
    const parent = s.parent !== undefined ? made.get(s.parent) : undefined;
    const ctx = parent ? trace.setSpan(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
    made.set(
      s.id,
      tracer.startSpan(
        spanName(s, timeline),
        { kind: SpanKind.INTERNAL, startTime: new Date(s.start), attributes: spanAttributes(s, timeline, critical) },
        ctx,
      ),
    );
  }
  for (const s of [...timeline.spans].reverse()) {
    const span = made.get(s.id)!;
    if (s.outcome === 'failed' || s.outcome === 'cancelled')
      span.setStatus({ code: SpanStatusCode.ERROR, message: s.message ?? s.outcome });
    span.end(new Date(s.end ?? fallbackEnd));
  }
  const spans = memory.getFinishedSpans();
  void provider.shutdown();
  return spans;
}

/** The timeline as an OTLP/JSON ExportTraceServiceRequest (what a collector's file receiver reads). */
export function otlpJson(timeline: Timeline, env: Env = {}): string {
  const bytes = JsonTraceSerializer.serializeRequest(timelineSpans(timeline, env));
  return bytes ? Buffer.from(bytes).toString('utf8') : '{}';
}

/**
 * Send the timeline to the OTLP/HTTP endpoint `env` names (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT; headers, timeout, compression and certificates as the
 * specification's variables say). `env` is the environment of whoever asked for the `up`.
 */
export async function exportTimeline(timeline: Timeline, env: Env): Promise<ExportOutcome> {
  const endpoint = otlpTracesEndpoint(env);
  if (!endpoint)
    return { kind: 'skipped', why: 'no OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' };
  const protocol = otlpProtocol(env);
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') {
    return {
      kind: 'failed',
      endpoint,
      error: `OTLP over ${protocol} is not supported`,
      hint: 'set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf (or http/json) and point the endpoint at the OTLP/HTTP port (4318)',
    };
  }
  const spans = timelineSpans(timeline, env);
  const exporter = await makeExporter(protocol, env);
  try {
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(spans, resolve));
    if (result.code === 0) return { kind: 'sent', endpoint, protocol, spans: spans.length };
    return {
      kind: 'failed',
      endpoint,
      error: result.error?.message ?? 'the exporter gave up',
      hint: 'check that an OTLP/HTTP receiver (a collector, Jaeger, the Aspire dashboard) listens there',
    };
  } finally {
    await exporter.shutdown().catch(() => undefined);
  }
}

/**
 * The official exporter for the protocol, configured from `env`: the exporters read the OTEL_*
 * variables from process.env while they are made, so the asking client's variables stand in for
 * the daemon's own for that moment (synchronous: nothing else runs meanwhile).
 */
async function makeExporter(protocol: string, env: Env): Promise<SpanExporter> {
  const make =
    protocol === 'http/json'
      ? (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter
      : (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter;
  const saved = Object.entries(process.env).filter(([k]) => k.startsWith('OTEL_'));
  for (const [k] of saved) delete process.env[k];
  for (const [k, v] of Object.entries(env)) if (k.startsWith('OTEL_') && v !== undefined) process.env[k] = v;
  try {
    return new make();
  } finally {
    for (const k of Object.keys(process.env)) if (k.startsWith('OTEL_')) delete process.env[k];
    for (const [k, v] of saved) process.env[k] = v;
  }
}

function spanName(s: Span, timeline: Timeline): string {
  if (s.parent === undefined) return `up ${timeline.project}`;
  if (s.name === 'service' || s.service === undefined) return spanLabel(s);
  return `${s.service} ${spanLabel(s)}`;
}

function spanAttributes(s: Span, timeline: Timeline, critical: Set<string>): Record<string, string | boolean> {
  const attrs: Record<string, string | boolean> = {
    'devenv.project': timeline.project,
    'devenv.phase': s.name,
    'devenv.critical_path': critical.has(s.id),
  };
  if (timeline.runtime) attrs['devenv.runtime'] = timeline.runtime;
  if (s.service !== undefined) attrs['devenv.service'] = s.service;
  if (s.outcome) attrs['devenv.outcome'] = s.outcome;
  for (const [k, v] of Object.entries(s.attrs))
    if (v !== undefined && k !== 'project' && k !== 'runtime') attrs[`devenv.${k}`] = v;
  return attrs;
}

/** OTEL_RESOURCE_ATTRIBUTES: `key=value` pairs, comma-separated, values percent-encoded. */
function resourceAttributes(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of (raw ?? '').split(',')) {
    const i = pair.indexOf('=');
    if (i <= 0) continue;
    try {
      out[pair.slice(0, i).trim()] = decodeURIComponent(pair.slice(i + 1).trim());
    } catch {
      // A malformed escape: the specification says to drop the value.
    }
  }
  return out;
}
