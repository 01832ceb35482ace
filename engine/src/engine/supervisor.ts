// The supervisor: between operations, the runtime's change notifications make it inspect the
// instance and fold the answer into the service's status, and an instance that stopped on its
// own is restarted by its restart policy with exponential backoff. The engine does this for every
// runtime: Docker ignores its own policy after `docker kill`, and local processes have no other
// supervisor.
//
// How a run ended (stopped, killed, completed, exited) is decided in exit-classification.ts: an
// exit devenv, `docker stop` or the engine's own restart caused is never a crash, and a policy
// never restarts it (the engine's return brings the environment back as a whole, see
// runtime-recovery.ts). An instance removed from outside (`docker rm -f`) is reported to the
// engine, which recreates it while the last `up` still stands.
//
// Two kinds of old news are dropped: an inspect answer older than one already applied (answers
// are applied in request order), and an exit of a run that began before the engine's latest
// start of the instance (a late notification about the previous run is not a crash).

import type { ServiceSpec } from '../model/spec.js';
import type { ServiceState, ServiceStatus } from '../model/status.js';
import type { Disposable, InstanceState, Runtime } from '../runtime-interface/runtime.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/error-text.js';
import { type ClassifiedExit, classifyExit, type ExitContext } from './exit-classification.js';
import { restartDelayMs, shouldRestart } from './restart-rules.js';
import type { ServiceRecord, StatusStore } from './status-store.js';

export interface SupervisorHooks {
  /** Start the service's instance again (the policy's restart). */
  restart(rec: ServiceRecord): Promise<void>;
  /** An inspection found the instance running: follow its log. */
  running(rec: ServiceRecord): void;
  /** The instance exited or is gone: its sync link went with it. */
  gone(rec: ServiceRecord): void;
  /** The instance was removed by something other than devenv (`docker rm -f`). */
  vanished?(rec: ServiceRecord): void;
  /** An inspection failed: the runtime may be unreachable (the health watch looks at once). */
  unreachable?(err: unknown): void;
  /** The runtime's engine's last absence, if any: runs that ended in it were ended by it. */
  outage?(): ExitContext['outage'];
}

interface Run {
  /** Consecutive quick crashes, for backoff. */
  crashes: number;
  /** Cancels the pending policy restart. */
  cancelRestart?: () => void;
  /** When the engine last started this instance (ms): an exit of an earlier run is old news. */
  lastStartAt?: number;
  /** Orders inspections: a result older than one already applied is dropped. */
  inspectSeq: number;
  appliedSeq: number;
}

/** A run shorter than this that crashes counts towards the backoff; a longer one starts it over. */
const quickCrashMs = 10_000;

const nonHttpPorts = new Set([5432, 6379, 3306, 27017, 5672, 9092, 11211, 2181, 9200, 1433, 1521]);

export class Supervisor {
  private readonly runs = new Map<string, Run>();
  private watching: Disposable | undefined;
  private closed = false;

  constructor(
    private readonly runtime: Runtime,
    private readonly store: StatusStore,
    private readonly clock: Clock,
    private readonly hooks: SupervisorHooks,
  ) {}

  /** Follow the runtime's change notifications for the project (once). */
  watch(project: string): void {
    if (this.watching) return;
    this.watching = this.runtime.watch(project, (change) => {
      const rec = this.store.get(change.service);
      if (!rec || rec.instanceId !== change.instanceId) return;
      void this.refresh(rec, change.reason);
    });
  }

  /** Inspect the instance and fold the result into the status, dropping out-of-order answers. */
  async refresh(rec: ServiceRecord, reason?: string): Promise<void> {
    const id = rec.instanceId;
    if (!id) return;
    const run = this.run(rec);
    const seq = ++run.inspectSeq;
    let state: InstanceState;
    try {
      state = await this.runtime.inspect(id);
    } catch (err) {
      // Not an answer about the instance: the runtime itself may be away (its health watch
      // says so). The status stays what it was last known to be.
      this.store.log(rec.spec.name, `inspect failed: ${errorMessage(err)}`);
      this.hooks.unreachable?.(err);
      return;
    }
    if (seq < run.appliedSeq || rec.instanceId !== id) return;
    run.appliedSeq = seq;
    if (isStaleExit(state, run.lastStartAt)) return;
    this.apply(rec, state);
    if (state.status === 'running') this.hooks.running(rec);
    this.supervise(rec, state, reason);
  }

  /** Fold an instance state into the service's status. */
  apply(rec: ServiceRecord, state: InstanceState): void {
    rec.runtimeRestarts = state.restartCount;
    const exited = state.status === 'exited' || state.status === 'dead';
    const patch: Partial<ServiceStatus> = {
      state: stateOf(state),
      health: state.health,
      ports: state.ports,
      restartCount: rec.engineRestarts + rec.runtimeRestarts,
      instanceId: rec.instanceId,
      exitCode: state.exitCode,
      exit: undefined,
      startedAt: state.startedAt,
      url: urlOf(rec.spec, state, rec.status.debug?.hostPort),
    };
    if (exited) {
      const ended = this.classify(rec, state);
      patch.state = ended.state;
      patch.exit = ended.exit;
      if (ended.message) patch.message = ended.message;
      // A restart is (about to be) scheduled: show that, not the exit that caused it.
      if (!rec.stopping && (this.run(rec).cancelRestart || this.willRestart(rec, ended))) {
        delete patch.state;
        delete patch.message;
      }
    } else if (state.status === 'missing' && !rec.stopping) {
      patch.message = 'its instance was removed from outside devenv';
    }
    if (patch.state === 'running' || patch.state === 'healthy') {
      patch.message = undefined;
      if (rec.syncPending) {
        patch.state = 'starting';
        patch.message = 'syncing files';
      }
    }
    if (exited || state.status === 'missing') this.hooks.gone(rec);
    this.store.set(rec, patch);
  }

