// `devenv ci [services…] [-- command…]`: the environment for a CI job. The same engine as
// `devenv up` (no TUI): prefixed lines or JSON lines; a service that exits, fails or turns
// unhealthy ends the run at once (exit 2), naming it with its last lines; otherwise, once every
// service is healthy (within --timeout), the command (or x-devenv.ci's tests) runs with the
// environment's URLs and ports in its environment; logs, the timeline and a JUnit report go to
// --artifacts; the environment is taken down unless --keep; the exit status is the command's.

import { resolve } from 'node:path';
import {
  type CiTest,
  type EngineEvent,
  ExitCode,
  formatDuration,
  type ProjectSpec,
  type ProjectStatus,
  type Timeline,
  UserError,
} from '@devenv/engine';
import { type DaemonConnection, Methods, Notifications, sendUp, type UpResultWire } from '@devenv/engine/protocol';
import { Artifacts } from '../ci/artifacts.js';
import { ciReport, type TestResult } from '../ci/ci-report.js';
import { EnvironmentWatch, type ServiceFailure } from '../ci/environment-watch.js';
import { junitXml } from '../ci/junit.js';
import { serviceEnvironment } from '../ci/service-environment.js';
import { runTest } from '../ci/test-command.js';
import { daemonFor, type GlobalOptions, type ProjectContext, projectContext } from '../context.js';
import { withCommands } from '../output/hints.js';
import { colourWanted, PlainRenderer } from '../output/plain-renderer.js';
import { waterfallText } from '../output/waterfall.js';
import { timelineJson } from './timeline.js';

