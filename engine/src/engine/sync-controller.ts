// Wires live sync into the engine: one SyncSession per service × `develop.watch` rule, one
// ProjectSync (one watcher) for the project, a link into each running instance, and the
// actions a batch asks for (restart, exec, rebuild). On the process runtime the files are
// already in place, so sessions are local and only the actions run. A link that breaks by
// itself while its instance runs is opened again (sync-link-supervisor.ts); attaching and
// detaching a service's link happen one at a time, so two links never run into one instance.

import { statSync } from 'node:fs';
import { basename, dirname, posix } from 'node:path';
import type { EventSink } from '../model/events.js';
import { now } from '../model/events.js';
import type { ProjectSpec, WatchRule } from '../model/spec.js';
import type { SyncFigures, SyncLinkHealth } from '../model/status.js';
import type { Runtime, SyncLink } from '../runtime-interface/runtime.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { errorMessage } from '../shared/error-text.js';
import { SingleFileMatcher } from '../sync/ignore.js';
import { ProjectSync } from '../sync/project-sync.js';
import { type AppliedBatch, eventSinkReporter, SyncSession } from '../sync/session.js';
import { SyncLinkSupervisor } from './sync-link-supervisor.js';

export interface SyncActions {
  restart(service: string): Promise<void>;
  rebuild(service: string): Promise<void>;
  exec(service: string, command: string[], opts: { user?: string; workingDir?: string }): Promise<void>;
  figures(service: string, figures: SyncFigures): void;
  /** Whether sync reaches the service's instance now (undefined: nothing to show). */
  link?(service: string, health: SyncLinkHealth | undefined): void;
}

export class SyncController {
  private project: ProjectSync | undefined;
  private sessions: SyncSession[] = [];
  private key = '';
  private readonly links = new Map<string, SyncLink>();
  /** The instance each service's sync is meant to reach (set on attach, cleared on detach). */
  private readonly targets = new Map<string, string>();
  private readonly supervisors = new Map<string, SyncLinkSupervisor>();
  /** Per service: attach and detach run one after another. */
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Services whose next attach reconciles fully, whatever it was asked. */
  private fullReconcile = new Set<string>();
  private readonly clock: Clock;