  /** The engine starts the instance now: an exit of any earlier run is old news from here on. */
  started(rec: ServiceRecord): void {
    this.run(rec).lastStartAt = this.clock.now();
  }

  /** A new instance: no crash history. */
  created(rec: ServiceRecord): void {
    this.run(rec).crashes = 0;
  }

  /** Drop a pending policy restart (the engine stops, replaces or removes the instance). */
  cancelRestart(rec: ServiceRecord): void {
    const run = this.run(rec);
    run.cancelRestart?.();
    run.cancelRestart = undefined;
  }

  close(): void {
    this.closed = true;
    this.watching?.dispose();
    for (const run of this.runs.values()) run.cancelRestart?.();
  }

  private classify(rec: ServiceRecord, state: InstanceState): ClassifiedExit {
    return classifyExit(state, { stoppedByEngine: rec.stopping, outage: this.hooks.outage?.() });
  }

  /**
   * Compose's policies, for runs that ended by themselves (a crash, OOM, `docker kill`): never
   * for a stop devenv made, one asked from outside (`docker stop`, as Docker and Compose leave a
   * manually stopped container stopped), or the engine's own restart (the engine's return
   * brings back the whole environment, whatever the policy).
   */
  private willRestart(rec: ServiceRecord, ended: ClassifiedExit): boolean {
    if (this.closed || rec.stopping || !rec.instanceId) return false;
    if (ended.exit.by === 'request' && ended.state === 'stopped') return false;
    if (ended.exit.by === 'runtime-restart' || ended.exit.by === 'engine') return false;
    return shouldRestart(rec.spec.restart, ended.exit.code, rec.engineRestarts);
  }

  /** Apply the restart policy when an instance stopped on its own (crash, OOM, `docker kill`). */
  private supervise(rec: ServiceRecord, state: InstanceState, reason?: string): void {
    const run = this.run(rec);
    if (this.closed || rec.stopping || !rec.instanceId) return;
    if (state.status === 'missing') {
      // Removed from outside: no restart of an instance that is gone; the engine decides.
      this.cancelRestart(rec);
      this.hooks.vanished?.(rec);
      return;
    }
    if (run.cancelRestart) return;
    if (state.status !== 'exited' && state.status !== 'dead') return;
    const name = rec.spec.name;
    const ended = this.classify(rec, state);
    if (reason)
      this.store.log(name, `exited with code ${state.exitCode ?? '?'}${ended.message ? ` (${ended.message})` : ''}`);
    if (!this.willRestart(rec, ended)) return;
    const startedAt = rec.status.startedAt;
    const ranFor = startedAt ? this.clock.now() - Date.parse(startedAt) : 0;
    run.crashes = ranFor > quickCrashMs ? 1 : run.crashes + 1;
    const delay = restartDelayMs(run.crashes);
    const policy = rec.spec.restart.name;
    this.store.log(name, `restart policy ${policy}: restarting in ${delay} ms`);
    this.store.set(rec, { state: 'restarting', message: `restarting in ${delay} ms (policy ${policy})` });
    run.cancelRestart = this.clock.after(delay, () => {
      run.cancelRestart = undefined;
      if (this.closed || rec.stopping || !rec.instanceId) return;
      rec.engineRestarts++;
      this.store.set(rec, { restartCount: rec.engineRestarts + rec.runtimeRestarts });
      this.hooks.restart(rec).catch((err) => {
        this.store.set(rec, {
          state: 'failed',
          message: `restart failed: ${errorMessage(err)}`,
        });
      });
    });
  }

  private run(rec: ServiceRecord): Run {
    let run = this.runs.get(rec.spec.name);
    if (!run) {
      run = { crashes: 0, inspectSeq: 0, appliedSeq: 0 };
      this.runs.set(rec.spec.name, run);
    }
    return run;
  }
}

/**
 * An exit reported for a run that began before the engine's latest start of the instance: a
 * late notification about the previous run (after a restart), which must not count as a crash.
 * 50 ms of slack: the runtime's clock stamps the start a moment after the engine asked for it.
 */
export function isStaleExit(state: InstanceState, lastStartAt: number | undefined): boolean {
  if (lastStartAt === undefined || (state.status !== 'exited' && state.status !== 'dead') || !state.startedAt)
    return false;
  return Date.parse(state.startedAt) < lastStartAt - 50;
}

export function stateOf(s: InstanceState): ServiceState {
  switch (s.status) {
    case 'running':
      return s.health === 'healthy' ? 'healthy' : s.health === 'unhealthy' ? 'unhealthy' : 'running';
    case 'restarting':
      return 'restarting';
    case 'created':
      return 'starting';
    case 'exited':
    case 'dead':
      return classifyExit(s, { stoppedByEngine: false }).state;
    case 'missing':
      return 'stopped';
  }
}

/** `x-devenv.url`, or the first published TCP port that is neither a database's nor the debugger's. */
export function urlOf(spec: ServiceSpec, state: InstanceState, debugHostPort?: number): string | undefined {
  if (spec.devenv.url) return spec.devenv.url;
  const port = state.ports.find(
    (p) => p.protocol === 'tcp' && !nonHttpPorts.has(p.containerPort) && p.hostPort !== debugHostPort,
  );
  if (!port) return undefined;
  const host = port.hostIp === '0.0.0.0' || port.hostIp === '' ? '127.0.0.1' : port.hostIp;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port.hostPort}`;
}