export interface CiOptions extends GlobalOptions {
  timeout?: string;
  artifacts?: string;
  keep?: boolean;
  json?: boolean;
  build?: boolean;
  /** `--debug`: start services under their debuggers (off in CI by default). */
  debug?: boolean;
  volumes?: boolean;
  maxRestarts?: number;
  /** `--stable-for`: how long services without a healthcheck must keep running before the tests. */
  stableFor?: string;
  timestamps?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_STABLE_MS = 2_000;
/** After a failure, a moment for the service's last lines to arrive before they are printed. */
const LAST_LINES_GRACE_MS = 400;

export async function ciCommand(services: string[], command: string[], opts: CiOptions): Promise<number> {
  const ctx = projectContext(opts);
  const engine = await import('@devenv/engine/engine');
  const { project } = await engine.loadProject({
    files: ctx.identity.files,
    projectDir: ctx.identity.projectDir,
    projectName: ctx.identity.name,
    env: { ...process.env, DEVENV_STATE_DIR: ctx.paths.stateDir },
    ...(ctx.config.profiles ? { profiles: ctx.config.profiles } : {}),
  });
  for (const s of services) {
    if (!project.services[s])
      throw new UserError({
        code: 'cli.unknown-service',
        message: `no service named ${s}`,
        hint: `services in this project: ${Object.keys(project.services).join(', ')}`,
      });
  }
  const duration = (flag: string, value: string | undefined, fallback: number): number => {
    if (value === undefined) return fallback;
    const parsed = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : engine.parseDuration(value);
    if (parsed === undefined)
      throw new UserError({
        code: 'cli.invalid-duration',
        message: `${flag} ${value} is not a duration`,
        hint: `write it like 90s, 10m or 1m30s (${engine.durationHint(value)})`,
      });
    return parsed;
  };
  const timeoutMs = duration('--timeout', opts.timeout, project.devenv.ci?.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  const stableMs = duration('--stable-for', opts.stableFor, DEFAULT_STABLE_MS);
  const tests: CiTest[] =
    command.length > 0
      ? [{ name: command.join(' '), command, cwd: process.cwd(), env: {} }]
      : (project.devenv.ci?.tests ?? []);
  const run = new CiRun(ctx, project, opts, tests, { timeoutMs, stableMs }, (t) => engine.otlpJsonOf(t));
  return run.run(services);
}

type Phase = 'up' | 'tests' | 'down';

class CiRun {
  private readonly out = process.stdout;
  private readonly renderer: PlainRenderer;
  private readonly watch: EnvironmentWatch;
  private readonly artifacts: Artifacts | undefined;
  private readonly startedAt = new Date();
  private phase: Phase = 'up';
  private failure: (ServiceFailure & { lines: string[] }) | undefined;
  private readonly crashes: (ServiceFailure & { lines: string[] })[] = [];
  private onFailure: ((f: ServiceFailure) => void) | undefined;
  private readonly lastLineAt = new Map<string, number>();

  constructor(
    private readonly ctx: ProjectContext,
    private readonly project: ProjectSpec,
    private readonly opts: CiOptions,
    private readonly tests: CiTest[],
    private readonly times: { timeoutMs: number; stableMs: number },
    private readonly otlpJson: (t: Timeline) => Promise<string>,
  ) {
    this.renderer = new PlainRenderer(this.out, {
      colour: colourWanted(this.out),
      timestamps: opts.timestamps ?? false,
    });
    this.renderer.setServices(Object.keys(project.services));
    this.watch = new EnvironmentWatch({ maxRestarts: opts.maxRestarts ?? 0 });
    this.artifacts = opts.artifacts ? new Artifacts(resolve(opts.artifacts)) : undefined;
  }

  async run(services: string[]): Promise<number> {
    const daemon = await daemonFor(this.ctx, this.ctx.runtime);
    const { connection } = daemon;
    const name = this.project.name;
    let interrupted = false;
    let stopTest: (() => void) | undefined;
    const interrupt = new Promise<'interrupted'>((resolveInterrupt) => {
      process.once('SIGINT', () => {
        interrupted = true;
        stopTest?.();
        resolveInterrupt('interrupted');
      });
    });
    const closed = new Promise<'closed'>((r) => connection.onClose(() => r('closed')));
    try {
      const before = await connection.sendRequest(Methods.status);
      if (before.services.some((s) => s.instanceId !== undefined))
        this.say(
          `${name} was already up; this run uses it${this.opts.keep ? '' : ' and takes it down at the end (--keep leaves it running)'}`,
        );
      connection.onNotification(Notifications.event, (e) => this.onEvent(e));
      await connection.sendRequest(Methods.subscribe, { replayLogs: 5000 });
      this.say(
        `bringing ${name} up (timeout ${formatDuration(this.times.timeoutMs)}${this.opts.debug ? ', debuggers on' : ''})`,
      );

      // ---- the environment
      const failed = new Promise<{ kind: 'failed'; failure: ServiceFailure }>((r) => {
        this.onFailure = (failure) => r({ kind: 'failed', failure });
      });
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<{ kind: 'timeout' }>((r) => {
        timer = setTimeout(() => r({ kind: 'timeout' }), this.times.timeoutMs);
      });
      const up = sendUp(connection, {
        config: this.ctx.config,
        services,
        debug: this.opts.debug === true,
        ...(this.opts.build ? { build: true } : {}),
      });
      up.catch(() => undefined);
      // Settled is not yet ready: a service without a healthcheck counts once it ran a moment
      // without crashing (a crash a second after start must fail the run, not pass the tests).
      const settled = up.then(async (result) => {
        if (result.failed.length === 0) await this.stayedUp(result);
        return { kind: 'up' as const, result };
      });
      const first = await Promise.race([settled, failed, timedOut, interrupt, closed]);
      clearTimeout(timer);
      if (first === 'closed') return this.daemonGone();
      let ready = false;
      let timedOutServices: string[] | undefined;
      if (first === 'interrupted') this.say('interrupted');
      else if (first.kind === 'up') {
        const root = rootFailure(first.result);
        if (root) await this.environmentFailed(root);
        else ready = true;
      } else if (first.kind === 'failed') await this.environmentFailed(first.failure);
      else timedOutServices = this.timeout();
      const status = await connection.sendRequest(Methods.status);

      // ---- the tests
      const results: TestResult[] = [];
      if (ready && !interrupted) {
        this.phase = 'tests';
        this.ready(status);
        const env = { ...process.env, ...serviceEnvironment(status) };
        for (const test of this.tests) {
          if (interrupted || results.some((r) => r.exitCode !== 0)) {
            results.push({
              name: test.name,
              durationMs: 0,
              skipped: interrupted ? 'interrupted' : 'not run: an earlier test failed',
            });
            continue;
          }
          this.say(`running ${test.name}`);
          this.emit({ kind: 'ci', step: 'test-start', test: test.name });
          const running = runTest(test, env, (stream, text) => this.testOutput(test.name, stream, text));
          stopTest = running.stop;
          const outcome = await running.done;
          stopTest = undefined;
          this.flushTestOutput(test.name);
          results.push({ name: test.name, ...outcome });
          const verdict =
            outcome.exitCode === 0
              ? `passed in ${formatDuration(outcome.durationMs)}`
              : (outcome.error ??
                (outcome.timedOut
                  ? `timed out after ${formatDuration(outcome.durationMs)}`
                  : `failed with exit code ${outcome.exitCode} after ${formatDuration(outcome.durationMs)}`));
          this.say(`${test.name}: ${verdict}`);
          this.emit({ kind: 'ci', step: 'test-end', test: test.name, exitCode: outcome.exitCode });
        }
        if (this.tests.length === 0)
          this.say(
            'no command given and no x-devenv.ci.tests in the config: the environment came up, nothing more to run',
          );
      } else {
        for (const test of this.tests)
          results.push({ name: test.name, durationMs: 0, skipped: 'not run: the environment did not come up' });
      }

      // ---- down, then what is kept
      this.phase = 'down';
      const down = await this.takeDown(daemon);
      const timeline = await connection.sendRequest(Methods.timeline).catch(() => null);
      if (!this.opts.keep) await connection.sendRequest(Methods.shutdown).catch(() => undefined);
      await this.keepArtifacts(timeline ?? undefined, status, results, down, timedOutServices);

      // ---- the verdict
      const failedTest = results.find((r) => r.exitCode !== undefined && r.exitCode !== 0);
      let code: number;
      if (interrupted) code = 130;
      else if (!ready) code = ExitCode.runtimeFailure;
      else if (failedTest) code = failedTest.exitCode!;
      else if (this.crashes.length > 0 || (down !== 'kept' && down.error)) code = ExitCode.runtimeFailure;
      else code = ExitCode.ok;
      this.say(
        code === 0 ? `passed in ${formatDuration(Date.now() - this.startedAt.getTime())}` : `failed (exit ${code})`,
      );
      this.emit({ kind: 'ci', step: 'result', exitCode: code });
      return code;
    } finally {
      daemon.close();
      await this.artifacts?.close();
    }
  }

  private onEvent(e: EngineEvent): void {
    if (e.kind === 'log') {
      this.artifacts?.log(e);
      this.lastLineAt.set(e.service, Date.now());
    }
    if (this.opts.json) this.out.write(`${JSON.stringify(e)}\n`);
    else if (this.phase === 'up') this.renderer.render(e);
    if (this.phase === 'down') return;
    const failure = this.watch.apply(e);
    if (!failure) return;
    if (this.phase === 'up') this.onFailure?.(failure);
    else void this.crashedDuringTests(failure);
  }

  /** Until every service running without a healthcheck has run for the stable time. */
  private async stayedUp(result: UpResultWire): Promise<void> {
    const starts = result.services
      .filter((s) => s.state === 'running' && s.startedAt !== undefined)
      .map((s) => Date.parse(s.startedAt!));
    const wait = Math.max(0, ...starts.map((t) => t + this.times.stableMs - Date.now()));
    if (wait === 0) return;
    this.say(`waiting ${formatDuration(wait)} for the services without a healthcheck to stay up`);
    await new Promise((r) => setTimeout(r, wait));
  }

  private async environmentFailed(f: ServiceFailure): Promise<void> {
    if (this.failure) return;
    const lines = await this.lastLines(f.service);
    this.failure = { ...f, lines };
    this.report(`${f.service} ${f.reason}`, f.service, lines);
  }

  private async crashedDuringTests(f: ServiceFailure): Promise<void> {
    const lines = await this.lastLines(f.service);
    this.crashes.push({ ...f, lines });
    this.report(`${f.service} ${f.reason} while the tests ran`, f.service, lines);
  }

  /** Services not ready when the timeout ran out, each with what it was doing and its last lines. */
  private timeout(): string[] {
    const waiting = this.watch.unsettled();
    this.err(`the environment was not ready within ${formatDuration(this.times.timeoutMs)}`);
    for (const w of waiting) {
      const lines = this.watch.lastLines(w.service).slice(-10);
      this.err(`  ${w.service}: ${w.state}${lines.length ? `; last lines:\n${indent(lines)}` : ''}`);
    }
    this.err(
      withCommands(
        '  hint: a slow first build or healthcheck needs a longer `--timeout` (or x-devenv.ci.timeout); `devenv timeline` shows where the time went',
      ),
    );
    this.emit({ kind: 'ci', step: 'timeout', services: waiting });
    return waiting.map((w) => w.service);
  }

  /** The service's last lines, once its output has been quiet for a moment (or after a second). */
  private async lastLines(service: string): Promise<string[]> {
    const deadline = Date.now() + 1_000;
    while (Date.now() < deadline && Date.now() - (this.lastLineAt.get(service) ?? 0) < LAST_LINES_GRACE_MS)
      await new Promise((r) => setTimeout(r, 50));
    return this.watch.lastLines(service);
  }

  private report(message: string, service: string, lines: string[]): void {
    this.err(`error: ${message}`);
    if (lines.length > 0) this.err(`  last lines of ${service}:\n${indent(lines)}`);
    else this.err(`  ${service} printed nothing`);
    if (process.env.GITHUB_ACTIONS === 'true')
      this.err(
        `::error title=devenv ci::${escapeAnnotation(message)}%0A${escapeAnnotation(lines.slice(-5).join('\n'))}`,
      );
    this.emit({ kind: 'ci', step: 'service-failed', service, message, lastLines: lines });
  }

  private ready(status: ProjectStatus): void {
    const took = formatDuration(Date.now() - this.startedAt.getTime());
    this.say(`environment ready in ${took}`);
    this.emit({ kind: 'ci', step: 'ready', environment: serviceEnvironment(status) });
    if (this.opts.json) return;
    const env = serviceEnvironment(status);
    const urls = Object.entries(env).filter(([k]) => k.startsWith('DEVENV_URL_'));
    for (const [k, v] of urls) this.say(`  ${k}=${v}`);
    const others = Object.keys(env).filter((k) => !k.startsWith('DEVENV_URL_')).length;
    if (this.tests.length > 0) this.say(`  (and ${others} more DEVENV_* variables for the tests: see docs/ci.md)`);
  }

  private async takeDown(daemon: DaemonConnection): Promise<{ durationMs: number; error?: string } | 'kept'> {
    if (this.opts.keep) {
      this.say(withCommands(`${this.project.name} keeps running (--keep); \`devenv down\` stops it`));
      return 'kept';
    }
    this.say(`taking ${this.project.name} down${this.opts.volumes ? ' (volumes too)' : ''}`);
    const t0 = Date.now();
    try {
      await daemon.connection.sendRequest(Methods.down, { volumes: this.opts.volumes ?? false, shutdown: false });
      return { durationMs: Date.now() - t0 };
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      this.err(
        withCommands(`error: taking the environment down failed: ${error}\n  hint: \`devenv down\` tries again`),
      );
      return { durationMs: Date.now() - t0, error };
    }
  }

  private async keepArtifacts(
    timeline: Timeline | undefined,
    status: ProjectStatus,
    tests: TestResult[],
    down: { durationMs: number; error?: string } | 'kept',
    timedOut: string[] | undefined,
  ): Promise<void> {
    const a = this.artifacts;
    if (!a) return;
    if (timeline) {
      a.file('timeline.json', `${JSON.stringify(timelineJson(timeline), null, 2)}\n`);
      a.file('timeline.txt', `${waterfallText(timeline, { width: 120, detail: 'phases' }).join('\n')}\n`);
      a.file('otel-traces.json', await this.otlpJson(timeline));
    }
    a.file('status.json', `${JSON.stringify(status, null, 2)}\n`);
    const report = ciReport({
      project: this.project.name,
      startedAt: this.startedAt.toISOString(),
      timeline,
      failure: this.failure,
      timedOut,
      crashes: this.crashes,
      tests,
      down,
    });
    a.file('junit.xml', junitXml(report));
    await a.close();
    this.say(`artifacts in ${a.dir}: logs/, timeline.json, timeline.txt, otel-traces.json, status.json, junit.xml`);
  }

  private daemonGone(): number {
    this.err(`error: the devenv daemon went away\n  hint: its log is ${this.ctx.paths.logFile}`);
    return ExitCode.runtimeFailure;
  }

  // ---- output

  private readonly partial = new Map<string, string>();

  private testOutput(test: string, stream: 'stdout' | 'stderr', text: string): void {
    if (!this.opts.json) {
      (stream === 'stdout' ? process.stdout : process.stderr).write(text);
      return;
    }
    // JSON lines stay whole: the command's output goes in `ci-output` events, a line each.
    const key = `${test}\0${stream}`;
    const lines = `${this.partial.get(key) ?? ''}${text}`.split('\n');
    this.partial.set(key, lines.pop() ?? '');
    for (const line of lines) this.emit({ kind: 'ci-output', test, stream, line });
  }

  private flushTestOutput(test: string): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      const key = `${test}\0${stream}`;
      const rest = this.partial.get(key);
      if (rest) this.emit({ kind: 'ci-output', test, stream, line: rest });
      this.partial.delete(key);
    }
  }

  private say(text: string): void {
    if (this.opts.json) this.emit({ kind: 'ci', step: 'note', message: text });
    else this.out.write(`devenv ci: ${text}\n`);
  }

  private err(text: string): void {
    if (!this.opts.json) process.stderr.write(`${text}\n`);
  }

  private emit(e: Record<string, unknown>): void {
    if (this.opts.json) this.out.write(`${JSON.stringify({ ts: new Date().toISOString(), ...e })}\n`);
  }
}

/** The service whose failure caused the others' (`dependency x failed…` names it). */
function rootFailure(result: UpResultWire): ServiceFailure | undefined {
  const own = result.failed.find((f) => !f.message.startsWith('dependency ')) ?? result.failed[0];
  return own ? { service: own.service, reason: own.message } : undefined;
}

function indent(lines: string[]): string {
  return lines.map((l) => `    | ${l}`).join('\n');
}

/** GitHub's workflow commands take one line: newlines and % escaped. */
function escapeAnnotation(s: string): string {
  return s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}
