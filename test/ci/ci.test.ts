// `devenv ci` through the real CLI, daemon and Docker:
//   - the reference stack (its own project name and free ports, beside a dev stack) comes up
//     with its debuggers, a command checks it through the DEVENV_* variables, exit 0, and the
//     artifacts hold every service's log, the timeline (with its first syncs and debuggers), OTLP
//     spans and a JUnit report; the environment is gone afterwards;
//   - a service that crashes a second after it starts ends the run at once with exit 2, naming it
//     and its last lines, long before the timeout; nothing is left running;
//   - the tests x-devenv.ci declares run in order with the environment's variables; the one that
//     fails gives the exit status, the next is skipped, and the environment is still taken down.

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliBin, devenv, repoRoot } from '../helpers/cli.js';
import { dockerAvailable, imageExists, projectContainers } from '../helpers/docker.js';
import { referenceFiles, referencePorts } from '../helpers/reference-stack.js';

const ready = dockerAvailable() && imageExists('debian:bookworm-slim');
const fixtures = path.join(repoRoot, 'test', 'fixtures', 'ci');
const scratch = mkdtempSync(path.join(tmpdir(), 'devenv-ci-test-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Timed {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall-clock ms at which each watched text first appeared on stdout or stderr. */
  seen: Record<string, number>;
  endedAt: number;
}

/** Runs the CLI, noting when given texts first appear in its output. */
function timedDevenv(args: string[], watch: string[], env: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, ...args], {
      cwd: scratch,
      env: { ...process.env, NO_COLOR: '1', CI: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = { stdout: '', stderr: '' };
    const seen: Record<string, number> = {};
    const note = (which: 'stdout' | 'stderr') => (d: Buffer) => {
      out[which] += d.toString();
      for (const w of watch) if (seen[w] === undefined && out[which].includes(w)) seen[w] = Date.now();
    };
    child.stdout.on('data', note('stdout'));
    child.stderr.on('data', note('stderr'));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`devenv ${args.join(' ')} timed out\n${out.stdout}\n${out.stderr}`));
    }, 900_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, ...out, seen, endedAt: Date.now() });
    });
  });
}

function junitCases(file: string): { name: string; failure?: string; skipped?: boolean; out?: string }[] {
  const xml = readFileSync(file, 'utf8');
  return [...xml.matchAll(/<testcase name="([^"]*)"[^>]*?(?:\/>|>([\s\S]*?)<\/testcase>)/g)].map((m) => ({
    name: m[1]!.replaceAll('&quot;', '"'),
    ...(m[2]?.includes('<failure') ? { failure: /<failure message="([^"]*)"/.exec(m[2])![1] } : {}),
    ...(m[2]?.includes('<skipped') ? { skipped: true } : {}),
    ...(m[2]?.includes('<system-out>') ? { out: /<system-out>([\s\S]*?)<\/system-out>/.exec(m[2])![1] } : {}),
  }));
}

