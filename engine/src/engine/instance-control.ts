// What the engine does to one service's instance: create and start it, start it again, restart
// it, remove it, run a command in it. Each step keeps the record, the supervisor, the log
// follower and live sync in line (a stopped instance is not a crash; a started one is followed
// and synced into). The executor calls these for plans; the supervisor for restart policies;
// live sync for its actions.

import { now } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { Artifact, Runtime } from '../runtime-interface/runtime.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/error-text.js';
import type { LogFollower } from './log-follower.js';
import { type PhaseTimer, untimed } from './span-recorder.js';
import type { ServiceRecord, StatusStore } from './status-store.js';
import type { Supervisor } from './supervisor.js';
import type { SyncController } from './sync-controller.js';

const defaultStopGraceMs = 10_000;

export class InstanceControl {
  constructor(
    private readonly runtime: Runtime,
    private readonly store: StatusStore,
    private readonly supervisor: Supervisor,
    private readonly logs: LogFollower,
    private readonly sync: SyncController,
    private readonly clock: Clock,
  ) {}

  /** A new instance from the record's spec, labelled with `hash`, then started. */
  async createAndStart(
    rec: ServiceRecord,
    project: ProjectSpec,
    hash: string,
    artifact: Artifact | undefined,
    onStarted?: () => void,
    phases: PhaseTimer = untimed,
  ): Promise<void> {
    this.store.set(rec, { state: 'starting', message: 'creating', restartCount: 0, exitCode: undefined });
    rec.engineRestarts = 0;
    rec.runtimeRestarts = 0;
    this.supervisor.created(rec);
    this.logs.newInstance(rec);
    const ctx = artifact ? { project, specHash: hash, artifact } : { project, specHash: hash };
    rec.instanceId = await phases.time('create', () => this.runtime.create(rec.spec, ctx));
    rec.status.specHash = hash;
    this.store.set(rec, { instanceId: rec.instanceId });
    await this.start(rec, onStarted, phases);
  }

  /** Take over an instance that already runs with the wanted spec: its state, and its log from now. */
  async keep(rec: ServiceRecord, instanceId: string, hash: string): Promise<void> {
    rec.instanceId = instanceId;
    rec.status.specHash = hash;
    await this.supervisor.refresh(rec);
    this.logs.follow(rec, this.clock.now() / 1000);
  }

  /**
   * Start the record's instance (again). `onStarted` runs once it runs, before live sync has
   * attached: dependents waiting for `service_started` need not wait for the first sync.
   */
  async start(rec: ServiceRecord, onStarted?: () => void, phases: PhaseTimer = untimed): Promise<void> {
    await phases.time('start', async () => {
      this.store.set(rec, { state: 'starting', message: undefined, exitCode: undefined });
      rec.stopping = false;
      // An instance started again keeps its old log: show only what this run prints.
      this.logs.newRun(rec, this.clock.now() / 1000 - 1);
      this.supervisor.started(rec);
      await this.sync.detach(rec.spec.name);
      await this.runtime.start(rec.instanceId!);
      await this.supervisor.refresh(rec);
      this.logs.follow(rec);
    });
    onStarted?.();
    await this.attachSync(rec, false, phases);
  }

  /** Stop and start the instance in place (a restart by hand, or a dependency's `restart: true`). */
  async restart(rec: ServiceRecord, why: string): Promise<void> {
    this.store.log(rec.spec.name, `restarting (${why})`);
    rec.stopping = true;
    this.store.set(rec, { state: 'restarting', message: why });
    this.logs.stop(rec);
    // Its sync link ends with this run: closed first, so its end is not taken for a broken link
    // (which would be reopened into an instance that is stopping).
    await this.sync.detach(rec.spec.name);
    // A runtime that restarts in place keeps the instance's files (a pod would start from its image).
    if (this.runtime.restart) await this.runtime.restart(rec.instanceId!, stopGrace(rec));
    else await this.runtime.stop(rec.instanceId!, stopGrace(rec));
    rec.engineRestarts++;
    this.store.set(rec, { restartCount: rec.engineRestarts + rec.runtimeRestarts });
    await this.start(rec);
  }

