// The executor: runs the planner's plans on the runtime. For `up`, every service of the plan
// proceeds on its own as soon as it can, independent services in parallel: its artifact, its
// instance spec and hash, its instance action (planInstances), its `depends_on` waits, the
// action, then settling (healthy, running, or completed) and the debugger check. A failure is
// the failing service's status and message, and its dependents fail with "dependency … failed".
// `down` removes dependents first; `stop` and `restart` follow their plans one service at a time.

import type { DebugPlan } from '../debug/index.js';
import { RuntimeFailure, UserError } from '../errors.js';
import { now } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { Artifact, ObservedInstance, Runtime } from '../runtime-interface/runtime.js';
import { errorMessage } from '../shared/error-text.js';
import { untilAborted } from '../shared/timing.js';
import { conditionWord, dependencyCondition, settledCondition } from './conditions.js';
import { checkDebugger, debugProblem } from './debugger-check.js';
import { runInOrder } from './dependency-graph.js';
import type { InstanceControl } from './instance-control.js';
import { instanceSpec } from './instance-spec.js';
import type { LogFollower } from './log-follower.js';
import {
  type DependencyWait,
  planDown,
  planInstances,
  planRestart,
  type Removal,
  stopOrder,
  type UpPlan,
} from './planner.js';
import { type Phase, type PhaseTimer, serviceSpan } from './span-recorder.js';
import type { ServiceRecord, StatusStore } from './status-store.js';
import type { SyncController } from './sync-controller.js';

export interface ExecutedUp {
  failed: { service: string; message: string }[];
  /** What `up` did per service: kept, started, created, recreated. */
  actions: Record<string, string>;
}

export interface ExecutorParts {
  runtime: Runtime;
  store: StatusStore;
  instances: InstanceControl;
  logs: LogFollower;
  sync: SyncController;
  /** A service restarting this many times before it settles has failed (default 3). */
  settleRestartLimit?: number;
}

/** Settles once: resolved when the service's instance runs, rejected when it failed first. */
interface StartedSignal {
  promise: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

export class Executor {
  private readonly runtime: Runtime;
  private readonly store: StatusStore;
  private readonly instances: InstanceControl;

  constructor(private readonly parts: ExecutorParts) {
    this.runtime = parts.runtime;
    this.store = parts.store;
    this.instances = parts.instances;
  }

  /** Remove instances of services no longer in the config (before anything starts). */
  async removeOrphans(orphans: readonly Removal[]): Promise<void> {
    await Promise.all(orphans.map((o) => this.instances.remove(o.instanceId, o.service, 'no longer in the config')));
  }

  /**
   * Run an `up` plan; resolves when every service settled or failed. Each service's phases are
   * spans under `trace`; once `signal` aborts, services still waiting fail as cancelled.
   */
  async up(
    project: ProjectSpec,
    plan: UpPlan,
    opts: {
      debugPlan: DebugPlan;
      forceBuild: string[];
      debugNow?: readonly string[];
      trace?: Phase;
      signal?: AbortSignal;
    },
  ): Promise<ExecutedUp> {
    const controller = new AbortController();
    opts.signal?.addEventListener('abort', () => controller.abort(), { once: true });
    const waiting = <T>(p: Promise<T>) => untilAborted(p, opts.signal, cancelled);
    const builds = this.runtime.prepareArtifacts(
      plan.order.map((n) => project.services[n]!),
      project,
      this.store.bus.emit,
      controller.signal,
      { force: opts.forceBuild },
    );
    const started = new Map(plan.order.map((name) => [name, startedSignal()]));
    const actions: Record<string, string> = {};
    const failed: ExecutedUp['failed'] = [];

    await Promise.all(
      plan.order.map(async (name) => {
        const rec = this.store.get(name)!;
        const span = serviceSpan(opts.trace, name);
        try {
          const step = plan.services[name]!;
          actions[name] = await this.upService(
            rec,
            project,
            builds[name]!,
            step.observed,
            step.waits,
            started,
            opts.debugPlan,
            span,
            waiting,
          );
          // Debugged on request: ready once its debugger answers (a one-shot job waits for the client).
          if (!opts.debugNow?.includes(name)) {
            const settling = span.begin('healthy');
            await waiting(this.settle(rec)).catch((err: unknown) => {
              settling.fail(err);
              throw err;
            });
            settling.end('ok', undefined, { reached: rec.status.state });
          }
          if (rec.status.debug && rec.status.state !== 'completed')
            await span.time('debugger', () =>
              waiting(checkDebugger(rec, this.parts.logs, (s, l) => this.store.log(s, l), this.runtime.kind)),
            );
          span.end('ok', undefined, { action: actions[name]! });
        } catch (err) {
          const message = await this.failureMessage(rec, err);
          started.get(name)!.reject(err);
          failed.push({ service: name, message });
          this.reportFailure(rec, err, message);
          span.end(isCancelled(err) ? 'cancelled' : 'failed', message, actions[name] ? { action: actions[name] } : {});
        }
      }),
    );
    controller.abort();
    return { failed, actions };
  }

