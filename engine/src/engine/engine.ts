// The engine: reconciles each service's spec into a running instance on one runtime and keeps
// one ServiceStatus per service, published on the event bus. Operations (up, down, restart,
// rebuild) run one at a time; the runtime's own change notifications update statuses and
// drive restart policies in between. The engine never imports UI code.

import {
  type DebugPlan,
  diagnoseDebugFailure,
  dockerfileWorkdirOf,
  injectChecked,
  observedAbsence,
  observedEndpoint,
  planDebug,
  probeDebugger,
  requestedDebug,
} from '../debug/index.js';
import { RuntimeFailure, UserError } from '../errors.js';
import { type EngineEvent, type EventSink, now } from '../model/events.js';
import type { DependsOnSpec, ProjectSpec, ServiceSpec } from '../model/spec.js';
import {
  emptyStatus,
  type ProjectPhase,
  type ProjectStatus,
  type ServiceState,
  type ServiceStatus,
} from '../model/status.js';
import { planForkReload } from '../reload/fork-reload.js';
import type {
  Artifact,
  Disposable,
  InstanceState,
  ObservedInstance,
  Runtime,
  RuntimeInfo,
} from '../runtime/runtime.js';
import { dependentsOf, runInOrder, topologicalOrder, withDependencies } from './dependency-graph.js';
import { EventBus } from './event-bus.js';
import { planUp } from './plan.js';
import { restartDelayMs, shouldRestart } from './restart-policy.js';
import { specHash } from './spec-hash.js';
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

interface Tracked {
  spec: ServiceSpec;
  status: ServiceStatus;
  instanceId?: string;
  /** The engine is stopping or replacing this instance: its exit is not a crash. */
  stopping: boolean;
  engineRestarts: number;
  runtimeRestarts: number;
  /** Consecutive quick crashes, for backoff. */
  crashes: number;
  restartTimer?: NodeJS.Timeout;
  logs?: AbortController;
  /** Unix seconds the current run's log starts at (undefined: the instance's whole log). */
  logsSince?: number;
  lastLogTs?: string;
  /** When the engine last started this instance (ms): an exit of an earlier run is old news. */
  lastStartAt?: number;
  /** Live sync is attaching: hold `running`/`healthy` back as `starting`. */
  syncPending?: boolean;
  /** Orders inspections: a result older than one already applied is dropped. */
  inspectSeq: number;
  appliedSeq: number;
}

const nonHttpPorts = new Set([5432, 6379, 3306, 27017, 5672, 9092, 11211, 2181, 9200, 1433, 1521]);

export class Engine {
  readonly bus = new EventBus();
  private project: ProjectSpec | undefined;
  private readonly tracked = new Map<string, Tracked>();
  private phase: ProjectPhase = 'idle';
  private info: RuntimeInfo | undefined;
  private watching: Disposable | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  /** Live sync: sessions per `develop.watch` rule, a link into each running instance. */
  readonly sync: SyncController;

  constructor(
    readonly runtime: Runtime,
    private readonly opts: { settleRestartLimit?: number } = {},
  ) {
    // A watch action acts on a service that runs, and never brings a stopped one (or its
    // dependencies) back: after `down` or `stop` a saved file changes nothing.
    const running = (service: string) =>
      this.tracked.get(service)?.instanceId !== undefined && this.phase !== 'stopping' && this.phase !== 'stopped';
    this.sync = new SyncController(runtime, this.bus.emit, {
      restart: async (service) => {
        if (running(service)) await this.restart(service);
      },
      rebuild: async (service) => {
        if (running(service)) await this.rebuild(service);
      },
      exec: (service, command, execOpts) => this.execIn(service, command, execOpts),
      figures: (service, figures) => this.patchStatus(service, { sync: figures }),
    });
  }

  get emit(): EventSink {
    return this.bus.emit;
  }

  /** Bring the project's services to their specs. Resolves when every service settled or failed. */
  up(project: ProjectSpec, opts: UpOptions = {}): Promise<UpResult> {
    return this.serial(() => this.doUp(project, opts));
  }

  /** Stop and remove every instance of the project, then its network (and volumes if asked). */
  down(project: ProjectSpec, opts: { volumes?: boolean } = {}): Promise<void> {
    return this.serial(() => this.doDown(project, opts.volumes ?? false));
  }

  /** Restart one service's instance in place (and dependents that asked for it with `restart: true`). */
  restart(service: string): Promise<void> {
    return this.serial(() => this.doRestart(service));
  }

