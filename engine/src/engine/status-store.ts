// The engine's state: one record per service (its spec, its status, its instance), the
// project's phase and the runtime's health. Every status change goes through here and out on the event bus, so the
// executor, the supervisor and the UIs all see one sequence; a wait for a status (a dependency
// healthy, a service settled) subscribes to that same sequence.

import { RuntimeFailure } from '../errors.js';
import { type EngineEvent, now } from '../model/events.js';
import type { ServiceSpec } from '../model/spec.js';
import {
  emptyStatus,
  type ProjectPhase,
  type RuntimeHealth,
  type ServiceState,
  type ServiceStatus,
} from '../model/status.js';
import type { EventBus } from './event-bus.js';

export interface ServiceRecord {
  /** The spec the instance runs: the config's, after the fork reloader and debugger injection. */
  spec: ServiceSpec;
  status: ServiceStatus;
  instanceId?: string;
  /** The engine is stopping or replacing this instance: its exit is not a crash. */
  stopping: boolean;
  /** Restarts the engine made (policy, by hand); with the runtime's own they make the status's count. */
  engineRestarts: number;
  runtimeRestarts: number;
  /** Live sync is attaching: hold `running`/`healthy` back as `starting`. */
  syncPending?: boolean;
}

/** States in which an instance is up (its ports held, its debugger reachable). */
export const liveStates: readonly ServiceState[] = ['starting', 'running', 'healthy', 'unhealthy'];

export class StatusStore {
  private readonly records = new Map<string, ServiceRecord>();
  private current: ProjectPhase = 'idle';
  private runtime: RuntimeHealth | undefined;

  constructor(readonly bus: EventBus) {}

  get phase(): ProjectPhase {
    return this.current;
  }

  /** The runtime's engine as the health watch last saw it (undefined: not watched). */
  get runtimeHealth(): RuntimeHealth | undefined {
    return this.runtime;
  }

  /** A new runtime health, announced on a project event (which carries it from now on). */
  setRuntimeHealth(health: RuntimeHealth): void {
    this.runtime = health;
    this.emitProject(health.message);
  }

  /** The service's record, made (and announced as `pending`) the first time it is asked for. */
  track(spec: ServiceSpec): ServiceRecord {
    let rec = this.records.get(spec.name);
    if (!rec) {
      rec = { spec, status: emptyStatus(spec.name), stopping: false, engineRestarts: 0, runtimeRestarts: 0 };
      this.records.set(spec.name, rec);
      this.emitStatus(rec);
    }
    return rec;
  }

  get(service: string): ServiceRecord | undefined {
    return this.records.get(service);
  }

  all(): ServiceRecord[] {
    return [...this.records.values()];
  }

  /** Statuses in `order` first (dependency order), then any other known service. */
  statuses(order: readonly string[]): ServiceStatus[] {
    const names = [...new Set([...order, ...this.records.keys()])].filter((n) => this.records.has(n));
    return names.map((n) => ({ ...this.records.get(n)!.status }));
  }

  /** Apply a patch (an `undefined` value clears that field); publish only a real change. */
  set(rec: ServiceRecord, patch: Partial<ServiceStatus>): void {
    const next: ServiceStatus = { ...rec.status };
    for (const [k, v] of Object.entries(patch) as [keyof ServiceStatus, unknown][]) {
      if (v === undefined) delete next[k];
      else (next as unknown as Record<string, unknown>)[k] = v;
    }
    if (JSON.stringify(next) === JSON.stringify(rec.status)) return;
    rec.status = next;
    this.emitStatus(rec);
    if (this.current === 'running' || this.current === 'degraded') this.setPhase(this.derivePhase());
  }

  setPhase(phase: ProjectPhase, message?: string): void {
    if (phase === this.current) return;
    this.current = phase;
    this.emitProject(message);
  }

  private emitProject(message: string | undefined): void {
    const event: EngineEvent = {
      kind: 'project',
      ts: now(),
      phase: this.current,
      ...(message ? { message } : {}),
      ...(this.runtime ? { runtime: { ...this.runtime } } : {}),
    };
    this.bus.emit(event);
  }

  /** The phase the services' states add up to: running, degraded (something failed), stopped. */
  derivePhase(): ProjectPhase {
    const states = this.all().map((r) => r.status.state);
    if (states.length === 0) return 'idle';
    const bad: ServiceState[] = ['failed', 'exited', 'killed', 'unhealthy', 'restarting'];
    if (states.every((s) => s === 'stopped' || s === 'pending')) return 'stopped';
    return states.some((s) => bad.includes(s)) ? 'degraded' : 'running';
  }

  /**
   * Resolves once the service's status satisfies `ok`; rejects (naming the service) once `bad`
   * gives a reason. Checks the current status first, then every status event after it.
   */
  waitFor(
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
      const current = this.records.get(service)?.status;
      if (current && check(current)) return;
      const sub = this.bus.subscribe((e) => {
        if (e.kind === 'status' && e.service === service && check(e.status)) sub.dispose();
      });
    });
  }

  /** Debug host ports from statuses (the process runtime publishes none to observe); `held` while running. */
  debugPortsKnown(): Record<string, { port: number; held: boolean }> {
    const out: Record<string, { port: number; held: boolean }> = {};
    for (const [name, rec] of this.records) {
      const running = liveStates.includes(rec.status.state);
      if (rec.status.debug)
        out[name] = { port: rec.status.debug.hostPort, held: running && rec.instanceId !== undefined };
    }
    return out;
  }

  /** A line from devenv itself in the service's log. */
  log(service: string, line: string): void {
    this.bus.emit({ kind: 'log', ts: now(), service, stream: 'system', line });
  }

  private emitStatus(rec: ServiceRecord): void {
    this.bus.emit({ kind: 'status', ts: now(), service: rec.spec.name, status: { ...rec.status } });
  }
}
