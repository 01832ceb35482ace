// Where an `up`'s time goes, on real Docker, through one `devenv up` in a real terminal (tmux):
//   - `devenv timeline --json`: every service's phases in order, the dependency waits exactly
//     as the Compose file declares them, each ending when its dependency got there;
//   - the TUI's waterfall (w): a row per phase, widths proportional to time, ★ on the critical path;
//   - the timeline exported as OpenTelemetry spans to a real OTLP/HTTP receiver started here;
//   - the Prometheus endpoint (--metrics-port) on 127.0.0.1 only (ss), scraped by Debian's real
//     Prometheus, whose HTTP API returns the sync latency and restart series after a save and a
//     restart.
// Its own project name and ports: it runs beside the reference dev stack.

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cliBin, devenv, repoRoot } from '../helpers/cli.js';
import { dockerAvailable, imageExists, projectContainers } from '../helpers/docker.js';
import { freePort } from '../helpers/free-port.js';
import { isLoopback, listeners } from '../helpers/reference-stack.js';
import { waitUntil } from '../helpers/wait.js';
import { TmuxSession, tmuxAvailable } from '../tui/tmux.js';

const ready = dockerAvailable() && tmuxAvailable() && imageExists('debian:bookworm-slim');
const prometheusBin = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
const project = `devenvtest-observe-${process.pid}`;

interface JsonSpan {
  id: string;
  parent?: string;
  name: string;
  service?: string;
  start: string;
  end?: string;
  durationMs: number;
  attrs: { dependency?: string; condition?: string; reached?: string };
}
interface JsonTimeline {
  project: string;
  outcome?: string;
  spans: JsonSpan[];
  criticalPath: string[];
}
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  attributes: { key: string; value: { stringValue?: string; boolValue?: boolean } }[];
}