  /** Rebuild a service's artifact and recreate it if the result changed. */
  rebuild(service: string): Promise<UpResult> {
    return this.serial(async () => {
      const project = this.requireProject();
      this.requireService(project, service);
      return this.doUp(project, { services: [service], build: true, removeOrphans: false }, [service]);
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
    return this.serial(async () => {
      await this.connect();
      this.project = project;
      this.setPhase('stopping');
      await this.sync.close();
      const observed = await this.runtime.observe(project.name);
      for (const name of safeOrder(project).reverse()) {
        const t = this.tracked.get(name);
        if (t) {
          t.stopping = true;
          if (t.restartTimer) clearTimeout(t.restartTimer);
          t.restartTimer = undefined;
        }
        const grace = project.services[name]?.stopGracePeriodMs ?? 10_000;
        await Promise.all(observed.filter((o) => o.service === name).map((o) => this.runtime.stop(o.id, grace)));
        if (t) {
          t.logs?.abort();
          this.setStatus(t, { state: 'stopped', health: 'none', message: undefined });
        }
      }
      this.setPhase('stopped');
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
      if (opts.watch) this.startWatching(project.name);
      const observed = await this.runtime.observe(project.name);
      for (const inst of observed) {
        const spec = project.services[inst.service];
        if (!spec) continue;
        const t = this.track(spec);
        t.instanceId = inst.id;
        t.status.specHash = inst.specHash;
        // Re-adopted without an `up`: the debug endpoint is what the instance publishes.
        t.status.debug = observedEndpoint(spec, this.runtime.kind, inst.state.ports, dockerfileWorkdirOf(spec));
        if (!t.status.debug) delete t.status.debug;
        const absent = t.status.debug ? undefined : observedAbsence(project, spec, this.runtime.kind);
        if (absent) t.status.debugAbsent = absent;
        this.applyInstanceState(t, inst.state);
        if (opts.watch) this.followLogs(t, Date.now() / 1000);
      }
      this.setPhase(this.derivePhase());
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
    const observed = (await this.runtime.observe(project.name)).filter(
      (o) => !opts.service || o.service === opts.service,
    );
    if (!opts.follow) {
      const all: EngineEvent[] = [];
      await Promise.all(
        observed.map(async (o) => {
          for await (const l of this.runtime.logs(o.id, { follow: false, tail: opts.tail }, signal)) {
            all.push({ kind: 'log', ts: l.ts, service: o.service, stream: l.stream, line: l.line });
          }
        }),
      );
      all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      for (const e of all) onEvent(e);
      return;
    }
    await Promise.all(
      observed.map(async (o) => {
        try {
          for await (const l of this.runtime.logs(o.id, { follow: true, tail: opts.tail }, signal)) {
            onEvent({ kind: 'log', ts: l.ts, service: o.service, stream: l.stream, line: l.line });
          }
        } catch (err) {
          if (!signal.aborted) throw err;
        }
      }),
    );
  }

  status(): ProjectStatus {
    const project = this.project;
    const order = project ? safeOrder(project) : [];
    const names = [...new Set([...order, ...this.tracked.keys()])].filter((n) => this.tracked.has(n));
    return {
      project: project?.name ?? '',
      projectDir: project?.projectDir ?? '',
      runtime: this.runtime.kind,
      ...(this.info ? { runtimeDetail: this.info.detail } : {}),
      phase: this.phase,
      services: names.map((n) => ({ ...this.tracked.get(n)!.status })),
    };
  }

  /** Report per-service figures that other parts of the engine own (sync latency, debug endpoint). */
  patchStatus(service: string, patch: Partial<ServiceStatus>): void {
    const t = this.tracked.get(service);
    if (t) this.setStatus(t, patch);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sync.close();
    this.watching?.dispose();
    for (const t of this.tracked.values()) {
      t.logs?.abort();
      if (t.restartTimer) clearTimeout(t.restartTimer);
    }
    await this.runtime.close();
  }

  // ---- operations ------------------------------------------------------------------------

  private async doUp(project: ProjectSpec, opts: UpOptions, forceBuild: string[] = []): Promise<UpResult> {
    await this.connect();
    this.project = project;
    const requested = opts.services ?? [];
    for (const name of requested) this.requireService(project, name);
    const names = requested.length > 0 ? withDependencies(project.services, requested) : Object.keys(project.services);
    const order = topologicalOrder(project.services, names);
    this.setPhase('planning');

    for (const name of order) {
      const t = this.track(project.services[name]!);
      t.spec = project.services[name]!;
    }
    await this.runtime.ensureProjectResources(project, this.emit);
    await this.sync.configure(project);
    this.startWatching(project.name);
    const observed = await this.runtime.observe(project.name);

    const removeOrphans = opts.removeOrphans ?? requested.length === 0;
    if (removeOrphans) {
      const orphans = planUp({}, observed, { configuredServices: Object.keys(project.services), removeOrphans }).remove;
      await Promise.all(orphans.map((o) => this.removeInstance(o.instanceId, o.service, 'no longer in the config')));
    }

    // Debuggers: which services get one, and their host ports, decided once before anything is
    // hashed; ports already published by our own instances are kept, so the hash stays the same.
    const debugPlan = await planDebug(project, this.runtime.kind, observed, {
      previous: this.debugPortsKnown(),
      enabled: opts.debug !== false,
      ...(opts.debugNow ? { requested: opts.debugNow } : {}),
    });

    this.setPhase('starting');
    const controller = new AbortController();
    const builds = this.runtime.prepareArtifacts(
      order.map((n) => project.services[n]!),
      project,
      this.emit,
      controller.signal,
      { force: opts.build ? order : forceBuild },
    );
    const started = new Map<string, Deferred>();
    for (const name of order) started.set(name, deferred());
    const actions: Record<string, string> = {};
    const failed: UpResult['failed'] = [];

    await Promise.all(
      order.map(async (name) => {
        const t = this.tracked.get(name)!;
        try {
          actions[name] = await this.upService(t, project, builds[name]!, observed, started, debugPlan);
          // Debugged on request: ready once its debugger answers (a one-shot job waits for the client).
          if (opts.debugNow?.includes(name)) return await this.checkDebugger(t);
          await this.settle(t);
          await this.checkDebugger(t);
        } catch (err) {
          let message = err instanceof Error ? err.message : String(err);
          // A service that failed under its debugger: say what to fix (debugpy missing from the image…).
          const problem = await this.debugProblem(t, message);
          if (problem) message = `${problem.message}; ${problem.hint}`;
          started.get(name)!.reject(err);
          failed.push({ service: name, message });
          if (err instanceof RuntimeFailure && err.code !== 'engine.dependency-failed') {
            this.emit({
              kind: 'diagnostic',
              ts: now(),
              severity: 'error',
              code: err.code,
              message: `${name}: ${message}`,
              service: name,
              ...(err.hint ? { hint: err.hint } : {}),
            });
          }
          this.setStatus(t, { state: t.status.state === 'exited' ? 'exited' : 'failed', message });
          this.log(name, `failed: ${message}`);
        }
      }),
    );
    controller.abort();
    this.setPhase(this.derivePhase());
    return { services: this.status().services, failed, actions };
  }

  private async upService(
    t: Tracked,
    project: ProjectSpec,
    build: Promise<Artifact | undefined>,
    observed: ObservedInstance[],
    started: Map<string, Deferred>,
    debugPlan: DebugPlan,
  ): Promise<string> {
    const name = t.spec.name;
    if (t.spec.build) this.setStatus(t, { state: 'building', message: 'building image' });
    const artifact = await build;
    // The fork reloader, then debugger injection, before hashing: the spec that is hashed and
    // created runs under both (the debugger wraps the reloader, and follows its forks).
    const reload = planForkReload(t.spec, { runtime: this.runtime.kind, image: artifact?.config });
    t.spec = reload.service;
    if (reload.note) this.log(name, reload.note);
    const debug = await injectChecked(debugPlan, t.spec, { runtime: this.runtime, project, artifact });
    t.spec = debug.service;
    for (const note of debug.notes) this.log(name, note);
    this.setStatus(t, { debug: debug.endpoint, debugAbsent: debug.absent });
    if (debug.absent?.kind === 'unavailable') {
      const { reason, fix } = debug.absent;
      this.emit({
        kind: 'diagnostic',
        ts: now(),
        severity: 'warning',
        code: 'debug.unavailable',
        service: name,
        message: `${name}: runs without a debugger: ${reason}`,
        hint: fix,
      });
    }
    const hash = specHash({ runtime: this.runtime.kind, spec: this.runtime.hashInput(t.spec, project, artifact) });
    const mine = observed.filter((o) => o.service === name);
    const plan = planUp({ [name]: hash }, mine, { configuredServices: [name], removeOrphans: false });
    for (const dup of plan.remove) await this.removeInstance(dup.instanceId, name, 'duplicate instance');
    const action = plan.services[name]!;

    await this.waitForDependencies(t, started);

    // Dependents waiting for `service_started` may go once the instance runs: they need not
    // wait for its first sync (Compose's meaning; the instance's own health still waits for it).
    const markStarted = () => started.get(name)!.resolve();
    let verb: string;
    switch (action.kind) {
      case 'keep':
        verb = 'kept';
        t.instanceId = action.instanceId;
        t.status.specHash = hash;
        await this.refresh(t);
        this.followLogs(t, Date.now() / 1000);
        markStarted();
        // Files may have changed while no daemon watched (a daemon restart): reconcile.
        if (!this.sync.linked(name)) await this.attachSync(t, true);
        break;
      case 'start':
        verb = 'started';
        t.instanceId = action.instanceId;
        t.status.specHash = hash;
        await this.startInstance(t, markStarted);
        break;
      case 'recreate':
        verb = 'recreated';
        await this.removeInstance(action.instanceId, name, 'its spec changed');
        await this.createAndStart(t, project, hash, artifact, markStarted);
        break;
      case 'create':
        verb = 'created';
        await this.createAndStart(t, project, hash, artifact, markStarted);
        break;
    }
    markStarted();
    return verb;
  }

  private async createAndStart(
    t: Tracked,
    project: ProjectSpec,
    hash: string,
    artifact: Artifact | undefined,
    onStarted?: () => void,
  ) {
    this.setStatus(t, { state: 'starting', message: 'creating', restartCount: 0, exitCode: undefined });
    t.engineRestarts = 0;
    t.runtimeRestarts = 0;
    t.crashes = 0;
    t.lastLogTs = undefined;
    t.logsSince = undefined;
    const ctx = artifact ? { project, specHash: hash, artifact } : { project, specHash: hash };
    t.instanceId = await this.runtime.create(t.spec, ctx);
    t.status.specHash = hash;
    this.setStatus(t, { instanceId: t.instanceId });
    await this.startInstance(t, onStarted);
  }

  private async startInstance(t: Tracked, onStarted?: () => void): Promise<void> {
    this.setStatus(t, { state: 'starting', message: undefined, exitCode: undefined });
    t.stopping = false;
    // An instance started again keeps its old log: show only what this run prints.
    t.logsSince = Date.now() / 1000 - 1;
    t.lastStartAt = Date.now();
    await this.sync.detach(t.spec.name);
    await this.runtime.start(t.instanceId!);
    await this.refresh(t);
    this.followLogs(t);
    onStarted?.();
    await this.attachSync(t, false);
  }

  /**
   * Connect live sync to the (re)started instance. The service does not count as ready until its
   * files are in line (`syncPending` holds running/healthy back as `starting`), so nothing saved
   * while it was down is lost.
   */
  private async attachSync(t: Tracked, reconcile: boolean): Promise<void> {
    if (!t.instanceId || !this.sync.copiesInto(t.spec.name)) return;
    t.syncPending = true;
    try {
      await this.sync.attach(t.spec.name, t.instanceId, { reconcile });
    } catch (err) {
      this.emit({
        kind: 'diagnostic',
        ts: now(),
        severity: 'warning',
        code: 'sync.attach-failed',
        service: t.spec.name,
        message: `${t.spec.name}: live sync could not attach: ${err instanceof Error ? err.message : String(err)}`,
        hint: 'saved files will not reach this service until it restarts; `devenv logs` shows why',
      });
    } finally {
      t.syncPending = false;
      await this.refresh(t);
    }
  }

  /** `sync+exec`: run the rule's command in the service's instance and log what it printed. */
  private async execIn(service: string, command: string[], opts: { user?: string; workingDir?: string }) {
    const t = this.tracked.get(service);
    if (!t?.instanceId || !this.runtime.exec) return;
    const result = await this.runtime.exec(t.instanceId, command, opts);
    for (const line of result.output.split('\n').filter(Boolean)) this.log(service, `exec | ${line}`);
    this.log(service, `exec ${command.join(' ')} exited with code ${result.exitCode}`);
  }

  private async waitForDependencies(t: Tracked, started: Map<string, Deferred>): Promise<void> {
    const deps = Object.entries(t.spec.dependsOn).filter(([dep, d]) => this.project?.services[dep] || d.required);
    if (deps.length === 0) return;
    this.setStatus(t, {
      state: 'waiting',
      message: `waiting for ${deps.map(([dep, d]) => `${dep} (${conditionWord(d)})`).join(', ')}`,
    });
    await Promise.all(
      deps.map(async ([dep, d]) => {
        const depStarted = started.get(dep);
        if (!depStarted) {
          // Not part of this `up` (e.g. `up backend` when postgres runs already): its current state decides.
          if (!this.tracked.has(dep))
            throw new RuntimeFailure('engine.dependency-missing', `dependency ${dep} is not running`);
        } else {
          await depStarted.promise.catch(() => {
            throw new RuntimeFailure('engine.dependency-failed', `dependency ${dep} failed to start`);
          });
        }
        await this.waitForCondition(dep, d);
      }),
    );
  }

  private waitForCondition(dep: string, d: DependsOnSpec): Promise<void> {
    const depSpec = this.project?.services[dep];
    // A runtime that cannot report the dependency's health (a Compose healthcheck on the process
    // runtime, already warned about) makes `service_healthy` mean running.
    const healthKnown = depSpec ? this.runtime.hasHealthcheck(depSpec) : true;
    const ok: (s: ServiceStatus) => boolean =
      d.condition === 'service_completed_successfully'
        ? (s) => s.state === 'completed'
        : d.condition === 'service_healthy' && healthKnown
          ? (s) => s.state === 'healthy'
          : (s) =>
              (s.state === 'starting' && this.tracked.get(dep)?.syncPending === true) ||
              (s.state !== 'starting' && s.state !== 'waiting' && s.state !== 'building' && s.state !== 'pending');
    const bad = (s: ServiceStatus): string | undefined => {
      if (s.state === 'failed') return `dependency ${dep} failed${s.message ? `: ${s.message}` : ''}`;
      if (s.state === 'exited') return `dependency ${dep} exited with code ${s.exitCode ?? '?'}`;
      if (s.state === 'unhealthy' && d.condition === 'service_healthy') return `dependency ${dep} is unhealthy`;
      if (s.state === 'stopped') return `dependency ${dep} stopped`;
      return undefined;
    };
    return this.waitForStatus(dep, ok, bad);
  }

  /** Wait until the service is healthy (with a healthcheck), running (without), or completed. */
  private settle(t: Tracked): Promise<void> {
    const hasHealthcheck = this.runtime.hasHealthcheck(t.spec);
    const limit = this.opts.settleRestartLimit ?? 3;
    const base = t.status.restartCount;
    return this.waitForStatus(
      t.spec.name,
      (s) => s.state === 'completed' || s.state === 'healthy' || (!hasHealthcheck && s.state === 'running'),
      (s) => {
        if (s.state === 'failed') return s.message ?? 'failed';
        if (s.state === 'exited') return `exited with code ${s.exitCode ?? '?'}`;
        if (s.state === 'unhealthy') return 'healthcheck failing';
        if (s.state === 'stopped') return 'stopped';
        if (s.restartCount - base >= limit) return `restarted ${s.restartCount - base} times while starting`;
        return undefined;
      },
    );
  }

  private waitForStatus(
    service: string,
    ok: (s: ServiceStatus) => boolean,
    bad: (s: ServiceStatus) => string | undefined,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (s: ServiceStatus): boolean => {
        if (ok(s)) {
          resolve();
          return true;
        }
        const why = bad(s);
        if (why) {
          reject(new RuntimeFailure('engine.service-failed', why, { service }));
          return true;
        }
        return false;
      };
      const current = this.tracked.get(service)?.status;
      if (current && check(current)) return;
      const sub = this.bus.subscribe((e) => {
        if (e.kind === 'status' && e.service === service && check(e.status)) sub.dispose();
      });
    });
  }

  private async doDown(project: ProjectSpec, volumes: boolean): Promise<void> {
    await this.connect();
    this.project = project;
    this.setPhase('stopping');
    // Nothing to sync into any more; the next `up` watches again.
    await this.sync.close();
    const observed = await this.runtime.observe(project.name);
    const byService = new Map<string, ObservedInstance[]>();
    for (const inst of observed) byService.set(inst.service, [...(byService.get(inst.service) ?? []), inst]);
    // Dependents first (reverse dependency order); services no longer in the config have no known
    // dependents and stop at once.
    const known = safeOrder(project).reverse();
    const names = [
      ...known.filter((n) => byService.has(n)),
      ...[...byService.keys()].filter((n) => !known.includes(n)),
    ];
    // A service stops once everything that depends on it has; unrelated services side by side.
    await runInOrder(
      names,
      (name) => (project.services[name] ? dependentsOf(project.services, name) : []),
      async (name) => {
        await Promise.all(
          (byService.get(name) ?? []).map((inst) => this.removeInstance(inst.id, name, 'down', { keepStatus: true })),
        );
        const t = this.tracked.get(name);
        if (t)
          this.setStatus(t, {
            state: 'stopped',
            health: 'none',
            instanceId: undefined,
            ports: [],
            debug: undefined,
            debugAbsent: undefined,
            message: undefined,
          });
      },
    );
    await this.runtime.removeProjectResources(project, { volumes });
    this.setPhase('stopped');
  }

  private async doRestart(service: string): Promise<void> {
    const project = this.requireProject();
    this.requireService(project, service);
    const t = this.tracked.get(service);
    if (!t?.instanceId) {
      throw new UserError({
        code: 'engine.not-running',
        message: `service ${service} has no instance to restart`,
        hint: `run \`devenv up ${service}\` first`,
      });
    }
    await this.restartInstance(t, 'restart requested');
    const followers = dependentsOf(project.services, service).filter(
      (d) => project.services[d]?.dependsOn[service]?.restart && this.tracked.get(d)?.instanceId,
    );
    for (const d of followers) await this.restartInstance(this.tracked.get(d)!, `dependency ${service} restarted`);
  }

  private async restartInstance(t: Tracked, why: string): Promise<void> {
    this.log(t.spec.name, `restarting (${why})`);
    t.stopping = true;
    this.setStatus(t, { state: 'restarting', message: why });
    t.logs?.abort();
    await this.runtime.stop(t.instanceId!, t.spec.stopGracePeriodMs ?? 10_000);
    t.engineRestarts++;
    this.setStatus(t, { restartCount: t.engineRestarts + t.runtimeRestarts });
    await this.startInstance(t);
  }

  private async removeInstance(id: string, service: string, why: string, opts: { keepStatus?: boolean } = {}) {
    const t = this.tracked.get(service);
    if (t && t.instanceId === id) {
      t.stopping = true;
      t.logs?.abort();
      if (t.restartTimer) clearTimeout(t.restartTimer);
    }
    this.log(service, `removing ${shortId(id)} (${why})`);
    const grace = t?.spec.stopGracePeriodMs ?? 10_000;
    await this.runtime.stop(id, grace);
    await this.runtime.remove(id);
    if (t && t.instanceId === id) {
      t.instanceId = undefined;
      if (!opts.keepStatus) this.setStatus(t, { instanceId: undefined, state: 'pending', ports: [] });
    }
  }

  // ---- observation and supervision -------------------------------------------------------

  private startWatching(project: string): void {
    if (this.watching) return;
    this.watching = this.runtime.watch(project, (change) => {
      const t = this.tracked.get(change.service);
      if (!t || t.instanceId !== change.instanceId) return;
      void this.refresh(t, change.reason);
    });
  }

  /** Inspect the instance and fold the result into the status, dropping out-of-order answers. */
  private async refresh(t: Tracked, reason?: string): Promise<void> {
    const id = t.instanceId;
    if (!id) return;
    const seq = ++t.inspectSeq;
    let state: InstanceState;
    try {
      state = await this.runtime.inspect(id);
    } catch (err) {
      state = { status: 'missing', health: 'none', restartCount: 0, ports: [] };
      this.log(t.spec.name, `inspect failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (seq < t.appliedSeq || t.instanceId !== id) return;
    t.appliedSeq = seq;
    if (isStaleExit(state, t.lastStartAt)) return;
    this.applyInstanceState(t, state);
    if (state.status === 'running') this.followLogs(t);
    this.supervise(t, state, reason);
  }

  private applyInstanceState(t: Tracked, state: InstanceState): void {
    t.runtimeRestarts = state.restartCount;
    const patch: Partial<ServiceStatus> = {
      state: stateOf(state),
      health: state.health,
      ports: state.ports,
      restartCount: t.engineRestarts + t.runtimeRestarts,
      instanceId: t.instanceId,
      exitCode: state.exitCode,
      startedAt: state.startedAt,
      url: urlOf(t.spec, state, t.status.debug?.hostPort),
    };
    if ((state.status === 'exited' || state.status === 'dead') && t.stopping) {
      // The engine stopped it (stop, restart, down): that is `stopped`, whatever its exit code.
      patch.state = 'stopped';
    } else if (
      (state.status === 'exited' || state.status === 'dead') &&
      (t.restartTimer || this.willRestart(t, state))
    ) {
      // An engine restart is (about to be) scheduled: show that, not the exit that caused it.
      delete patch.state;
    }
    if (patch.state === 'running' || patch.state === 'healthy') {
      patch.message = undefined;
      if (t.syncPending) {
        patch.state = 'starting';
        patch.message = 'syncing files';
      }
    }
    if (state.status === 'exited' || state.status === 'dead' || state.status === 'missing')
      void this.sync.detach(t.spec.name);
    this.setStatus(t, patch);
  }

  private willRestart(t: Tracked, state: InstanceState): boolean {
    if (this.closed || t.stopping || !t.instanceId) return false;
    if (state.status !== 'exited' && state.status !== 'dead') return false;
    return shouldRestart(t.spec.restart, state.exitCode ?? 0, t.engineRestarts);
  }

  /** Apply the restart policy when an instance stopped on its own (crash, OOM, `docker kill`). */
  private supervise(t: Tracked, state: InstanceState, reason?: string): void {
    if (this.closed || t.stopping || !t.instanceId || t.restartTimer) return;
    if (state.status !== 'exited' && state.status !== 'dead') return;
    if (reason) this.log(t.spec.name, `exited with code ${state.exitCode ?? '?'}`);
    if (!this.willRestart(t, state)) return;
    const s = t.status;
    const ranFor = s.startedAt ? Date.now() - Date.parse(s.startedAt) : 0;
    t.crashes = ranFor > 10_000 ? 1 : t.crashes + 1;
    const delay = restartDelayMs(t.crashes);
    this.log(t.spec.name, `restart policy ${t.spec.restart.name}: restarting in ${delay} ms`);
    this.setStatus(t, { state: 'restarting', message: `restarting in ${delay} ms (policy ${t.spec.restart.name})` });
    t.restartTimer = setTimeout(() => {
      t.restartTimer = undefined;
      if (this.closed || t.stopping || !t.instanceId) return;
      t.engineRestarts++;
      this.setStatus(t, { restartCount: t.engineRestarts + t.runtimeRestarts });
      this.startInstance(t).catch((err) => {
        this.setStatus(t, { state: 'failed', message: `restart failed: ${err instanceof Error ? err.message : err}` });
      });
    }, delay);
  }

  /** Stream the instance's log lines onto the bus, from `sinceSec` (unix seconds) or its whole log. */
  private followLogs(t: Tracked, sinceSec?: number): void {
    if (t.logs && !t.logs.signal.aborted) return;
    const id = t.instanceId;
    if (!id) return;
    const controller = new AbortController();
    t.logs = controller;
    const since = sinceSec ?? t.logsSince;
    const service = t.spec.name;
    void (async () => {
      try {
        const lines = this.runtime.logs(
          id,
          since === undefined ? { follow: true } : { follow: true, since },
          controller.signal,
        );
        for await (const l of lines) {
          // A re-attached stream may repeat lines already shown: drop anything not newer.
          if (t.lastLogTs && l.ts <= t.lastLogTs) continue;
          t.lastLogTs = l.ts;
          this.emit({ kind: 'log', ts: l.ts, service, stream: l.stream, line: l.line });
        }
      } catch (err) {
        if (!controller.signal.aborted)
          this.log(service, `log stream ended: ${err instanceof Error ? err.message : err}`);
      } finally {
        if (t.logs === controller) t.logs = undefined;
      }
    })();
  }

  // ---- state helpers ---------------------------------------------------------------------

  private track(spec: ServiceSpec): Tracked {
    let t = this.tracked.get(spec.name);
    if (!t) {
      t = {
        spec,
        status: emptyStatus(spec.name),
        stopping: false,
        engineRestarts: 0,
        runtimeRestarts: 0,
        crashes: 0,
        inspectSeq: 0,
        appliedSeq: 0,
      };
      this.tracked.set(spec.name, t);
      this.emitStatus(t);
    }
    return t;
  }

  private setStatus(t: Tracked, patch: Partial<ServiceStatus>): void {
    const next: ServiceStatus = { ...t.status };
    for (const [k, v] of Object.entries(patch) as [keyof ServiceStatus, unknown][]) {
      if (v === undefined) delete next[k];
      else (next as unknown as Record<string, unknown>)[k] = v;
    }
    if (JSON.stringify(next) === JSON.stringify(t.status)) return;
    t.status = next;
    this.emitStatus(t);
    if (this.phase === 'running' || this.phase === 'degraded') this.setPhase(this.derivePhase());
  }

  private emitStatus(t: Tracked): void {
    this.emit({ kind: 'status', ts: now(), service: t.spec.name, status: { ...t.status } });
  }

  private setPhase(phase: ProjectPhase, message?: string): void {
    if (phase === this.phase) return;
    this.phase = phase;
    const event: EngineEvent = message
      ? { kind: 'project', ts: now(), phase, message }
      : { kind: 'project', ts: now(), phase };
    this.emit(event);
  }

  private derivePhase(): ProjectPhase {
    const states = [...this.tracked.values()].map((t) => t.status.state);
    if (states.length === 0) return 'idle';
    const bad: ServiceState[] = ['failed', 'exited', 'unhealthy', 'restarting'];
    if (states.every((s) => s === 'stopped' || s === 'pending')) return 'stopped';
    return states.some((s) => bad.includes(s)) ? 'degraded' : 'running';
  }

  /** Debug host ports from statuses (the process runtime publishes none to observe); `held` while running. */
  private debugPortsKnown(): Record<string, { port: number; held: boolean }> {
    const out: Record<string, { port: number; held: boolean }> = {};
    for (const [name, t] of this.tracked) {
      const running = ['starting', 'running', 'healthy', 'unhealthy'].includes(t.status.state);
      if (t.status.debug) out[name] = { port: t.status.debug.hostPort, held: running && t.instanceId !== undefined };
    }
    return out;
  }

  /**
   * After settling, the debugger must answer through its published port (a DAP `initialize`, or
   * the inspector's /json/version): a service that exits at once (debugpy missing) fails with
   * the fix; one that runs but whose debugger cannot be reached gets a warning in its log.
   */
  private async checkDebugger(t: Tracked): Promise<void> {
    const endpoint = t.status.debug;
    if (!endpoint || t.status.state === 'completed') return;
    const deadline = Date.now() + 20_000;
    let reason = 'not probed';
    while (Date.now() < deadline) {
      const probe = await probeDebugger(endpoint, 1_000);
      if (probe.ok) return;
      reason = probe.reason;
      if (!['starting', 'running', 'healthy', 'unhealthy'].includes(t.status.state)) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const problem = await this.debugProblem(t, reason);
    if (problem) throw new RuntimeFailure(problem.code, problem.message, { service: t.spec.name, hint: problem.hint });
    this.log(
      t.spec.name,
      `debugger: nothing answers on ${endpoint.hostIp}:${endpoint.hostPort} (${reason}); if the program starts its own debugger, it must listen on 0.0.0.0 inside the container`,
    );
  }

  /** A known debugger failure in the error or the instance's last log lines, if the service has a debugger. */
  private async debugProblem(t: Tracked, error: string) {
    const debug = t.status.debug;
    if (!debug) return undefined;
    const lines = [error];
    if (t.instanceId) {
      try {
        for await (const l of this.runtime.logs(t.instanceId, { follow: false, tail: 50 }, AbortSignal.timeout(5_000)))
          lines.push(l.line);
      } catch {
        // No log to read (the instance is gone): the error text alone decides.
      }
    }
    return diagnoseDebugFailure(t.spec.name, debug.type, lines, this.runtime.kind);
  }

  private log(service: string, line: string): void {
    this.emit({ kind: 'log', ts: now(), service, stream: 'system', line });
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

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

/**
 * An exit reported for a run that began before the engine's latest start of the instance: a
 * late notification about the previous run (after a restart), which must not count as a crash.
 */
function isStaleExit(state: InstanceState, lastStartAt: number | undefined): boolean {
  if (lastStartAt === undefined || (state.status !== 'exited' && state.status !== 'dead') || !state.startedAt)
    return false;
  return Date.parse(state.startedAt) < lastStartAt - 50;
}

function stateOf(s: InstanceState): ServiceState {
  switch (s.status) {
    case 'running':
      return s.health === 'healthy' ? 'healthy' : s.health === 'unhealthy' ? 'unhealthy' : 'running';
    case 'restarting':
      return 'restarting';
    case 'created':
      return 'starting';
    case 'exited':
    case 'dead':
      return s.exitCode === 0 ? 'completed' : 'exited';
    case 'missing':
      return 'stopped';
  }
}

function urlOf(spec: ServiceSpec, state: InstanceState, debugHostPort?: number): string | undefined {
  if (spec.devenv.url) return spec.devenv.url;
  const port = state.ports.find(
    (p) => p.protocol === 'tcp' && !nonHttpPorts.has(p.containerPort) && p.hostPort !== debugHostPort,
  );
  if (!port) return undefined;
  const host = port.hostIp === '0.0.0.0' || port.hostIp === '' ? '127.0.0.1' : port.hostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.hostPort}`;
}

function conditionWord(d: DependsOnSpec): string {
  return d.condition === 'service_healthy'
    ? 'healthy'
    : d.condition === 'service_completed_successfully'
      ? 'completed'
      : 'started';
}

function safeOrder(project: ProjectSpec): string[] {
  try {
    return topologicalOrder(project.services);
  } catch {
    return Object.keys(project.services);
  }
}

function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}
