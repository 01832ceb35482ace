// An in-memory Runtime beside the interface it fakes (as Tilt keeps FakeExecer beside Execer),
// for unit tests of the engine, the sync controller and the daemon. It records every call and
// lets a test script what happens: what a start does (run, run with a healthcheck, exit at
// once), later exits (by themselves, OOM, a signal from outside) and health changes, build
// results, a call that fails, inspect answers that arrive late, the change notifications a real
// runtime sends on its own, its engine going away and coming back, an instance removed from
// outside, and a sync link that breaks. No Docker, no processes, no network; time comes from the
// Clock the test steps.

import type { EventSink } from '../model/events.js';
import type { ProjectSpec, RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { Health, PublishedPort } from '../model/status.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { FakeTransport } from '../sync/fake-transport.js';
import type { SyncSession } from '../sync/session.js';
import type {
  Artifact,
  CreateContext,
  Disposable,
  ExecResult,
  InstanceState,
  LogLine,
  ObservedInstance,
  Runtime,
  RuntimeChange,
  RuntimeInfo,
  SyncLink,
} from './runtime.js';

export type FakeMethod =
  | 'connect'
  | 'ping'
  | 'observe'
  | 'ensureProjectResources'
  | 'prepareArtifacts'
  | 'create'
  | 'start'
  | 'stop'
  | 'remove'
  | 'inspect'
  | 'logs'
  | 'watch'
  | 'attachSync'
  | 'exec'
  | 'removeProjectResources'
  | 'close';

export interface FakeCall {
  method: FakeMethod;
  service?: string;
  instanceId?: string;
  /** For `removeProjectResources`: whether volumes went too; for `prepareArtifacts`: forced builds. */
  detail?: unknown;
}

export interface FakeInstance {
  id: string;
  project: string;
  service: string;
  specHash: string;
  /** The spec the engine created it from (after debugger injection). */
  spec?: ServiceSpec;
  state: InstanceState;
  logs: LogLine[];
}

/** What one start of a service's instance does. */
export type StartOutcome = { status: 'running'; health?: Health } | { status: 'exited'; exitCode: number };

/** What a service's build gives: an artifact, a failure, or one that waits for `gate`. */
export interface BuildScript {
  artifact?: Artifact;
  error?: Error;
  gate?: Promise<void>;
}

export interface FakeRuntimeOptions {
  kind?: RuntimeKind;
  clock?: Clock;
  /** false: no attachSync or exec, like the process runtime where files are already in place. */
  copiesFiles?: boolean;
}

interface Failure {
  method: FakeMethod;
  service: string | undefined;
  error: Error;
  times: number;
}

export class FakeRuntime implements Runtime {
  readonly kind: RuntimeKind;
  readonly clock: Clock;
  readonly calls: FakeCall[] = [];
  readonly instances = new Map<string, FakeInstance>();
  /** Per service, the transports attachSync gave its sessions (newest last). */
  readonly transports = new Map<string, FakeTransport[]>();
  readonly attachSync?: Runtime['attachSync'];
  readonly exec?: Runtime['exec'];
  /** While set, attachSync waits for it (a sync that takes its time to reconcile). */
  syncGate: Promise<void> | undefined;
  /** Answer of exec, per service. */
  readonly execResults = new Map<string, ExecResult>();

  private readonly watchers = new Set<(change: RuntimeChange) => void>();
  private readonly startOutcomes = new Map<string, StartOutcome[]>();
  private readonly builds = new Map<string, BuildScript>();
  private readonly failures: Failure[] = [];
  private readonly callWaiters: { match: (c: FakeCall) => boolean; resolve: () => void }[] = [];
  private readonly logWaiters = new Set<() => void>();
  private inspectGate: (() => Promise<void>) | undefined;
  private nextId = 1;
  /** While set, every call fails as a call to an engine that is gone does (see engineStops). */
  private away: Error | undefined;
  /** Per service, the break of its newest sync link (see breakSync). */
  private readonly linkBreakers = new Map<string, (reason: string) => void>();

  constructor(opts: FakeRuntimeOptions = {}) {
    this.kind = opts.kind ?? 'docker';
    this.clock = opts.clock ?? systemClock;
    if (opts.copiesFiles !== false) {
      this.attachSync = (id, service, sessions, o) => this.attachSessions(id, service, sessions, o);
      this.exec = async (id) => {
        const service = this.record('exec', id);
        return this.execResults.get(service ?? '') ?? { exitCode: 0, output: '' };
      };
    }
  }

  // ---- scripting -------------------------------------------------------------------------

  /** The next starts of `service` do these, in order; after the last, a start runs normally. */
  onStart(service: string, ...outcomes: StartOutcome[]): this {
    this.startOutcomes.set(service, [...(this.startOutcomes.get(service) ?? []), ...outcomes]);
    return this;
  }

  onBuild(service: string, script: BuildScript): this {
    this.builds.set(service, script);
    return this;
  }

  /** The next `times` calls of `method` (for `service`, when given) throw `error`. */
  failOn(method: FakeMethod, error: Error, opts: { service?: string; times?: number } = {}): this {
    this.failures.push({ method, service: opts.service, error, times: opts.times ?? 1 });
    return this;
  }

  /** Every inspect answer is taken at once but handed back only after `gate()` resolves. */
  holdInspections(gate: (() => Promise<void>) | undefined): void {
    this.inspectGate = gate;
  }

  /** An instance the runtime already holds (a previous `up`, a crash's leftover). */
  seed(
    project: string,
    service: string,
    opts: { specHash: string; status?: InstanceState['status']; exitCode?: number; health?: Health },
  ): string {
    const id = `${service}-${this.nextId++}`;
    const status = opts.status ?? 'running';
    this.instances.set(id, {
      id,
      project,
      service,
      specHash: opts.specHash,
      logs: [],
      state: {
        status,
        health: opts.health ?? 'none',
        restartCount: 0,
        ports: [],
        startedAt: new Date(this.clock.now()).toISOString(),
        ...(opts.exitCode === undefined ? {} : { exitCode: opts.exitCode }),
      },
    });
    return id;
  }

  /** The service's newest instance. */
  instanceOf(service: string): FakeInstance | undefined {
    return [...this.instances.values()].filter((i) => i.service === service).at(-1);
  }

  /**
   * The instance ends (a crash; with `oomKilled` the OOM killer; with `signalled` a signal sent
   * from outside, as `docker stop` or `docker kill`); the runtime says so unless told not to.
   */
  exit(
    service: string,
    exitCode: number,
    opts: { notify?: boolean; oomKilled?: boolean; signalled?: string } = {},
  ): void {
    const inst = this.require(service);
    inst.state = {
      ...inst.state,
      status: 'exited',
      exitCode,
      health: 'none',
      finishedAt: new Date(this.clock.now()).toISOString(),
      ...(opts.oomKilled ? { oomKilled: true } : {}),
      ...(opts.signalled ? { signalled: opts.signalled } : {}),
    };
    if (opts.notify !== false) this.notify(inst.id, `die (exit ${exitCode})`);
  }

  /**
   * The runtime's engine goes away (a Docker daemon restart): every running instance ends with
   * `exitCodes[service]` (default 0: a server that shut down cleanly on SIGTERM), no notification
   * arrives (the event stream went with it), and every call fails until `engineStarts`.
   */
  engineStops(exitCodes: Record<string, number> = {}): void {
    const finishedAt = new Date(this.clock.now()).toISOString();
    for (const inst of this.instances.values()) {
      if (inst.state.status !== 'running') continue;
      const { signalled: _s, oomKilled: _o, ...rest } = inst.state;
      inst.state = { ...rest, status: 'exited', health: 'none', exitCode: exitCodes[inst.service] ?? 0, finishedAt };
    }
    this.away = new Error('connect ENOENT /var/run/docker.sock');
    for (const breakLink of [...this.linkBreakers.values()]) breakLink('exec stream ended');
  }

  /** The engine answers again; what it holds is as it was left. */
  engineStarts(): void {
    this.away = undefined;
  }

  /** The instance is removed from outside devenv (`docker rm -f`); the runtime says so. */
  removeOutside(service: string): void {
    const inst = this.require(service);
    this.instances.delete(inst.id);
    this.linkBreakers.get(service)?.('exec stream ended');
    this.notify(inst.id, 'destroy', service);
  }

  /** The service's sync link breaks by itself (the agent killed inside a running instance). */
  breakSync(service: string, reason = 'exec stream ended'): void {
    const breakLink = this.linkBreakers.get(service);
    if (!breakLink) throw new Error(`${service} has no sync link to break`);
    breakLink(reason);
  }

  setHealth(service: string, health: Health): void {
    const inst = this.require(service);
    inst.state = { ...inst.state, health };
    this.notify(inst.id, `health_status: ${health}`);
  }

  /** A line the instance prints. */
  print(service: string, line: string, stream: LogLine['stream'] = 'stdout'): void {
    this.require(service).logs.push({ stream, line, ts: new Date(this.clock.now()).toISOString() });
    for (const wake of [...this.logWaiters]) wake();
  }

  /** Send a change notification, as the runtime's event stream would. */
  notify(instanceId: string, reason: string, service?: string): void {
    const inst = this.instances.get(instanceId);
    const change = { instanceId, service: service ?? inst?.service ?? '', reason };
    for (const fn of [...this.watchers]) fn(change);
  }

  calledWith(method: FakeMethod, service?: string): FakeCall[] {
    return this.calls.filter((c) => c.method === method && (service === undefined || c.service === service));
  }

  /** Resolves once a call of `method` (for `service`) is made, counting calls already made. */
  waitForCall(method: FakeMethod, service?: string, nth = 1): Promise<void> {
    const match = (c: FakeCall) => c.method === method && (service === undefined || c.service === service);
    if (this.calls.filter(match).length >= nth) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        match: () => this.calls.filter(match).length >= nth,
        resolve,
      };
      this.callWaiters.push(waiter);
    });
  }

  // ---- Runtime ---------------------------------------------------------------------------

  async connect(): Promise<RuntimeInfo> {
    this.record('connect');
    return { kind: this.kind, detail: 'fake runtime' };
  }

  async ping(): Promise<void> {
    this.record('ping');
  }

  hasHealthcheck(service: ServiceSpec): boolean {
    return service.healthcheck !== undefined && service.healthcheck.test[0] !== 'NONE';
  }

  hashInput(service: ServiceSpec, _project: ProjectSpec, artifact?: Artifact): unknown {
    const { source: _source, ...rest } = service;
    return { ...rest, image: artifact?.id ?? service.image };
  }

  async observe(project: string): Promise<ObservedInstance[]> {
    this.record('observe');
    return [...this.instances.values()]
      .filter((i) => i.project === project)
      .map((i) => ({ id: i.id, service: i.service, specHash: i.specHash, state: copyState(i.state) }));
  }

  async ensureProjectResources(_project: ProjectSpec, _sink: EventSink): Promise<void> {
    this.record('ensureProjectResources');
  }

  prepareArtifacts(
    services: ServiceSpec[],
    project: ProjectSpec,
    _sink: EventSink,
    signal: AbortSignal,
    opts: { force: string[] },
  ): Record<string, Promise<Artifact | undefined>> {
    this.calls.push({
      method: 'prepareArtifacts',
      detail: { services: services.map((s) => s.name), force: opts.force },
    });
    this.wakeCallWaiters();
    const out: Record<string, Promise<Artifact | undefined>> = {};
    for (const s of services) {
      const script = this.builds.get(s.name) ?? {};
      out[s.name] = (async () => {
        if (script.gate) await script.gate;
        if (signal.aborted) throw new Error('build cancelled');
        if (script.error) throw script.error;
        return script.artifact ?? { ref: s.image ?? `${project.name}-${s.name}`, id: `sha256:${s.image ?? s.name}` };
      })();
      out[s.name]!.catch(() => undefined);
    }
    return out;
  }

  async create(service: ServiceSpec, ctx: CreateContext): Promise<string> {
    this.record('create', undefined, service.name);
    const id = `${service.name}-${this.nextId++}`;
    const ports: PublishedPort[] = service.ports.map((p, i) => ({
      hostIp: p.hostIp,
      hostPort: p.published ?? 40_000 + this.nextId * 10 + i,
      containerPort: p.target,
      protocol: p.protocol,
    }));
    this.instances.set(id, {
      id,
      project: ctx.project.name,
      service: service.name,
      specHash: ctx.specHash,
      spec: service,
      logs: [],
      state: { status: 'created', health: 'none', restartCount: 0, ports },
    });
    return id;
  }

  async start(instanceId: string): Promise<void> {
    const service = this.record('start', instanceId);
    const inst = this.instances.get(instanceId);
    if (!inst || !service) throw new Error(`no such instance: ${instanceId}`);
    const outcome = this.startOutcomes.get(service)?.shift() ?? { status: 'running' };
    const startedAt = new Date(this.clock.now()).toISOString();
    const health: Health = inst.spec && this.hasHealthcheck(inst.spec) ? 'starting' : 'none';
    const { exitCode: _previous, ...state } = inst.state;
    inst.state =
      outcome.status === 'running'
        ? { ...state, status: 'running', health: outcome.health ?? health, startedAt }
        : { ...state, status: 'exited', health: 'none', exitCode: outcome.exitCode, startedAt };
    // As Docker's event stream does: `start`, and `die` for a run that ended at once.
    queueMicrotask(() => this.notify(instanceId, outcome.status === 'running' ? 'start' : 'die'));
  }

  async stop(instanceId: string, _timeoutMs: number): Promise<void> {
    this.record('stop', instanceId);
    const inst = this.instances.get(instanceId);
    if (inst?.state.status !== 'running') return;
    inst.state = { ...inst.state, status: 'exited', health: 'none', exitCode: 0 };
    // As with a container: the sync link's exec ends with the instance.
    this.linkBreakers.get(inst.service)?.('exec stream ended');
    queueMicrotask(() => this.notify(instanceId, 'die (exit 0)'));
  }

  async remove(instanceId: string): Promise<void> {
    this.record('remove', instanceId);
    this.instances.delete(instanceId);
  }

  async inspect(instanceId: string): Promise<InstanceState> {
    this.record('inspect', instanceId);
    const inst = this.instances.get(instanceId);
    const answer = inst
      ? copyState(inst.state)
      : { status: 'missing' as const, health: 'none' as const, restartCount: 0, ports: [] };
    if (this.inspectGate) await this.inspectGate();
    return answer;
  }

  async *logs(
    instanceId: string,
    opts: { follow: boolean; tail?: number; since?: number },
    signal: AbortSignal,
  ): AsyncIterable<LogLine> {
    this.record('logs', instanceId);
    const inst = this.instances.get(instanceId);
    if (!inst) return;
    const since = opts.since === undefined ? undefined : new Date(opts.since * 1000).toISOString();
    let lines = inst.logs.filter((l) => since === undefined || l.ts >= since);
    if (opts.tail !== undefined) lines = lines.slice(-opts.tail);
    let sent = inst.logs.length;
    for (const l of lines) yield l;
    while (opts.follow && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          this.logWaiters.delete(wake);
          signal.removeEventListener('abort', wake);
          resolve();
        };
        this.logWaiters.add(wake);
        signal.addEventListener('abort', wake);
      });
      for (const l of inst.logs.slice(sent)) if (!signal.aborted) yield l;
      sent = inst.logs.length;
    }
  }

  watch(_project: string, onChange: (change: RuntimeChange) => void): Disposable {
    this.record('watch');
    this.watchers.add(onChange);
    return { dispose: () => this.watchers.delete(onChange) };
  }

  async removeProjectResources(_project: ProjectSpec, opts: { volumes: boolean }): Promise<void> {
    this.calls.push({ method: 'removeProjectResources', detail: { volumes: opts.volumes } });
    this.wakeCallWaiters();
  }

  async close(): Promise<void> {
    this.record('close');
    this.watchers.clear();
  }

  // ---- internals -------------------------------------------------------------------------

  private async attachSessions(
    instanceId: string,
    service: string,
    sessions: readonly SyncSession[],
    opts: { reconcile: boolean },
  ): Promise<SyncLink> {
    this.record('attachSync', instanceId, service);
    if (this.syncGate) await this.syncGate;
    const transports = sessions.map((s) => new FakeTransport(s.rule.target ?? '/'));
    this.transports.set(service, [...(this.transports.get(service) ?? []), ...transports]);
    for (const [i, session] of sessions.entries())
      await session.attach(transports[i]!, opts.reconcile ? { reconcile: true } : {});
    const onBreak: ((reason: string) => void)[] = [];
    let closed = false;
    const breakLink = (reason: string) => {
      if (closed) return;
      closed = true;
      for (const t of transports) t.closed = true;
      for (const cb of onBreak.splice(0)) cb(reason);
    };
    this.linkBreakers.set(service, breakLink);
    return {
      close: async () => {
        closed = true;
        if (this.linkBreakers.get(service) === breakLink) this.linkBreakers.delete(service);
        for (const session of sessions) session.detach();
        for (const t of transports) t.closed = true;
      },
      onClosed: (cb) => {
        onBreak.push(cb);
      },
    };
  }

  /** Records a call (and throws a scripted failure for it); returns the instance's service. */
  private record(method: FakeMethod, instanceId?: string, serviceName?: string): string | undefined {
    const service = serviceName ?? (instanceId ? this.instances.get(instanceId)?.service : undefined);
    this.calls.push({
      method,
      ...(service === undefined ? {} : { service }),
      ...(instanceId === undefined ? {} : { instanceId }),
    });
    this.wakeCallWaiters();
    if (this.away && method !== 'close') throw this.away;
    const failure = this.failures.find(
      (f) => f.method === method && f.times > 0 && (f.service === undefined || f.service === service),
    );
    if (failure) {
      failure.times--;
      throw failure.error;
    }
    return service;
  }

  private wakeCallWaiters(): void {
    for (const w of [...this.callWaiters]) {
      if (!w.match(this.calls.at(-1)!)) continue;
      this.callWaiters.splice(this.callWaiters.indexOf(w), 1);
      w.resolve();
    }
  }

  private require(service: string): FakeInstance {
    const inst = this.instanceOf(service);
    if (!inst) throw new Error(`the fake runtime holds no instance of ${service}`);
    return inst;
  }
}

function copyState(state: InstanceState): InstanceState {
  return { ...state, ports: state.ports.map((p) => ({ ...p })) };
}