describe.skipIf(!ready)('devenv ci (needs Docker and debian:bookworm-slim)', () => {
  it('passes on the reference stack with exit 0, keeping logs, timeline and JUnit, and takes it down', async () => {
    const project = 'devenvtest-ci-reference';
    const { args: files, env: fileEnv } = referenceFiles();
    const ports = await referencePorts();
    const env = { ...fileEnv, ...ports.env };
    const artifacts = path.join(scratch, 'reference');
    await devenv([...files, '-p', project, 'down', '--volumes'], { env });
    // What the project's own workflow runs (docs/ci.md): the smoke test finds the services
    // through the DEVENV_* variables.
    const smoke = path.join(repoRoot, 'scripts', 'reference-smoke.mjs');
    const r = await timedDevenv(
      [...files, '-p', project, 'ci', '--debug', '--volumes', '--artifacts', artifacts, '--', process.execPath, smoke],
      [],
      env,
    );
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(0);
    expect(r.stdout).toMatch(/backend health: \{"status":"ok","db":"ok","redis":"ok"/);
    expect(r.stdout).toContain('reference stack: all checks passed');
    expect(r.stdout).toContain(`DEVENV_URL_FRONTEND=${ports.frontend}`);

    const services = ['postgres', 'redis', 'migrate', 'backend', 'worker', 'frontend'];
    const logs = readdirSync(path.join(artifacts, 'logs'));
    for (const s of services) expect(logs, s).toContain(`${s}.log`);
    expect(readFileSync(path.join(artifacts, 'logs', 'postgres.log'), 'utf8')).toMatch(/ready to accept connections/);
    expect(readFileSync(path.join(artifacts, 'logs', 'backend.log'), 'utf8')).toMatch(/Application startup complete/);

    const timeline = JSON.parse(readFileSync(path.join(artifacts, 'timeline.json'), 'utf8')) as {
      outcome: string;
      spans: { name: string; service?: string; parent?: string; durationMs: number }[];
      criticalPath: string[];
    };
    expect(timeline.outcome).toBe('ok');
    const phasesOf = (s: string) =>
      timeline.spans.filter((x) => x.service === s && x.name !== 'service').map((x) => x.name);
    expect(
      timeline.spans
        .filter((s) => s.name === 'service')
        .map((s) => s.service)
        .sort(),
    ).toEqual([...services].sort());
    for (const s of ['backend', 'worker', 'frontend']) {
      expect(phasesOf(s), s).toContain('sync');
      expect(phasesOf(s), s).toContain('debugger');
    }
    expect(phasesOf('backend')).toEqual(expect.arrayContaining(['build', 'wait', 'create', 'start', 'healthy']));
    expect(timeline.criticalPath.length).toBeGreaterThan(2);
    expect(readFileSync(path.join(artifacts, 'timeline.txt'), 'utf8')).toMatch(/^ {2}wait postgres \(healthy\)/m);
    const otel = JSON.parse(readFileSync(path.join(artifacts, 'otel-traces.json'), 'utf8'));
    expect(otel.resourceSpans[0].scopeSpans[0].spans.length).toBe(timeline.spans.length);

    const cases = junitCases(path.join(artifacts, 'junit.xml'));
    const readiness = cases.filter((c) => c.name.endsWith(' ready')).map((c) => [c.name, c.failure ?? 'ok']);
    expect(readiness.sort()).toEqual(services.map((s) => [`${s} ready`, 'ok']).sort());
    expect(cases.find((c) => c.name === 'environment down')).toEqual({ name: 'environment down' });
    expect(cases.at(-1)).toMatchObject({ name: `${process.execPath} ${smoke}` });
    expect(cases.at(-1)!.failure).toBeUndefined();
    expect(projectContainers(project)).toEqual([]);
  });

  it('ends at once with exit 2 when a service crashes on start, naming it with its last lines', async () => {
    const project = `devenvtest-ci-crash-${process.pid}`;
    const artifacts = path.join(scratch, 'crash');
    const compose = path.join(fixtures, 'crash', 'compose.yaml');
    const started = Date.now();
    const r = await timedDevenv(
      [
        '-f',
        compose,
        '-p',
        project,
        'ci',
        '--timeout',
        '5m',
        '--artifacts',
        artifacts,
        '--',
        'sh',
        '-c',
        'echo test ran',
      ],
      ['error: api'],
    );
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(2);
    expect(r.stderr).toContain('error: api crashed');
    expect(r.stderr).toMatch(/last lines of api:\n(.*\n)*\s+\| fatal: DATABASE_URL is not set/);
    expect(r.stdout).not.toContain('test ran');
    // Seconds after the crash (the line's own timestamp in the saved log), not at the 5 minute timeout.
    const apiLog = readFileSync(path.join(artifacts, 'logs', 'api.log'), 'utf8');
    const crashedAt = Date.parse(/^(\S+) stderr fatal: DATABASE_URL is not set$/m.exec(apiLog)![1]!);
    expect(r.seen['error: api']! - crashedAt).toBeLessThan(5_000);
    expect(r.endedAt - started).toBeLessThan(120_000);
    const cases = junitCases(path.join(artifacts, 'junit.xml'));
    expect(cases.find((c) => c.name === 'api ready')?.failure).toMatch(/^api crashed/);
    expect(readFileSync(path.join(artifacts, 'junit.xml'), 'utf8')).toContain('fatal: DATABASE_URL is not set');
    expect(cases.find((c) => c.name === 'sh -c echo test ran')).toMatchObject({ skipped: true });
    expect(projectContainers(project)).toEqual([]);
  });

  it('runs the tests x-devenv.ci declares, exits with the failing one’s status, and still takes the stack down', async () => {
    const project = `devenvtest-ci-tests-${process.pid}`;
    const artifacts = path.join(scratch, 'tests');
    const compose = path.join(fixtures, 'tests', 'compose.yaml');
    const r = await timedDevenv(['-f', compose, '-p', project, 'ci', '--artifacts', artifacts], [], {
      EXPECTED_PROJECT: project,
    });
    const output = `${r.stdout}\n${r.stderr}`;
    expect(r.code, output).toBe(7);
    expect(r.stdout).toMatch(/web on 127\.0\.0\.1:\d+/);
    expect(r.stdout).toContain('devenv ci: sees the environment: passed');
    expect(r.stdout).toContain('devenv ci: fails: failed with exit code 7');
    expect(r.stdout).not.toContain('never runs');
    expect(r.stdout).toContain(`devenv ci: taking ${project} down`);
    const cases = junitCases(path.join(artifacts, 'junit.xml'));
    expect(cases.slice(-3).map((c) => [c.name, c.failure ?? (c.skipped ? 'skipped' : 'ok')])).toEqual([
      ['sees the environment', 'ok'],
      ['fails', 'exited with code 7'],
      ['sh -c echo never runs', 'skipped'],
    ]);
    expect(cases.find((c) => c.name === 'fails')?.out).toBe('about to fail\n');
    expect(existsSync(path.join(artifacts, 'logs', 'web.log'))).toBe(true);
    expect(projectContainers(project)).toEqual([]);
  });
});
