// The engine: reconciles each service's spec into a running instance on one runtime and keeps
// one ServiceStatus per service, published on the event bus. This file is the facade: it runs
// operations (up, down, stop, restart, rebuild) one at a time and wires the parts that do them:
//   planner.ts           pure plans from the wanted project and what the runtime holds
//   executor.ts          runs a plan on the runtime (dependency waits, settling)
//   instance-control.ts  what is done to one instance (create, start, restart, remove)
//   supervisor.ts        change notifications, inspections, restart policies with backoff
//   log-follower.ts      instances' log lines onto the bus
//   status-store.ts      records, statuses and the project phase
//   span-recorder.ts     each phase of an `up` as a span on the bus (the timeline)
//   runtime-recovery.ts  the runtime's health; the last `up` again after its engine came back
// The engine never imports UI code.

import { dockerfileWorkdirOf, observedAbsence, observedEndpoint, planDebug, requestedDebug } from '../debug/index.js';
import { UserError } from '../errors.js';
import type { EngineEvent, EventSink } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { ProjectStatus, ServiceStatus } from '../model/status.js';
import type { Runtime, RuntimeInfo } from '../runtime-interface/runtime.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { EventBus } from './event-bus.js';
import { Executor } from './executor.js';
import { InstanceControl } from './instance-control.js';
import { LogFollower, streamLogs } from './log-follower.js';
import { dependencyOrder, planUp, upOrder } from './planner.js';
import type { HealthWatchOptions } from './runtime-health.js';
import { RuntimeRecovery } from './runtime-recovery.js';
import { type Phase, SpanRecorder } from './span-recorder.js';
import { StatusStore } from './status-store.js';
import { Supervisor } from './supervisor.js';
import { SyncController } from './sync-controller.js';

export interface UpOptions {
  /** Only these services (and their dependencies); all active services when empty. */
  services?: string[];
  /** Rebuild images even when their inputs did not change. */
  build?: boolean;
  /** Remove instances of services that are no longer in the config (default: true when no services are named). */
  removeOrphans?: boolean;
  /** Start services under their debuggers (default true; see engine/src/debug). */
  debug?: boolean;
  /**
   * Start these under their debugger now, whatever the defaults (`devenv debug SERVICE`); `up`
   * does not wait for them to settle: a one-shot job among them waits for a client to attach.
   */
  debugNow?: string[];
}

export interface UpResult {
  services: ServiceStatus[];
  failed: { service: string; message: string }[];
  /** What `up` did per service: kept, started, created, recreated. */
  actions: Record<string, string>;
}

export interface EngineOptions {
  /** A service restarting this many times before it settles has failed (default 3). */
  settleRestartLimit?: number;
  /** Time for restart backoff and run bookkeeping (tests step a FakeClock). */
  clock?: Clock;
  /** The runtime health watch's timing (tests step their own monotonic clock). */
  health?: HealthWatchOptions;
}