  /** `down`: every instance of the project removed, dependents first, unrelated services side by side. */
  async down(project: ProjectSpec, observed: readonly ObservedInstance[]): Promise<void> {
    const plan = planDown(project, observed);
    await runInOrder(plan.order, plan.waitFor, async (name) => {
      await Promise.all(
        (plan.instances.get(name) ?? []).map((inst) =>
          this.instances.remove(inst.id, name, 'down', { keepStatus: true }),
        ),
      );
      const rec = this.store.get(name);
      if (rec)
        this.store.set(rec, {
          state: 'stopped',
          health: 'none',
          instanceId: undefined,
          ports: [],
          debug: undefined,
          debugAbsent: undefined,
          message: undefined,
        });
    });
  }

  /** `stop`: every instance stopped, dependents first, one service at a time; nothing removed. */
  async stop(project: ProjectSpec, observed: readonly ObservedInstance[]): Promise<void> {
    for (const name of stopOrder(project)) {
      const grace = project.services[name]?.stopGracePeriodMs ?? 10_000;
      const ids = observed.filter((o) => o.service === name).map((o) => o.id);
      await this.instances.stop(name, ids, grace);
    }
  }

  /** `restart service`: the service, then the dependents that asked for it with `restart: true`. */
  async restart(project: ProjectSpec, service: string): Promise<void> {
    const rec = this.store.get(service);
    if (!rec?.instanceId) {
      throw new UserError({
        code: 'engine.not-running',
        message: `service ${service} has no instance to restart`,
        hint: `run \`devenv up ${service}\` first`,
      });
    }
    const [, ...followers] = planRestart(project, service, (d) => this.store.get(d)?.instanceId !== undefined);
    await this.instances.restart(rec, 'restart requested');
    for (const d of followers) await this.instances.restart(this.store.get(d)!, `dependency ${service} restarted`);
  }

  private async upService(
    rec: ServiceRecord,
    project: ProjectSpec,
    build: Promise<Artifact | undefined>,
    observed: ObservedInstance[],
    waits: DependencyWait[],
    started: Map<string, StartedSignal>,
    debugPlan: DebugPlan,
    span: PhaseTimer,
    waiting: <T>(p: Promise<T>) => Promise<T>,
  ): Promise<string> {
    const name = rec.spec.name;
    if (rec.spec.build) this.store.set(rec, { state: 'building', message: 'building image' });
    // The process runtime has no image to build or pull: no phase to show.
    const artifact =
      this.runtime.kind === 'process' ? await build : await span.time(rec.spec.build ? 'build' : 'pull', () => build);
    const prepared = await instanceSpec(rec.spec, { runtime: this.runtime, project, artifact, debugPlan });
    rec.spec = prepared.spec;
    for (const note of prepared.notes) this.store.log(name, note);
    this.store.set(rec, { debug: prepared.debug, debugAbsent: prepared.debugAbsent });
    if (prepared.debugAbsent?.kind === 'unavailable') {
      // Said once, as a warning with the fix; the status keeps it (DEBUG column, debug-info).
      const { reason, fix } = prepared.debugAbsent;
      this.store.bus.emit({
        kind: 'diagnostic',
        ts: now(),
        severity: 'warning',
        code: 'debug.unavailable',
        service: name,
        message: `${name}: runs without a debugger: ${reason}`,
        hint: fix,
      });
    }
    const { hash } = prepared;
    const plan = planInstances({ [name]: hash }, observed, { configuredServices: [name], removeOrphans: false });
    for (const dup of plan.remove) await this.instances.remove(dup.instanceId, name, 'duplicate instance');
    const action = plan.services[name]!;

    await this.waitForDependencies(rec, waits, started, span, waiting);

    // Dependents waiting for `service_started` may go once the instance runs: they need not
    // wait for its first sync (Compose's meaning; the instance's own health still waits for it).
    const markStarted = () => started.get(name)!.resolve();
    let verb: string;
    switch (action.kind) {
      case 'keep':
        verb = 'kept';
        await this.instances.keep(rec, action.instanceId, hash);
        markStarted();
        // Files may have changed while no daemon watched (a daemon restart): reconcile.
        if (!this.parts.sync.linked(name)) await this.instances.attachSync(rec, true, span);
        break;
      case 'start':
        verb = 'started';
        rec.instanceId = action.instanceId;
        rec.status.specHash = hash;
        await this.instances.start(rec, markStarted, span);
        break;
      case 'recreate':
        verb = 'recreated';
        await span.time('remove', () => this.instances.remove(action.instanceId, name, 'its spec changed'));
        await this.instances.createAndStart(rec, project, hash, artifact, markStarted, span);
        break;
      case 'create':
        verb = 'created';
        await this.instances.createAndStart(rec, project, hash, artifact, markStarted, span);
        break;
    }
    markStarted();
    return verb;
  }