  constructor(
    private readonly runtime: Runtime,
    private readonly emit: EventSink,
    private readonly actions: SyncActions,
    opts: { clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** (Re)build the sessions when the project's watch rules changed; start the watcher. */
  async configure(project: ProjectSpec): Promise<void> {
    const rules = Object.values(project.services)
      .filter((s) => s.develop && s.develop.watch.length > 0)
      .map((s) => ({ service: s.name, watch: s.develop!.watch }));
    const key = JSON.stringify(rules);
    if (key === this.key && this.project) return;
    await this.close();
    this.key = key;
    if (rules.length === 0) return;
    const reporter = eventSinkReporter(this.emit, (service, f) => this.actions.figures(service, f));
    const local = this.runtime.attachSync === undefined;
    const hooks = { onBatchApplied: (b: AppliedBatch) => this.onBatch(b) };
    this.sessions = rules.flatMap(({ service, watch }) =>
      watch.map((rule) => {
        const single = singleFileRule(rule);
        return single
          ? new SyncSession({ service, rule: single.rule, filter: single.filter, local, reporter, hooks })
          : new SyncSession({ service, rule, local, reporter, hooks });
      }),
    );
    this.project = new ProjectSync(this.sessions, { reporter });
    await this.project.start();
  }

  /** Whether the service has sessions that copy files into its instance. */
  copiesInto(service: string): boolean {
    return this.runtime.attachSync !== undefined && this.sessions.some((s) => s.service === service && s.copiesFiles);
  }

  /**
   * Connect the service's sessions to its (re)started instance; resolves after the sessions
   * reconciled where needed, so the engine can hold readiness until then. When it fails, the
   * link keeps being retried in the background while the instance runs.
   */
  async attach(service: string, instanceId: string, opts: { reconcile: boolean }): Promise<void> {
    if (!this.runtime.attachSync || !this.copiesInto(service)) return;
    this.targets.set(service, instanceId);
    const supervisor = this.supervisor(service);
    const reconcile = this.fullReconcile.delete(service) || opts.reconcile;
    try {
      const linked = await this.serially(service, () => this.link(service, instanceId, reconcile));
      if (linked) supervisor.linked();
    } catch (err) {
      if (this.targets.get(service) === instanceId) supervisor.lost(errorMessage(err));
      throw err;
    }
  }

  linked(service: string): boolean {
    return this.links.has(service);
  }

  /** The instance stopped or is replaced: close its link, reconnect nothing. */
  async detach(service: string): Promise<void> {
    this.targets.delete(service);
    this.supervisors.get(service)?.stop();
    await this.serially(service, () => this.unlink(service));
  }

  /** After the runtime's engine came back: every service's next attach reconciles fully. */
  reconcileOnNextAttach(): void {
    this.fullReconcile = new Set(this.sessions.filter((s) => s.copiesFiles).map((s) => s.service));
  }

  /** Walk the sync roots again and reconcile every attached session (after the process was suspended). */
  rescan(reason: string): void {
    this.project?.watcher.rescan(reason);
  }

  /** A full reconcile of the service's attached sessions (the TUI's `s`, `devenv/resync`). */
  async resync(service: string): Promise<{ sent: number; removed: number; note?: string }> {
    const sessions = this.sessions.filter((s) => s.service === service);
    if (sessions.length === 0) return { sent: 0, removed: 0, note: `${service} has no develop.watch rules` };
    if (this.runtime.attachSync === undefined) {
      return { sent: 0, removed: 0, note: 'files are already in place on this runtime' };
    }
    const attached = sessions.filter((s) => s.copiesFiles && s.attached);
    if (attached.length === 0) return { sent: 0, removed: 0, note: `${service} has no running instance to sync into` };
    let sent = 0;
    let removed = 0;
    for (const s of attached) {
      const r = await s.reconcile();
      sent += r.sent;
      removed += r.removed;
    }
    return { sent, removed };
  }

  /** Wait until nothing is pending or in flight (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.project?.idle();
  }

  async close(): Promise<void> {
    for (const supervisor of this.supervisors.values()) {
      supervisor.stop(); // nothing to show any more
      supervisor.close();
    }
    this.supervisors.clear();
    for (const service of new Set([...this.links.keys(), ...this.targets.keys()])) await this.detach(service);
    await this.project?.close();
    for (const s of this.sessions) s.close();
    this.project = undefined;
    this.sessions = [];
    this.key = '';
  }

  /** Opens the link (closing any other first); false when the service's target changed meanwhile. */
  private async link(service: string, instanceId: string, reconcile: boolean): Promise<boolean> {
    if (this.targets.get(service) !== instanceId) return false;
    await this.unlink(service);
    const sessions = this.sessions.filter((s) => s.service === service && s.copiesFiles);
    const id = `sync:${service}`;
    const title = `sync ${service}`;
    this.emit({ kind: 'progress', ts: now(), id, service, title, message: 'attaching' });
    let link: SyncLink;
    try {
      link = await this.runtime.attachSync!(instanceId, service, sessions, {
        reconcile,
        onWarning: (message) => this.emit({ kind: 'log', ts: now(), service, stream: 'system', line: message }),
      });
    } catch (err) {
      this.emit({
        kind: 'progress',
        ts: now(),
        id,
        service,
        title,
        message: errorMessage(err),
        done: true,
        failed: true,
      });
      throw err;
    }
    this.links.set(service, link);
    this.emit({ kind: 'progress', ts: now(), id, service, title, message: 'in sync', done: true });
    link.onClosed?.((reason) => {
      if (this.links.get(service) !== link) return;
      this.links.delete(service);
      void link.close().catch(() => undefined);
      this.emit({
        kind: 'log',
        ts: now(),
        service,
        stream: 'system',
        line: `sync: the link into the container closed (${reason}); reconnecting`,
      });
      this.supervisor(service).lost(reason);
    });
    return true;
  }

  private async unlink(service: string): Promise<void> {
    const link = this.links.get(service);
    this.links.delete(service);
    await link?.close().catch(() => undefined);
  }

  /** One service's link supervision: reconnects into the instance it was attached to while that runs. */
  private supervisor(service: string): SyncLinkSupervisor {
    let supervisor = this.supervisors.get(service);
    if (!supervisor) {
      supervisor = new SyncLinkSupervisor(this.clock, {
        reconnect: async () => {
          const id = this.targets.get(service);
          if (!id) return 'not-running';
          const state = await this.runtime.inspect(id);
          if (state.status !== 'running') return 'not-running';
          if (this.links.has(service)) return 'attached';
          const linked = await this.serially(service, () =>
            this.links.has(service) ? Promise.resolve(true) : this.link(service, id, true),
          );
          return linked ? 'attached' : 'not-running';
        },
        report: (health) => this.actions.link?.(service, health),
      });
      this.supervisors.set(service, supervisor);
    }
    return supervisor;
  }

  private serially<T>(service: string, op: () => Promise<T>): Promise<T> {
    const run = (this.chains.get(service) ?? Promise.resolve()).then(op, op);
    this.chains.set(
      service,
      run.catch(() => undefined),
    );
    return run;
  }

  /**
   * Not awaited by the session: an action goes through the engine's queue, which may be busy
   * with an `up` that is itself waiting for this session to attach.
   */
  private onBatch(b: AppliedBatch): void {
    void this.runAction(b);
  }

  private async runAction(b: AppliedBatch): Promise<void> {
    // A reconcile brings a (re)started instance in line: it must not restart it again.
    if (b.reconcile) return;
    const fail = (what: string) => (err: unknown) =>
      this.emit({
        kind: 'log',
        ts: now(),
        service: b.service,
        stream: 'system',
        line: `${what} after sync failed: ${errorMessage(err)}`,
      });
    switch (b.rule.action) {
      case 'sync+restart':
      case 'restart':
        await this.actions.restart(b.service).catch(fail('restart'));
        break;
      case 'sync+exec':
        if (b.rule.exec) {
          const { command, user, workingDir } = b.rule.exec;
          await this.actions
            .exec(b.service, command, { ...(user ? { user } : {}), ...(workingDir ? { workingDir } : {}) })
            .catch(fail('exec'));
        }
        break;
      case 'rebuild':
        await this.actions.rebuild(b.service).catch(fail('rebuild'));
        break;
      case 'sync':
        break;
    }
  }
}

const copyingActions = new Set(['sync', 'sync+restart', 'sync+exec']);

/** A copying rule on one file becomes a rule on its directory that sees only that file. */
function singleFileRule(rule: WatchRule): { rule: WatchRule; filter: SingleFileMatcher } | undefined {
  if (!copyingActions.has(rule.action) || !rule.target) return undefined;
  try {
    if (!statSync(rule.path).isFile()) return undefined;
  } catch {
    return undefined;
  }
  const dir = dirname(rule.path);
  return {
    rule: { ...rule, path: dir, target: posix.dirname(rule.target) },
    filter: new SingleFileMatcher(dir, basename(rule.path)),
  };
}