export class Engine {
  readonly bus = new EventBus();
  /** Live sync: sessions per `develop.watch` rule, a link into each running instance. */
  readonly sync: SyncController;
  private readonly store = new StatusStore(this.bus);
  private readonly clock: Clock;
  private readonly logs: LogFollower;
  private readonly supervisor: Supervisor;
  private readonly instances: InstanceControl;
  private readonly executor: Executor;
  private readonly spans: SpanRecorder;
  /** Aborts the `up` in progress: `down` and `stop` need not wait for services that may never settle. */
  private upInProgress: AbortController | undefined;
  private readonly recovery: RuntimeRecovery;
  private project: ProjectSpec | undefined;
  private info: RuntimeInfo | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly runtime: Runtime,
    opts: EngineOptions = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.spans = new SpanRecorder(this.bus.emit, this.clock);
    const log = (service: string, line: string) => this.store.log(service, line);
    // A watch action acts on a service that runs, and never brings a stopped one (or its
    // dependencies) back: after `down` or `stop` a saved file changes nothing.
    const running = (service: string) =>
      this.store.get(service)?.instanceId !== undefined &&
      this.store.phase !== 'stopping' &&
      this.store.phase !== 'stopped';
    this.sync = new SyncController(
      runtime,
      this.bus.emit,
      {
        restart: async (service) => {
          if (running(service)) await this.reload(service, 'restart', () => this.restart(service));
        },
        rebuild: async (service) => {
          if (running(service)) await this.reload(service, 'rebuild', () => this.rebuild(service));
        },
        exec: (service, command, execOpts) =>
          this.reload(service, 'exec', () => this.instances.exec(service, command, execOpts)),
        figures: (service, figures) => this.patchStatus(service, { sync: figures }),
        link: (service, health) => this.patchStatus(service, { syncLink: health }),
      },
      { clock: this.clock },
    );
    this.logs = new LogFollower(runtime, this.bus.emit, log);
    this.recovery = new RuntimeRecovery({
      runtime,
      store: this.store,
      clock: this.clock,
      up: (project, upOpts) => this.up(project, upOpts),
      refresh: async () => {
        await Promise.all(this.store.all().map((rec) => this.supervisor.refresh(rec)));
      },
      rescanSync: (reason) => this.sync.rescan(reason),
      reconcileOnNextAttach: () => this.sync.reconcileOnNextAttach(),
      ...(opts.health ? { health: opts.health } : {}),
    });
    this.supervisor = new Supervisor(runtime, this.store, this.clock, {
      restart: (rec) => this.instances.start(rec),
      running: (rec) => this.logs.follow(rec),
      gone: (rec) => void this.sync.detach(rec.spec.name),
      vanished: (rec) => this.recovery.vanished(rec.spec.name),
      unreachable: () => this.recovery.suspect(),
      outage: () => this.recovery.lastOutage(),
    });
    this.instances = new InstanceControl(runtime, this.store, this.supervisor, this.logs, this.sync, this.clock);
    this.executor = new Executor({
      runtime,
      store: this.store,
      instances: this.instances,
      logs: this.logs,
      sync: this.sync,
      ...(opts.settleRestartLimit === undefined ? {} : { settleRestartLimit: opts.settleRestartLimit }),
    });
  }

  get emit(): EventSink {
    return this.bus.emit;
  }

  /**
   * Bring the project's services to their specs. Resolves when every service settled or failed.
   * What it asks for stays the intent the engine restores after its runtime's engine came back.
   */
  up(project: ProjectSpec, opts: UpOptions = {}): Promise<UpResult> {
    this.recovery.intend(project, opts);
    return this.serial(() => this.doUp(project, opts));
  }

  /** Stop and remove every instance of the project, then its network (and volumes if asked). */
  down(project: ProjectSpec, opts: { volumes?: boolean } = {}): Promise<void> {
    this.cancelUp();
    this.recovery.forget();
    return this.serial(async () => {
      await this.beginStopping(project);
      // Nothing to sync into any more; the next `up` watches again.
      await this.sync.close();
      await this.executor.down(project, await this.runtime.observe(project.name));
      await this.runtime.removeProjectResources(project, { volumes: opts.volumes ?? false });
      this.store.setPhase('stopped');
    });
  }

  /** Restart one service's instance in place (and dependents that asked for it with `restart: true`). */
  restart(service: string): Promise<void> {
    return this.serial(async () => {
      const project = this.requireProject();
      this.requireService(project, service);
      await this.executor.restart(project, service);
    });
  }

  /** Rebuild a service's artifact and recreate it if the result changed. */
  rebuild(service: string): Promise<UpResult> {
    return this.serial(async () => {
      const project = this.requireProject();
      this.requireService(project, service);
      return this.doUp(project, { services: [service], build: true, removeOrphans: false }, [service], 'rebuild');
    });
  }

  /**
   * Run one service under its debugger now (`devenv debug SERVICE`): recreated with the debugger
   * injected, a one-shot job waiting for a client. Resolves once the debugger answers, not when
   * the service is done.
   */
  debug(service: string): Promise<UpResult> {
    return this.serial(async () => {
      const project = this.requireProject();
      this.requireService(project, service);
      const debug = requestedDebug(project.services[service]!, this.runtime.kind);
      if (typeof debug === 'string') throw new UserError({ code: 'debug.not-debuggable', message: debug });
      return this.doUp(project, { services: [service], removeOrphans: false, debugNow: [service] });
    });
  }

  /** Stop every instance (dependents first) without removing anything; `up` starts them again. */
  stop(project: ProjectSpec): Promise<void> {
    this.cancelUp();
    this.recovery.forget();
    return this.serial(async () => {
      await this.beginStopping(project);
      await this.sync.close();
      await this.executor.stop(project, await this.runtime.observe(project.name));
      this.store.setPhase('stopped');
    });
  }

  /**
   * Learn what already runs for the project without changing anything. With `watch`, keep
   * following it (the daemon recovering after a crash); without, take one look (`devenv status`).
   */
  attach(project: ProjectSpec, opts: { watch: boolean } = { watch: true }): Promise<ProjectStatus> {
    return this.serial(async () => {
      await this.connect();
      this.project = project;
      if (opts.watch) this.watch(project.name);
      const observed = await this.runtime.observe(project.name);
      if (opts.watch) {
        const running = observed.filter((o) => o.state.status === 'running' && project.services[o.service]);
        this.recovery.adopt(
          project,
          running.map((o) => o.service),
        );
      }
      for (const inst of observed) {
        const spec = project.services[inst.service];
        if (!spec) continue;
        const rec = this.store.track(spec);
        rec.instanceId = inst.id;
        rec.status.specHash = inst.specHash;
        // Re-adopted without an `up`: the debug endpoint is what the instance publishes.
        rec.status.debug = observedEndpoint(spec, this.runtime.kind, inst.state.ports, dockerfileWorkdirOf(spec));
        if (!rec.status.debug) delete rec.status.debug;
        const absent = rec.status.debug ? undefined : observedAbsence(project, spec, this.runtime.kind);
        if (absent) rec.status.debugAbsent = absent;
        this.supervisor.apply(rec, inst.state);
        if (opts.watch) this.logs.follow(rec, this.clock.now() / 1000);
      }
      this.store.setPhase(this.store.derivePhase());
      return this.status();
    });
  }

  /**
   * Log lines straight from the runtime (no daemon needed): history interleaved by time, then,
   * with `follow`, new lines as they come until the signal aborts.
   */
  async streamLogs(
    project: ProjectSpec,
    opts: { service?: string; follow: boolean; tail: number },
    signal: AbortSignal,
    onEvent: (e: EngineEvent) => void,
  ): Promise<void> {
    await this.connect();
    await streamLogs(this.runtime, project, opts, signal, onEvent);
  }

  status(): ProjectStatus {
    const project = this.project;
    return {
      project: project?.name ?? '',
      projectDir: project?.projectDir ?? '',
      runtime: this.runtime.kind,
      ...(this.info ? { runtimeDetail: this.info.detail } : {}),
      phase: this.store.phase,
      ...(this.store.runtimeHealth ? { runtimeHealth: { ...this.store.runtimeHealth } } : {}),
      services: this.store.statuses(project ? dependencyOrder(project) : []),
    };
  }

  /** Report per-service figures that other parts of the engine own (sync latency, debug endpoint). */
  patchStatus(service: string, patch: Partial<ServiceStatus>): void {
    const rec = this.store.get(service);
    if (rec) this.store.set(rec, patch);
  }

  async close(): Promise<void> {
    this.recovery.close();
    this.supervisor.close();
    await this.sync.close();
    this.logs.close();
    await this.runtime.close();
  }

  private async doUp(
    project: ProjectSpec,
    opts: UpOptions,
    forceBuild: string[] = [],
    operation: 'up' | 'rebuild' = 'up',
  ): Promise<UpResult> {
    const root = this.spans.root(operation, { attrs: { project: project.name, runtime: this.runtime.kind } });
    const cancel = new AbortController();
    this.upInProgress = cancel;
    try {
      const result = await this.runUp(project, opts, forceBuild, root, cancel.signal);
      root.end(result.failed.length > 0 ? 'failed' : 'ok', failedText(result.failed));
      return result;
    } catch (err) {
      root.fail(err);
      throw err;
    } finally {
      if (this.upInProgress === cancel) this.upInProgress = undefined;
    }
  }

  private async runUp(
    project: ProjectSpec,
    opts: UpOptions,
    forceBuild: string[],
    root: Phase,
    signal: AbortSignal,
  ): Promise<UpResult> {
    const prepare = root.begin('prepare');
    await this.connect();
    this.project = project;
    const requested = opts.services ?? [];
    for (const name of requested) this.requireService(project, name);
    const order = upOrder(project, requested);
    this.store.setPhase('planning');
    for (const name of order) this.store.track(project.services[name]!).spec = project.services[name]!;
    await this.runtime.ensureProjectResources(project, this.emit);
    await this.sync.configure(project);
    this.watch(project.name);
    const observed = await this.runtime.observe(project.name);
    const plan = planUp(project, observed, {
      services: requested,
      ...(opts.removeOrphans === undefined ? {} : { removeOrphans: opts.removeOrphans }),
    });
    await this.executor.removeOrphans(plan.orphans);
    // Debuggers: which services get one, and their host ports, decided once before anything is
    // hashed; ports already published by our own instances are kept, so the hash stays the same.
    const debugPlan = await planDebug(project, this.runtime.kind, observed, {
      previous: this.store.debugPortsKnown(),
      enabled: opts.debug !== false,
      ...(opts.debugNow ? { requested: opts.debugNow } : {}),
    });
    prepare.end();
    this.store.setPhase('starting');
    const { failed, actions } = await this.executor.up(project, plan, {
      debugPlan,
      forceBuild: opts.build ? plan.order : forceBuild,
      ...(opts.debugNow ? { debugNow: opts.debugNow } : {}),
      trace: root,
      signal,
    });
    this.store.setPhase(this.store.derivePhase());
    return { services: this.status().services, failed, actions };
  }

  /** A watch action on a running service (restart, rebuild, exec) as a `reload` span. */
  private async reload(service: string, action: string, fn: () => Promise<unknown>): Promise<void> {
    const span = this.spans.root('reload', { service, attrs: { action } });
    try {
      await fn();
      span.end();
    } catch (err) {
      span.fail(err);
      throw err;
    }
  }

  /** Services of an `up` still waiting (for a dependency, to settle) give up: the engine is told to stop. */
  private cancelUp(): void {
    this.upInProgress?.abort();
  }

  /** Follow the runtime's change notifications and its engine's health. */
  private watch(project: string): void {
    this.supervisor.watch(project);
    this.recovery.watch();
  }

  /** `down` and `stop` begin alike: connected, on this project, `stopping`. */
  private async beginStopping(project: ProjectSpec): Promise<void> {
    await this.connect();
    this.project = project;
    this.store.setPhase('stopping');
  }

  private async connect(): Promise<void> {
    if (!this.info) this.info = await this.runtime.connect();
  }

  private requireProject(): ProjectSpec {
    if (!this.project) {
      throw new UserError({
        code: 'engine.no-project',
        message: 'no environment is up',
        hint: 'run `devenv up` first',
      });
    }
    return this.project;
  }

  private requireService(project: ProjectSpec, name: string): void {
    if (!project.services[name]) {
      const known = Object.keys(project.services).join(', ');
      throw new UserError({
        code: 'engine.unknown-service',
        message: `no service named ${name}`,
        hint: `services in this project: ${known}`,
      });
    }
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function failedText(failed: UpResult['failed']): string | undefined {
  return failed.length > 0 ? failed.map((f) => `${f.service}: ${f.message}`).join('; ') : undefined;
}