describe.skipIf(!ready)(
  'the up timeline, its waterfall, OTLP export and Prometheus metrics (needs Docker, tmux)',
  () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'devenv-observe-'));
    const compose = path.join(dir, 'compose.yaml');
    const args = ['-f', compose, '-p', project];
    const term = new TmuxSession(`observe-${process.pid}`);
    const otlpBodies: { path: string; type: string; body: string }[] = [];
    let receiver: Server;
    let prometheus: ChildProcess | undefined;
    let metricsPort = 0;
    let timeline: JsonTimeline;

    beforeAll(async () => {
      cpSync(path.join(repoRoot, 'test', 'fixtures', 'observe', 'stack'), dir, { recursive: true });
      receiver = createServer((req, res) => {
        let body = '';
        req.on('data', (d: Buffer) => {
          body += d.toString();
        });
        req.on('end', () => {
          otlpBodies.push({ path: req.url ?? '', type: req.headers['content-type'] ?? '', body });
          res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        });
      });
      const otlpPort = await freePort();
      await new Promise<void>((r) => receiver.listen(otlpPort, '127.0.0.1', r));
      metricsPort = await freePort();
      await devenv([...args, 'down', '--volumes']);
      term.start(`${process.execPath} ${cliBin} ${args.join(' ')} up --metrics-port ${metricsPort}`, {
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_SERVICE_NAME: 'devenv-test',
      });
      await term.waitFor('4/4 healthy', (s) => /4\/4 healthy {2}· {2}running/.test(s), 300_000);
      const r = await devenv([...args, 'timeline', '--json']);
      expect(r.code, r.stderr).toBe(0);
      timeline = JSON.parse(r.stdout) as JsonTimeline;
    }, 600_000);

    afterAll(async () => {
      term.kill();
      if (prometheus?.pid) prometheus.kill('SIGTERM');
      receiver?.close();
      await devenv([...args, 'down', '--volumes']);
      spawnSync('docker', ['rmi', '-f', `${project}-api`], { stdio: 'ignore' });
      rmSync(dir, { recursive: true, force: true });
    }, 120_000);

    const phases = (service: string) =>
      timeline.spans.filter((s) => s.service === service && s.name !== 'service' && s.parent?.endsWith(`/${service}`));
    const ms = (iso: string) => Date.parse(iso);

    it('records each service’s phases in order, timed end to end', () => {
      expect(timeline).toMatchObject({ project, outcome: 'ok' });
      const names = (s: string) => phases(s).map((p) => p.name);
      expect(names('db')).toEqual(['pull', 'create', 'start', 'healthy']);
      expect(names('migrate')).toEqual(['pull', 'wait', 'create', 'start', 'healthy']);
      expect(names('api')).toEqual(['build', 'wait', 'wait', 'create', 'start', 'sync', 'healthy']);
      expect(names('web')).toEqual(['pull', 'wait', 'create', 'start', 'healthy']);
      for (const service of ['db', 'migrate', 'api', 'web']) {
        const list = phases(service);
        for (const p of list) expect(ms(p.end!)).toBeGreaterThanOrEqual(ms(p.start));
        // Each phase begins when the one before it ended; parallel waits begin together.
        for (let i = 1; i < list.length; i++) {
          const before = list[i - 1]!;
          const startsAfter = before.name === 'wait' && list[i]!.name === 'wait' ? ms(before.start) : ms(before.end!);
          expect(Math.abs(ms(list[i]!.start) - startsAfter), `${service} ${list[i]!.name}`).toBeLessThan(200);
        }
      }
      expect(phases('db').at(-1)!.attrs.reached).toBe('healthy');
    });

    it('waits for exactly the dependencies the Compose file declares, each until its dependency got there', () => {
      const file = parse(readFileSync(compose, 'utf8')) as {
        services: Record<string, { depends_on?: Record<string, { condition: string }> | string[] }>;
      };
      const word = {
        service_healthy: 'healthy',
        service_started: 'started',
        service_completed_successfully: 'completed',
      };
      for (const [service, spec] of Object.entries(file.services)) {
        const declared = Array.isArray(spec.depends_on)
          ? spec.depends_on.map((d) => `${d} started`)
          : Object.entries(spec.depends_on ?? {}).map(([d, c]) => `${d} ${word[c.condition as keyof typeof word]}`);
        const waited = phases(service)
          .filter((p) => p.name === 'wait')
          .map((p) => `${p.attrs.dependency} ${p.attrs.condition}`);
        expect(waited.sort(), service).toEqual(declared.sort());
      }
      const phase = (service: string, name: string) => phases(service).find((p) => p.name === name)!;
      const waitOn = (service: string, dep: string) =>
        phases(service).find((p) => p.name === 'wait' && p.attrs.dependency === dep)!;
      // A wait for healthy ends when the dependency's healthcheck passed; for started, when it started.
      expect(ms(waitOn('api', 'db').end!)).toBeGreaterThanOrEqual(ms(phase('db', 'healthy').end!) - 5);
      expect(ms(waitOn('api', 'db').end!) - ms(phase('db', 'healthy').end!)).toBeLessThan(500);
      expect(ms(waitOn('web', 'api').end!)).toBeGreaterThanOrEqual(ms(phase('api', 'start').end!) - 5);
      // migrate ran about a second after it started: api's wait for its completion lasted past its start.
      expect(ms(waitOn('api', 'migrate').end!)).toBeGreaterThan(ms(phase('migrate', 'start').end!) + 500);
      expect(timeline.criticalPath).toContain(phase('db', 'healthy').id);
    });

    it('draws the waterfall in the TUI: w toggles it, widths proportional to time, ★ on the critical path', async () => {
      term.keys('w');
      const screen = await term.waitFor('the waterfall', (s) => s.includes(`─ timeline · up ${project} on docker`));
      const lines = screen.split('\n');
      const axis = lines.find((l) => /^ {2}phase +took +0(\.0)?s/.test(l))!;
      expect(axis, screen).toBeDefined();
      const barsAt = axis.search(/0(\.0)?s/);
      // Cells per second, from two ticks of the axis.
      const ticks = [...axis.matchAll(/(\d+(?:\.\d)?)s/g)].map((m) => ({ s: Number(m[1]), col: m.index! }));
      const last = ticks.at(-1)!;
      const perSecond = (last.col - barsAt) / last.s;
      // The rows, in the order of the timeline: services with their phases under them.
      const rows = lines.slice(
        lines.indexOf(axis) + 1,
        lines.findIndex((l) => l.includes('w, esc or q closes this')),
      );
      const expected = [
        ...timeline.spans.filter((s) => s.name === 'prepare'),
        ...timeline.spans.filter((s) => s.name === 'service').flatMap((s) => [s, ...phases(s.service ?? '')]),
      ];
      expect(rows.length, screen).toBe(expected.length);
      rows.forEach((row, i) => {
        const span = expected[i]!;
        const cells = row.slice(barsAt).replace(/\s+✗?$/, '');
        expect(row.slice(0, barsAt).includes('★'), `${span.id}\n${screen}`).toBe(
          timeline.criticalPath.includes(span.id),
        );
        if (span.name === 'service') return;
        const drawn = (cells.match(/[█▒]/g) ?? []).length;
        const wanted = (span.durationMs / 1000) * perSecond;
        if (wanted >= 3)
          expect(
            Math.abs(drawn - wanted),
            `${span.id}: ${drawn} cells for ${span.durationMs} ms\n${screen}`,
          ).toBeLessThanOrEqual(2);
        else expect(drawn).toBeGreaterThanOrEqual(1);
      });
      expect(screen).toMatch(/^ {4}wait db \(healthy\) +★?/m);
      expect(screen).toContain('first sync');
      term.keys('w');
      await term.waitFor('the logs again', (s) => s.includes('─ logs all services'));
    });

    it('exports the up as OpenTelemetry spans to the OTLP/HTTP receiver', async () => {
      await waitUntil('the OTLP request', () => otlpBodies.length > 0, { timeoutMs: 30_000 });
      const request = otlpBodies[0]!;
      expect(request.path).toBe('/v1/traces');
      expect(request.type).toBe('application/json');
      const body = JSON.parse(request.body) as {
        resourceSpans: { resource: { attributes: OtlpSpan['attributes'] }; scopeSpans: { spans: OtlpSpan[] }[] }[];
      };
      const resource = body.resourceSpans[0]!;
      expect(resource.resource.attributes).toContainEqual({
        key: 'service.name',
        value: { stringValue: 'devenv-test' },
      });
      const spans = resource.scopeSpans.flatMap((s) => s.spans);
      expect(spans).toHaveLength(timeline.spans.length);
      expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
      const ids = new Set(spans.map((s) => s.spanId));
      for (const s of spans) if (s.parentSpanId) expect(ids.has(s.parentSpanId), s.name).toBe(true);
      const names = spans.map((s) => s.name);
      expect(names).toEqual(
        expect.arrayContaining([
          `up ${project}`,
          'db',
          'db healthy',
          'api build',
          'api wait db (healthy)',
          'api first sync',
        ]),
      );
      const critical = spans.filter((s) =>
        s.attributes.some((a) => a.key === 'devenv.critical_path' && a.value.boolValue === true),
      );
      expect(critical.length).toBe(timeline.criticalPath.length);
    });

    it.skipIf(!prometheusBin)(
      `serves metrics on 127.0.0.1 only, which Prometheus scrapes: sync latency after a save, restarts after a restart${prometheusBin ? '' : ' (skipped: no prometheus binary; apt-get install prometheus)'}`,
      async () => {
        const bound = listeners().filter((l) => l.port === metricsPort);
        expect(bound.length).toBeGreaterThan(0);
        for (const l of bound) expect(l.address).toBe('127.0.0.1');
        expect(bound.every((l) => isLoopback(l.address))).toBe(true);

        const promPort = await freePort();
        const config = path.join(dir, 'prometheus.yml');
        writeFileSync(
          config,
          `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: devenv\n    static_configs:\n      - targets: ["127.0.0.1:${metricsPort}"]\n`,
        );
        const log = openSync(path.join(dir, 'prometheus.log'), 'a');
        prometheus = spawn(
          prometheusBin,
          [
            `--config.file=${config}`,
            `--storage.tsdb.path=${path.join(dir, 'prometheus-data')}`,
            `--web.listen-address=127.0.0.1:${promPort}`,
          ],
          { stdio: ['ignore', log, log] },
        );
        const query = async (q: string): Promise<number | undefined> => {
          const res = await fetch(`http://127.0.0.1:${promPort}/api/v1/query?query=${encodeURIComponent(q)}`);
          const json = (await res.json()) as { data: { result: { value: [number, string] }[] } };
          const v = json.data.result[0]?.value[1];
          return v === undefined ? undefined : Number(v);
        };
        await waitUntil('Prometheus scraping devenv', async () => (await query('up{job="devenv"}')) === 1, {
          timeoutMs: 60_000,
          intervalMs: 500,
        });

        writeFileSync(path.join(dir, 'api', 'src', 'saved.txt'), 'saved by the test\n');
        const restart = await devenv([...args, 'restart', 'api']);
        expect(restart.code, restart.stderr).toBe(0);

        const synced = await waitUntil(
          'the sync latency series',
          async () => {
            const n = await query('devenv_sync_latency_seconds_count{service="api",kind="save"}');
            return n !== undefined && n >= 1 ? n : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        expect(synced).toBeGreaterThanOrEqual(1);
        expect(await query('devenv_sync_bytes_total{service="api"}')).toBeGreaterThanOrEqual(
          'saved by the test\n'.length,
        );
        const restarts = await waitUntil(
          'the restart series',
          async () => {
            const n = await query('devenv_service_restarts_total{service="api"}');
            return n !== undefined && n >= 1 ? n : undefined;
          },
          { timeoutMs: 60_000, intervalMs: 500 },
        );
        expect(restarts).toBeGreaterThanOrEqual(1);
        expect(await query('devenv_up_phase_duration_seconds_count{service="db",phase="healthy"}')).toBe(1);
        expect(await query(`devenv_daemon_clients{project="${project}"}`)).toBeGreaterThanOrEqual(1);
      },
    );

    it('Q takes the environment down', async () => {
      term.keys('Escape');
      term.keys('Q');
      await term.waitFor('the UI to end', (s) => s.includes('[exit 0]'), 120_000);
      expect(projectContainers(project)).toEqual([]);
    });
  },
);
