// One health prober per running instance (started here or adopted from another daemon), with
// the service's cwd, environment and user; health is resumed from the record's last value.

import type { Health } from '../../model/status.js';
import { type ProbeContext, type ProbeHealth, Prober, probeTiming, runProbe } from './health.js';
import { type InstanceRecord, TOKEN_VAR } from './instance-record.js';
import { isRoot, resolveRunAs } from './run-as.js';

export interface InstanceProbersOptions {
  /** The environment the instance runs with. */
  envFor(rec: InstanceRecord): Record<string, string>;
  /** Where its probes run (its cwd, unless it was handed over elsewhere). */
  cwdFor(rec: InstanceRecord): string;
  onHealth(service: string, token: string, status: ProbeHealth, failures: number): void;
}

export class InstanceProbers {
  private readonly probers = new Map<string, { token: string; prober: Prober }>();
  private closed = false;

  constructor(private readonly opts: InstanceProbersOptions) {}

  /** Probe a running instance unless already probing it. */
  ensure(rec: InstanceRecord): void {
    const declared = rec.process.healthcheck;
    // A command probe runs the copies its user was handed (handover.ts), like the service.
    const probe =
      declared?.type === 'command' && rec.handover?.probe ? { ...declared, command: rec.handover.probe } : declared;
    if (!probe || this.closed || rec.pid === undefined) return;
    const existing = this.probers.get(rec.service);
    if (existing?.token === rec.token) return;
    existing?.prober.stop();
    const { service, token } = rec;
    const ctx: ProbeContext = { cwd: this.opts.cwdFor(rec), env: this.opts.envFor(rec) };
    delete ctx.env[TOKEN_VAR];
    const timing = probeTiming(probe, rec.composeHealth);
    const userReady =
      isRoot() && rec.process.user
        ? resolveRunAs(rec.process.user, service).then(
            (u) => {
              ctx.uid = u.uid;
              ctx.gid = u.gid;
              Object.assign(ctx.env, { HOME: u.home, USER: u.name, LOGNAME: u.name });
            },
            () => undefined,
          )
        : Promise.resolve();
    const prober = new Prober({
      timing,
      startedAtMs: rec.startedAt ? Date.parse(rec.startedAt) : Date.now(),
      ...(rec.health ? { initial: rec.health } : {}),
      run: async () => {
        await userReady;
        return runProbe(probe, ctx, timing.timeoutMs);
      },
      onChange: (status, failures) => this.opts.onHealth(service, token, status, failures),
    });
    this.probers.set(service, { token, prober });
    prober.start();
  }

  stop(service: string): void {
    this.probers.get(service)?.prober.stop();
    this.probers.delete(service);
  }

  healthOf(rec: InstanceRecord): Health {
    if (!rec.process.healthcheck) return 'none';
    const p = this.probers.get(rec.service);
    if (p && p.token === rec.token) return p.prober.status;
    return rec.health?.status ?? 'starting';
  }

  close(): void {
    this.closed = true;
    for (const { prober } of this.probers.values()) prober.stop();
    this.probers.clear();
  }
}
