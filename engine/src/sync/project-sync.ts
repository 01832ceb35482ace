// Wires one project's sync: one ProjectWatcher over the union of every session's rule path,
// change sets fanned out to the sessions, and an overflow answered by reconciling each
// attached session. The engine creates it once per project and attaches transports to the
// sessions as containers start.

import path from 'node:path';
import { escapeName } from './paths.js';
import type { ReconcileResult, SyncReporter, SyncSession } from './session.js';
import { type PathFilter, ProjectWatcher, type ProjectWatcherOptions, type WatchRoot } from './watcher.js';

/**
 * Watch roots for a set of sessions: nested rule paths share their outer root, and a path is
 * left unwatched only when every rule covering it ignores it.
 */
export function planWatchRoots(sessions: readonly Pick<SyncSession, 'root' | 'filter'>[]): WatchRoot[] {
  const sorted = [...sessions].sort((a, b) => a.root.length - b.root.length);
  const roots: { path: string; covering: Pick<SyncSession, 'root' | 'filter'>[] }[] = [];
  for (const s of sorted) {
    const outer = roots.find((r) => s.root === r.path || s.root.startsWith(`${r.path}${path.sep}`));
    if (outer) outer.covering.push(s);
    else roots.push({ path: s.root, covering: [s] });
  }
  return roots.map((r) => ({ path: r.path, filter: allOf(r.covering) }));
}

function allOf(sessions: readonly Pick<SyncSession, 'root' | 'filter'>[]): PathFilter {
  if (sessions.length === 1) return sessions[0]!.filter;
  const covers = (s: Pick<SyncSession, 'root'>, abs: string) => abs === s.root || abs.startsWith(`${s.root}/`);
  return {
    ignoresDirect(abs, isDir) {
      // A directory on the way to a nested session's root is needed, whatever the outer rule says.
      if (isDir && sessions.some((s) => s.root === abs || s.root.startsWith(`${abs}/`))) return false;
      const relevant = sessions.filter((s) => covers(s, abs) && abs !== s.root);
      if (relevant.length === 0) return false;
      return relevant.every((s) => s.filter.ignores(abs, isDir));
    },
    isIgnoreFile(abs) {
      return sessions.some((s) => covers(s, abs) && s.filter.isIgnoreFile(abs));
    },
    invalidate() {
      for (const s of sessions) s.filter.invalidate();
    },
  };
}

export interface ProjectSyncOptions {
  watcher?: ProjectWatcherOptions;
  /** Warnings from the watcher go here (attributed to the project, not a service). */
  reporter?: SyncReporter;
}

export class ProjectSync {
  readonly watcher: ProjectWatcher;
  private readonly sessions: SyncSession[];
  private readonly reporter: SyncReporter | undefined;
  private reconciling = false;
  private reconcileAgain = false;

  constructor(sessions: readonly SyncSession[], opts: ProjectSyncOptions = {}) {
    this.sessions = [...sessions];
    this.reporter = opts.reporter;
    this.watcher = new ProjectWatcher(planWatchRoots(this.sessions), opts.watcher);
    this.watcher.on('changes', (changes) => {
      for (const s of this.sessions) s.notify(changes);
    });
    this.watcher.on('overflow', (reason) => {
      this.reporter?.warning('', `sync: full rescan (${escapeName(reason)})`);
      void this.reconcileSoon();
    });
    this.watcher.on('warning', (message) => this.reporter?.warning('', message));
  }

  start(): Promise<void> {
    return this.watcher.start();
  }

  sessionsFor(service: string): SyncSession[] {
    return this.sessions.filter((s) => s.service === service);
  }

  /** Overflows in a burst share one reconcile, plus one more if any arrived while it ran. */
  private async reconcileSoon(): Promise<void> {
    if (this.reconciling) {
      this.reconcileAgain = true;
      return;
    }
    this.reconciling = true;
    try {
      do {
        this.reconcileAgain = false;
        await this.reconcileAll();
      } while (this.reconcileAgain);
    } finally {
      this.reconciling = false;
    }
  }

  /** Reconciles every attached session that copies files (the answer to an overflow). */
  async reconcileAll(): Promise<(ReconcileResult | undefined)[]> {
    return Promise.all(
      this.sessions.map((s) =>
        s.copiesFiles && s.attached
          ? s.reconcile().catch((err) => {
              this.reporter?.warning(s.service, `sync: reconcile failed: ${(err as Error).message}`);
              return undefined;
            })
          : undefined,
      ),
    );
  }

  /** Resolves when every session has nothing pending or in flight. */
  async idle(): Promise<void> {
    await Promise.all(this.sessions.map((s) => s.idle()));
  }

  async close(): Promise<void> {
    await this.watcher.close();
    await Promise.all(this.sessions.map((s) => s.close()));
  }
}
