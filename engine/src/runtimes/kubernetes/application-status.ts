// Reading Argo CD Applications: what the TUI header and the extension show (sync, health, the
// running operation and its hook Jobs), whether a change devenv pushed has been applied or has
// failed, and whether a running sync operation may be superseded by a newer commit. Pure: the
// tests drive it with status sequences recorded from Argo CD's controller (gitops-engine's
// sync_context: "waiting for completion of hook …", "waiting for healthy state of …").

import type { ArgoApplicationStatus, ArgoHookStatus } from '../../model/status.js';
import { LABEL } from './names.js';

interface OperationResource {
  kind?: string;
  name?: string;
  hookType?: string;
  hookPhase?: string;
  message?: string;
}

/** The parts of an Application (argoproj.io/v1alpha1) devenv reads. */
export interface ApplicationView {
  name: string;
  resourceVersion?: string;
  role?: string;
  service?: string;
  sync?: string;
  syncRevision?: string;
  health?: string;
  conditions: { type: string; message: string }[];
  operation?: {
    phase: string;
    message?: string;
    /** The commit the operation syncs. */
    revision?: string;
    resources: OperationResource[];
  };
}

export function applicationView(app: Record<string, unknown>): ApplicationView {
  const meta = (app.metadata ?? {}) as { name?: string; resourceVersion?: string; labels?: Record<string, string> };
  const status = (app.status ?? {}) as {
    sync?: { status?: string; revision?: string };
    health?: { status?: string };
    conditions?: { type?: string; message?: string }[];
    operationState?: {
      phase?: string;
      message?: string;
      operation?: { sync?: { revision?: string } };
      syncResult?: { revision?: string; resources?: OperationResource[] };
    };
  };
  const op = status.operationState;
  const view: ApplicationView = {
    name: meta.name ?? '',
    conditions: (status.conditions ?? []).map((c) => ({ type: c.type ?? '', message: c.message ?? '' })),
  };
  if (meta.resourceVersion) view.resourceVersion = meta.resourceVersion;
  const role = meta.labels?.[LABEL.role];
  if (role) view.role = role;
  const service = meta.labels?.[LABEL.service];
  if (service) view.service = service;
  if (status.sync?.status) view.sync = status.sync.status;
  if (status.sync?.revision) view.syncRevision = status.sync.revision;
  if (status.health?.status) view.health = status.health.status;
  if (op?.phase) {
    const revision = op.syncResult?.revision || op.operation?.sync?.revision;
    view.operation = {
      phase: op.phase,
      ...(op.message ? { message: op.message } : {}),
      ...(revision ? { revision } : {}),
      resources: op.syncResult?.resources ?? [],
    };
  }
  return view;
}

/** The hook Jobs (and other hook resources) of the operation, and how far each got. */
export function hooksOf(app: ApplicationView): ArgoHookStatus[] {
  return (app.operation?.resources ?? [])
    .filter((r) => r.hookType && r.name)
    .map((r) => ({
      name: `${r.kind ? `${r.kind}/` : ''}${r.name}`,
      type: r.hookType!,
      phase: r.hookPhase ?? 'Pending',
      ...(r.message ? { message: r.message } : {}),
    }));
}

/** `ProjectStatus.cluster.argocd`: the root Application first, then one per service by name. */
export function applicationStatuses(apps: readonly Record<string, unknown>[]): ArgoApplicationStatus[] {
  const views = apps.map(applicationView);
  views.sort((a, b) => Number(b.role === 'root') - Number(a.role === 'root') || a.name.localeCompare(b.name));
  return views.map((v) => {
    const hooks = hooksOf(v).filter((h) => /^Job\//.test(h.name));
    const row: ArgoApplicationStatus = { app: v.name, sync: v.sync ?? 'Unknown', health: v.health ?? 'Unknown' };
    if (v.service) row.service = v.service;
    if (v.syncRevision) row.revision = v.syncRevision.slice(0, 12);
    if (v.operation) {
      row.operation = { phase: v.operation.phase, ...(v.operation.message ? { message: v.operation.message } : {}) };
    }
    if (hooks.length > 0) row.hooks = hooks;
    return row;
  });
}

/** True while a hook of the operation (a migration, a smoke test) has not finished. */
export function hookInFlight(app: ApplicationView): boolean {
  if (app.operation?.phase !== 'Running') return false;
  if (/waiting for (completion|deletion) of hook/.test(app.operation.message ?? '')) return true;
  return app.operation.resources.some(
    (r) => r.hookType && (r.hookPhase === 'Running' || r.hookPhase === 'Terminating'),
  );
}

/**
 * Whether a newer commit of this Application's own files may end its running sync operation:
 * only when the operation syncs an older commit and is waiting for its regular resources to turn
 * healthy (a crash-looping Deployment holds it until the rollout's deadline, and every fix with
 * it). Never while a hook runs — a migration or smoke test always runs to its end — and never for
 * the operation of another Application: pushing a commit does not disturb those; Argo CD syncs
 * the new commit once the running operation is over.
 */
export function supersedable(app: ApplicationView, commit: string): boolean {
  const op = app.operation;
  if (op?.phase !== 'Running' || app.role !== 'service') return false;
  if (op.revision === commit) return false;
  if (hookInFlight(app)) return false;
  return /^waiting for healthy state of /.test(op.message ?? '');
}

export type SyncVerdict = { kind: 'waiting'; message: string } | { kind: 'failed'; message: string };

/**
 * Follows one Application until a commit is applied: a failed operation for that commit fails at
 * once (its hook's message included); an error condition (ComparisonError while the repo server
 * has not seen the push yet, InvalidSpecError while the AppProject is new to the controller)
 * fails only when it persists for `graceMs`, as Argo CD itself retries those.
 */
export class SyncWatch {
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly commit: string,
    private readonly graceMs = 60_000,
    private readonly clock: () => number = Date.now,
  ) {}

  verdict(app: ApplicationView | undefined): SyncVerdict {
    if (!app) return { kind: 'waiting', message: 'waiting for the Application' };
    const op = app.operation;
    if (op && (op.phase === 'Failed' || op.phase === 'Error') && op.revision === this.commit) {
      const hook = hooksOf(app).find((h) => h.phase === 'Failed' || h.phase === 'Error');
      const why = hook ? `${hook.type} hook ${hook.name} failed${hook.message ? `: ${hook.message}` : ''}` : op.message;
      return { kind: 'failed', message: why ?? `sync ${op.phase.toLowerCase()}` };
    }
    const now = this.clock();
    const errors = app.conditions.filter((c) => /Error$/.test(c.type));
    const seen = new Set(errors.map((c) => `${c.type}\0${c.message}`));
    for (const key of [...this.firstSeen.keys()]) if (!seen.has(key)) this.firstSeen.delete(key);
    for (const c of errors) {
      const key = `${c.type}\0${c.message}`;
      const since = this.firstSeen.get(key) ?? now;
      this.firstSeen.set(key, since);
      if (now - since >= this.graceMs) return { kind: 'failed', message: `${c.type}: ${c.message}` };
    }
    const parts = [app.sync ?? 'Unknown', ...(app.health ? [app.health] : [])];
    let message = parts.join(' / ');
    if (op?.phase === 'Running') message += ` (sync running${op.message ? `: ${op.message}` : ''})`;
    if (errors[0]) message += ` (${errors[0].type}, retrying: ${errors[0].message.split('\n')[0]})`;
    return { kind: 'waiting', message };
  }
}
