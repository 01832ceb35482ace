// An up's timeline as OpenTelemetry spans (the official SDK), as OTLP/JSON, and sent to an
// OTLP/HTTP receiver on 127.0.0.1 in both encodings, configured by the asking client's OTEL_*
// variables only.

import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { Timeline } from '../model/timeline.js';
import { T0, timelineOf } from '../model/timeline-fixture.js';
import { exportTimeline, otlpJson, otlpTracesEndpoint, timelineSpans } from './otlp-spans.js';

const t0 = T0;

/** db (healthy after 2 s), web waiting for it, then failing its healthcheck. */
function sampleTimeline(): Timeline {
  const failed = { outcome: 'failed' as const, message: 'healthcheck failing' };
  return timelineOf([
    ['up-1', 'up', 0, 5000, { project: 'shop', runtime: 'docker' }, { outcome: 'failed' }],
    ['up-1/db', 'service', 0, 2000],
    ['up-1/db/healthy', 'healthy', 0, 2000, {}, { attrs: { reached: 'healthy' } }],
    ['up-1/web', 'service', 0, 5000, {}, failed],
    ['up-1/web/wait:db', 'wait', 0, 2000, { dependency: 'db', condition: 'healthy' }],
    ['up-1/web/healthy', 'healthy', 2000, 5000, {}, failed],
  ]);
}

describe('timelineSpans', () => {
  it('makes one trace, each span under its parent, with the timeline times and attributes', () => {
    const spans = timelineSpans(sampleTimeline(), {
      OTEL_SERVICE_NAME: 'my-dev',
      OTEL_RESOURCE_ATTRIBUTES: 'team=web',
    });
    const byName = new Map(spans.map((s) => [s.name, s]));
    expect([...byName.keys()].sort()).toEqual([
      'db',
      'db healthy',
      'up shop',
      'web',
      'web healthy',
      'web wait db (healthy)',
    ]);
    const traceIds = new Set(spans.map((s) => s.spanContext().traceId));
    expect(traceIds.size).toBe(1);
    const root = byName.get('up shop')!;
    const wait = byName.get('web wait db (healthy)')!;
    expect(wait.parentSpanContext?.spanId).toBe(byName.get('web')!.spanContext().spanId);
    expect(byName.get('web')!.parentSpanContext?.spanId).toBe(root.spanContext().spanId);
    expect(root.parentSpanContext).toBeUndefined();
    expect(wait.attributes).toMatchObject({
      'devenv.project': 'shop',
      'devenv.runtime': 'docker',
      'devenv.service': 'web',
      'devenv.phase': 'wait',
      'devenv.dependency': 'db',
      'devenv.condition': 'healthy',
      'devenv.critical_path': true,
    });
    const ms = (t: [number, number]) => t[0] * 1000 + t[1] / 1e6;
    expect(ms(wait.startTime) - t0).toBe(0);
    expect(ms(wait.endTime) - t0).toBe(2000);
    expect(byName.get('web healthy')!.status).toMatchObject({ code: 2, message: 'healthcheck failing' });
    expect(byName.get('db healthy')!.status.code).toBe(0);
    expect(root.resource.attributes).toMatchObject({ 'service.name': 'my-dev', team: 'web', 'devenv.project': 'shop' });
  });
});

describe('otlpJson', () => {
  it('is an OTLP/JSON ExportTraceServiceRequest', () => {
    const body = JSON.parse(otlpJson(sampleTimeline()));
    const spans = body.resourceSpans[0].scopeSpans[0].spans as { name: string; startTimeUnixNano: string }[];
    expect(spans).toHaveLength(6);
    expect(body.resourceSpans[0].scopeSpans[0].scope.name).toBe('devenv');
    expect(body.resourceSpans[0].resource.attributes).toContainEqual({
      key: 'service.name',
      value: { stringValue: 'devenv' },
    });
    expect(spans.find((s) => s.name === 'up shop')?.startTimeUnixNano).toBe(`${t0}000000`);
  });
});

describe('exportTimeline', () => {
  let receiver: Server | undefined;
  afterEach(() => {
    receiver?.close();
    receiver = undefined;
  });

  async function receive(): Promise<{
    url: string;
    got: Promise<{ path: string; headers: IncomingHttpHeaders; body: Buffer }>;
  }> {
    let deliver!: (r: { path: string; headers: IncomingHttpHeaders; body: Buffer }) => void;
    const got = new Promise<{ path: string; headers: IncomingHttpHeaders; body: Buffer }>((r) => (deliver = r));
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'Content-Type': req.headers['content-type'] ?? 'application/json' }).end();
        deliver({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) });
      });
    });
    await new Promise<void>((r) => receiver!.listen(0, '127.0.0.1', r));
    const port = (receiver.address() as { port: number }).port;
    return { url: `http://127.0.0.1:${port}`, got };
  }

  it('sends OTLP/JSON to <endpoint>/v1/traces with the headers the variables give', async () => {
    const { url, got } = await receive();
    const outcome = await exportTimeline(sampleTimeline(), {
      OTEL_EXPORTER_OTLP_ENDPOINT: url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20t0ken',
    });
    expect(outcome).toEqual({ kind: 'sent', endpoint: `${url}/v1/traces`, protocol: 'http/json', spans: 6 });
    const r = await got;
    expect(r.path).toBe('/v1/traces');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers.authorization).toBe('Bearer t0ken');
    const names = JSON.parse(r.body.toString()).resourceSpans[0].scopeSpans[0].spans.map(
      (s: { name: string }) => s.name,
    );
    expect(names).toContain('web wait db (healthy)');
    // The daemon's own environment is as it was.
    expect(Object.keys(process.env).filter((k) => k.startsWith('OTEL_'))).toEqual([]);
  });

  it('sends OTLP/protobuf by default, to a traces endpoint given as is', async () => {
    const { url, got } = await receive();
    const outcome = await exportTimeline(sampleTimeline(), { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${url}/custom` });
    expect(outcome).toMatchObject({ kind: 'sent', protocol: 'http/protobuf' });
    const r = await got;
    expect(r.path).toBe('/custom');
    expect(r.headers['content-type']).toBe('application/x-protobuf');
    // Protobuf carries strings as they are: every span name is in the body.
    for (const name of ['up shop', 'db healthy', 'web wait db (healthy)']) expect(r.body.includes(name)).toBe(true);
  });

  it('does nothing without an endpoint, or when the variables switch tracing off', async () => {
    expect(otlpTracesEndpoint({})).toBeUndefined();
    expect(
      otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318/', OTEL_SDK_DISABLED: 'true' }),
    ).toBeUndefined();
    expect(
      otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318', OTEL_TRACES_EXPORTER: 'none' }),
    ).toBeUndefined();
    expect(otlpTracesEndpoint({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://x:4318/' })).toBe('http://x:4318/v1/traces');
    expect(await exportTimeline(sampleTimeline(), {})).toMatchObject({ kind: 'skipped' });
  });

  it('says what to change for gRPC, which it cannot send', async () => {
    expect(
      await exportTimeline(sampleTimeline(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toMatchObject({
      kind: 'failed',
      error: 'OTLP over grpc is not supported',
      hint: expect.stringContaining('4318'),
    });
  });
});