  private async waitForDependencies(
    rec: ServiceRecord,
    waits: DependencyWait[],
    started: Map<string, StartedSignal>,
    span: PhaseTimer,
    waiting: <T>(p: Promise<T>) => Promise<T>,
  ): Promise<void> {
    if (waits.length === 0) return;
    const deps = rec.spec.dependsOn;
    this.store.set(rec, {
      state: 'waiting',
      message: `waiting for ${waits.map((w) => `${w.service} (${conditionWord(deps[w.service]!)})`).join(', ')}`,
    });
    const wait = (w: DependencyWait, fn: () => Promise<void>) =>
      span.time('wait', () => waiting(fn()), {
        key: `wait:${w.service}`,
        attrs: { dependency: w.service, condition: conditionWord(deps[w.service]!) },
      });
    await Promise.all(
      waits.map((w) =>
        wait(w, async () => {
          if (!w.inPlan) {
            // Not part of this `up`: only a service the engine already knows can satisfy it.
            if (!this.store.get(w.service))
              throw new RuntimeFailure('engine.dependency-missing', `dependency ${w.service} is not running`);
          } else {
            await started.get(w.service)!.promise.catch(() => {
              throw new RuntimeFailure('engine.dependency-failed', `dependency ${w.service} failed to start`);
            });
          }
          const depSpec = this.store.get(w.service)?.spec;
          const condition = dependencyCondition(w.service, deps[w.service]!, {
            healthKnown: depSpec ? this.runtime.hasHealthcheck(depSpec) : true,
            syncPending: () => this.store.get(w.service)?.syncPending === true,
          });
          await this.store.waitFor(w.service, condition.ok, condition.bad);
        }),
      ),
    );
  }

  /** Wait until the service is healthy (with a healthcheck), running (without), or completed. */
  private settle(rec: ServiceRecord): Promise<void> {
    const condition = settledCondition({
      hasHealthcheck: this.runtime.hasHealthcheck(rec.spec),
      restartLimit: this.parts.settleRestartLimit ?? 3,
      baseRestarts: rec.status.restartCount,
    });
    return this.store.waitFor(rec.spec.name, condition.ok, condition.bad);
  }

  /** Why the service failed; under its debugger, what to fix (debugpy missing from the image…). */
  private async failureMessage(rec: ServiceRecord, err: unknown): Promise<string> {
    const message = errorMessage(err);
    const problem = await debugProblem(rec, message, this.parts.logs, this.runtime.kind);
    return problem ? `${problem.message}; ${problem.hint}` : message;
  }

  /** A service's failure in `up`: its status, its log, a diagnostic for a runtime's own failure. */
  private reportFailure(rec: ServiceRecord, err: unknown, message: string): void {
    const name = rec.spec.name;
    if (err instanceof RuntimeFailure && err.code !== 'engine.dependency-failed' && !isCancelled(err)) {
      this.store.bus.emit({
        kind: 'diagnostic',
        ts: now(),
        severity: 'error',
        code: err.code,
        message: `${name}: ${message}`,
        service: name,
        ...(err.hint ? { hint: err.hint } : {}),
      });
    }
    const ended = rec.status.state === 'exited' || rec.status.state === 'killed';
    this.store.set(rec, { state: ended ? rec.status.state : 'failed', message });
    this.store.log(name, `failed: ${message}`);
  }
}

/** Why a service stopped waiting when `down` or `stop` cancelled the `up`. */
function cancelled(): RuntimeFailure {
  return new RuntimeFailure('engine.up-cancelled', 'up cancelled: the environment is being stopped');
}

function isCancelled(err: unknown): boolean {
  return err instanceof RuntimeFailure && err.code === 'engine.up-cancelled';
}

function startedSignal(): StartedSignal {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