  /** Stop the service's instances without removing them (`devenv stop`); `up` starts them again. */
  async stop(service: string, instanceIds: readonly string[], graceMs: number): Promise<void> {
    const rec = this.store.get(service);
    if (rec) {
      rec.stopping = true;
      this.supervisor.cancelRestart(rec);
      await this.sync.detach(service);
    }
    await Promise.all(instanceIds.map((id) => this.runtime.stop(id, graceMs)));
    if (rec) {
      this.logs.stop(rec);
      this.store.set(rec, { state: 'stopped', health: 'none', message: undefined });
    }
  }

  /**
   * Stop and remove an instance of `service` (the current one, a duplicate or an orphan). The
   * status goes back to `pending` unless `keepStatus` (down sets `stopped` itself).
   */
  async remove(instanceId: string, service: string, why: string, opts: { keepStatus?: boolean } = {}): Promise<void> {
    const rec = this.store.get(service);
    const current = rec !== undefined && rec.instanceId === instanceId;
    if (current) {
      rec.stopping = true;
      this.logs.stop(rec);
      this.supervisor.cancelRestart(rec);
      await this.sync.detach(service);
    }
    this.store.log(service, `removing ${shortId(instanceId)} (${why})`);
    await this.runtime.stop(instanceId, rec ? stopGrace(rec) : defaultStopGraceMs);
    await this.runtime.remove(instanceId);
    if (current && rec.instanceId === instanceId) {
      rec.instanceId = undefined;
      if (!opts.keepStatus) this.store.set(rec, { instanceId: undefined, state: 'pending', ports: [] });
    }
  }

  /**
   * Connect live sync to the (re)started instance. The service does not count as ready until its
   * files are in line (`syncPending` holds running/healthy back as `starting`), so nothing saved
   * while it was down is lost. `reconcile`: bring files changed while nobody watched in line.
   */
  async attachSync(rec: ServiceRecord, reconcile: boolean, phases: PhaseTimer = untimed): Promise<void> {
    const name = rec.spec.name;
    if (!rec.instanceId || !this.sync.copiesInto(name)) return;
    const span = phases.begin('sync');
    rec.syncPending = true;
    // The start's own inspection may already have said `running`: hold it back from now on.
    if (rec.status.state === 'running' || rec.status.state === 'healthy')
      this.store.set(rec, { state: 'starting', message: 'syncing files' });
    try {
      await this.sync.attach(name, rec.instanceId, { reconcile });
    } catch (err) {
      span.fail(err);
      this.store.bus.emit({
        kind: 'diagnostic',
        ts: now(),
        severity: 'warning',
        code: 'sync.attach-failed',
        service: name,
        message: `${name}: live sync could not attach: ${errorMessage(err)}`,
        hint: 'devenv keeps trying while the service runs (`devenv status` shows its sync); saved files are sent once it connects',
      });
    } finally {
      rec.syncPending = false;
      await this.supervisor.refresh(rec);
      span.end();
    }
  }

  /** `sync+exec`: run the rule's command in the service's instance and log what it printed. */
  async exec(service: string, command: string[], opts: { user?: string; workingDir?: string }): Promise<void> {
    const rec = this.store.get(service);
    if (!rec?.instanceId || !this.runtime.exec) return;
    const result = await this.runtime.exec(rec.instanceId, command, opts);
    for (const line of result.output.split('\n').filter(Boolean)) this.store.log(service, `exec | ${line}`);
    this.store.log(service, `exec ${command.join(' ')} exited with code ${result.exitCode}`);
  }
}

function stopGrace(rec: ServiceRecord): number {
  return rec.spec.stopGracePeriodMs ?? defaultStopGraceMs;
}

/** Docker's 64-hex container ids as `docker ps` shows them; pids and pod names as they are. */
function shortId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
}
