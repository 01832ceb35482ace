// One (service, watch rule) pair: takes change notifications, coalesces them, and sends each
// batch as soon as the previous one is acknowledged (no fixed debounce). Content is read when
// the batch is built, so the last write wins and a file that vanished becomes a delete. After
// every batch the engine's hook runs the rule's action (restart, exec, rebuild). Without a
// transport (the process runtime, where files are already in place) only the hook runs.

import * as fs from 'node:fs';
import path from 'node:path';
import type { EventSink } from '../model/events.js';
import { now } from '../model/events.js';
import type { WatchRule } from '../model/spec.js';
import type { SyncFigures } from '../model/status.js';
import { firstLine } from '../shared/error-text.js';
import { readFileBeneath } from './host-beneath.js';
import { describeHostEntry, hashHostFiles, realRootOf, walkHostTree } from './host-tree.js';
import { findGitTop, IgnoreMatcher } from './ignore.js';
import { escapeName, hostPath, parentOf, relativeInside } from './paths.js';
import { LatencyWindow, type PendingPath, PendingPaths } from './pending.js';
import type { OpError, SyncOp, SyncTransport } from './transport.js';
import { diffTrees } from './tree-diff.js';
import type { ChangeSet } from './watcher.js';

/** What the engine learns after each batch, to run the rule's action. */
export interface AppliedBatch {
  service: string;
  rule: WatchRule;
  /** Paths (relative to the rule's path) that changed in this batch. */
  paths: string[];
  /** True for batches sent by a reconcile rather than by file events. */
  reconcile: boolean;
}

/** How the engine is called back; restart / exec / rebuild live in the engine, not here. */
export interface SyncHooks {
  onBatchApplied?(batch: AppliedBatch): void | Promise<void>;
}

export interface BatchReport {
  service: string;
  rule: WatchRule;
  files: number;
  bytes: number;
  latencyMs: number;
  errors: number;
  reconcile: boolean;
  figures: SyncFigures;
}

/** Where sessions report; eventSinkReporter() turns it into engine events. */
export interface SyncReporter {
  batch?(report: BatchReport): void;
  warning(service: string, message: string): void;
}

/**
 * Reports into the engine's event stream as a `sync` event (metrics) and a `system` log line, and hands per-service figures
 * (one service may have several watch rules, hence several sessions) to `onFigures`.
 */
export function eventSinkReporter(
  sink: EventSink,
  onFigures?: (service: string, f: SyncFigures) => void,
): SyncReporter {
  const windows = new Map<string, LatencyWindow>();
  return {
    batch(r) {
      let w = windows.get(r.service);
      if (!w) {
        w = new LatencyWindow();
        windows.set(r.service, w);
      }
      w.add(r.latencyMs);
      const figures: SyncFigures = { files: r.files, lastMs: r.latencyMs, p50Ms: w.percentile(50), at: r.figures.at };
      onFigures?.(r.service, figures);
      sink({
        kind: 'sync',
        ts: now(),
        service: r.service,
        files: r.files,
        bytes: r.bytes,
        latencyMs: r.latencyMs,
        errors: r.errors,
        reconcile: r.reconcile,
      });
      const what = r.reconcile ? 'reconciled' : 'synced';
      const refused = r.errors ? `, ${r.errors} refused` : '';
      sink({
        kind: 'log',
        ts: now(),
        service: r.service,
        stream: 'system',
        line: `${what} ${r.files} file${r.files === 1 ? '' : 's'} in ${r.latencyMs.toFixed(1)} ms (p50 ${figures.p50Ms.toFixed(1)} ms)${refused}`,
      });
    },
    warning(service, message) {
      sink({ kind: 'log', ts: now(), service, stream: 'system', line: message });
    },
  };
}

export interface ReconcileOptions {
  /** Trust equal size + mode + mtime as equal content (faster; default false: compare hashes). */
  trustMtime?: boolean;
}

export interface ReconcileResult {
  sent: number;
  removed: number;
  /** Files whose content hash was compared on both sides. */
  compared: number;
  hostEntries: number;
  remoteEntries: number;
  durationMs: number;
}

export interface SyncSessionOptions {
  service: string;
  rule: WatchRule;
  /** Ignore decisions for this rule (default: .gitignore, .dockerignore, rule.ignore, built-ins). */
  filter?: IgnoreMatcher;
  /** Process runtime: nothing is copied; batches only run the hook. */
  local?: boolean;
  transport?: SyncTransport;
  hooks?: SyncHooks;
  reporter?: SyncReporter;
  /** At most this many paths per batch (the rest follow in the next one). */
  maxBatchFiles?: number;
  /** Set the container file's mtime to the host's (default true; reloaders and reconcile like it). */
  preserveMtime?: boolean;
  /** fsync each file in the container before it is renamed into place (default false). */
  fsync?: boolean;
}

const SYNC_ACTIONS = new Set(['sync', 'sync+restart', 'sync+exec']);

export class SyncSession {
  readonly service: string;
  readonly rule: WatchRule;
  readonly filter: IgnoreMatcher;
  readonly root: string;
  private transport: SyncTransport | undefined;
  private readonly local: boolean;
  private readonly hooks: SyncHooks;
  private readonly reporter: SyncReporter | undefined;
  private readonly maxBatchFiles: number;
  private readonly preserveMtime: boolean;
  private readonly fsync: boolean;
  private readonly pending = new PendingPaths();
  private readonly reconcilePaths = new Set<string>();
  /** Directories to rebuild in the container rather than merge into (see ChangeSet.freshDirs). */
  private readonly freshDirs = new Set<string>();
  private readonly latency = new LatencyWindow();
  private last: SyncFigures | undefined;
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private hookChain: Promise<void> = Promise.resolve();
  private closed = false;
  private lostWarned = false;
  private everSynced = false;
  private realRoot: string | undefined;

  constructor(opts: SyncSessionOptions) {
    this.service = opts.service;
    this.rule = opts.rule;
    this.root = path.resolve(opts.rule.path);
    const gitTop = findGitTop(this.root, fs.existsSync);
    this.filter =
      opts.filter ?? new IgnoreMatcher(this.root, { patterns: opts.rule.ignore, ...(gitTop ? { gitTop } : {}) });
    this.local = opts.local ?? false;
    this.transport = opts.transport;
    this.hooks = opts.hooks ?? {};
    this.reporter = opts.reporter;
    this.maxBatchFiles = opts.maxBatchFiles ?? 4000;
    this.preserveMtime = opts.preserveMtime ?? true;
    this.fsync = opts.fsync ?? false;
  }

  /** Whether this rule copies files (sync, sync+restart, sync+exec) or only triggers an action. */
  get copiesFiles(): boolean {
    return SYNC_ACTIONS.has(this.rule.action) && !this.local;
  }

  get attached(): boolean {
    return this.transport !== undefined && !this.transport.closed;
  }

  /** Feeds watcher changes in; paths outside the rule or ignored by it are dropped here. */
  notify(changes: ChangeSet): void {
    if (this.closed) return;
    let added = false;
    for (const abs of changes.paths) {
      const rel = relativeInside(this.root, abs);
      if (rel === undefined) continue;
      if (rel === '') {
        // The rule's path is this very file (Compose allows it, e.g. `rebuild` on package.json).
        if (!this.copiesFiles && abs === this.root) {
          this.pending.add(path.basename(abs), changes.since);
          added = true;
        }
        continue;
      }
      if (this.filter.ignores(abs, false) && this.filter.ignores(abs, true)) continue;
      this.pending.add(rel, changes.since);
      added = true;
    }
    for (const abs of changes.freshDirs ?? []) {
      const rel = relativeInside(this.root, abs);
      if (rel === undefined || rel === '') continue;
      this.freshDirs.add(rel);
      this.pending.add(rel, changes.since);
      added = true;
    }
    if (added) this.kick();
  }

  /**
   * Attaches a transport (a container (re)started or was recreated). With `reconcile`
   * (default: when the rule asks for an initial sync, or this session synced before), the
   * container is brought in line before this resolves: mark the service ready after it.
   */
  async attach(transport: SyncTransport, opts: { reconcile?: boolean } = {}): Promise<ReconcileResult | undefined> {
    this.transport = transport;
    this.lostWarned = false;
    const doReconcile = opts.reconcile ?? (this.rule.initialSync || this.everSynced || this.pending.size > 0);
    if (doReconcile && this.copiesFiles) return this.reconcile();
    this.kick();
    return undefined;
  }

  /** Forgets the transport (container stopped); changes keep queueing for the next attach. */
  detach(): void {
    this.transport = undefined;
    this.wakeIdle();
  }

  /** Resolves once nothing is pending or in flight (or nothing can move without a transport). */
  idle(): Promise<void> {
    if (!this.running && (this.pending.size === 0 || !this.canSend())) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Last batch and median latency, in the engine's status shape. */
  figures(): SyncFigures | undefined {
    return this.last;
  }

  /** Latency percentile over recent batches (for benchmarks). */
  latencyPercentile(p: number): number {
    return this.latency.percentile(p);
  }

  /**
   * Brings the container in line with the host: lists both trees, compares kinds, sizes, modes
   * and (for files alike in those) content hashes, then sends only what differs and deletes
   * what the host lacks, leaving ignored paths alone. Also the answer to a watcher overflow.
   */
  async reconcile(opts: ReconcileOptions = {}): Promise<ReconcileResult> {
    const started = performance.now();
    const transport = this.transport;
    if (!this.copiesFiles) {
      return { sent: 0, removed: 0, compared: 0, hostEntries: 0, remoteEntries: 0, durationMs: 0 };
    }
    if (!transport || transport.closed) throw new Error(`sync: ${this.service}: no connection to reconcile over`);
    const [host, remoteAll] = await Promise.all([
      Promise.resolve().then(() => walkHostTree(this.root, this.filter)),
      transport.list({ prune: this.filter.pruneNames() }),
    ]);
    for (const w of host.warnings) this.warn(w);
    const remote = remoteAll.filter((e) => !this.filter.ignores(hostPath(this.root, e.path), e.kind === 'dir'));
    const diff = diffTrees(host.entries, remote, opts.trustMtime ? { trustMtime: true } : {});
    const send = [...diff.send];
    if (diff.compare.length > 0) {
      const [theirs, ours] = await Promise.all([transport.hash(diff.compare), hashHostFiles(this.root, diff.compare)]);
      for (const p of diff.compare) if (theirs.get(p) === undefined || theirs.get(p) !== ours.get(p)) send.push(p);
    }
    const since = performance.now();
    for (const p of [...send, ...diff.remove]) {
      this.pending.add(p, since);
      this.reconcilePaths.add(p);
    }
    this.kick();
    await this.idle();
    return {
      sent: send.length,
      removed: diff.remove.length,
      compared: diff.compare.length,
      hostEntries: host.entries.length,
      remoteEntries: remote.length,
      durationMs: performance.now() - started,
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.pending.clear();
    this.wakeIdle();
    await this.hookChain;
  }

  // ---- the batch loop ----

  private canSend(): boolean {
    if (this.closed) return false;
    if (!this.copiesFiles) return true;
    return this.transport !== undefined && !this.transport.closed;
  }

  private kick(): void {
    if (this.running || this.pending.size === 0) {
      if (!this.running) this.wakeIdle();
      return;
    }
    if (!this.canSend()) {
      if (this.transport?.closed) {
        this.transport = undefined;
        this.warnLost('the channel closed (container stopped or restarted?)');
      }
      this.wakeIdle();
      return;
    }
    this.running = true;
    queueMicrotask(() => {
      this.loop().catch((err) => this.warn(`sync: ${this.service}: ${String((err as Error)?.message ?? err)}`));
    });
  }

  private async loop(): Promise<void> {
    try {
      while (this.pending.size > 0 && this.canSend()) {
        const items = this.pending.take(this.maxBatchFiles);
        const ok = this.copiesFiles ? await this.sendBatch(items) : this.runActionOnly(items);
        if (!ok) break;
      }
    } finally {
      this.running = false;
      this.wakeIdle();
    }
  }

  private runActionOnly(items: PendingPath[]): boolean {
    const latencyMs = performance.now() - Math.min(...items.map((i) => i.since));
    this.record(items.length, 0, latencyMs, 0, false);
    this.callHook(
      items.map((i) => i.path),
      false,
    );
    return true;
  }

  private async sendBatch(items: PendingPath[]): Promise<boolean> {
    const transport = this.transport!;
    this.realRoot ??= await fs.promises.realpath(this.root).catch(() => this.root);
    const parentOk = new Map<string, boolean>();
    const warnings: string[] = [];
    const resolved: (SyncOp | undefined)[] = [];
    for (let i = 0; i < items.length; i++) {
      // Large batches yield now and then so watcher events keep flowing.
      if (i > 0 && i % 500 === 0) await new Promise((r) => setImmediate(r));
      resolved.push(this.resolveOp(items[i]!.path, parentOk, warnings));
    }
    for (const w of warnings) this.warn(w);
    const ops: SyncOp[] = [];
    for (const [i, op] of resolved.entries()) {
      if (!op) continue;
      const rel = items[i]!.path;
      // A directory that appeared here replaces whatever the container had at this path.
      if (this.freshDirs.delete(rel) && op.op === 'mkdir') ops.push({ op: 'delete', path: rel });
      ops.push(op);
    }
    const isReconcile = items.every((i) => this.reconcilePaths.has(i.path));
    for (const i of items) this.reconcilePaths.delete(i.path);
    if (ops.length === 0) return true;
    let result: Awaited<ReturnType<SyncTransport['apply']>>;
    try {
      result = await transport.apply(ops);
    } catch (err) {
      this.pending.restore(items);
      if (this.transport === transport) this.transport = undefined;
      this.warnLost(firstLine(err));
      return false;
    }
    this.everSynced = true;
    const latencyMs = performance.now() - Math.min(...items.map((i) => i.since));
    this.reportErrors(result.errors);
    this.record(ops.length, result.bytes, latencyMs, result.errors.length, isReconcile);
    const failed = new Set(result.errors.map((e) => e.path));
    this.callHook(
      ops.map((o) => o.path).filter((p) => !failed.has(p)),
      isReconcile,
    );
    return true;
  }

  /**
   * Reads the host's current state of one path and turns it into the op that reproduces it.
   * Synchronous on purpose: a sync lstat/read costs microseconds where the promise versions
   * cost a thread-pool round trip each; sendBatch yields between chunks.
   */
  private resolveOp(rel: string, parentOk: Map<string, boolean>, warnings: string[]): SyncOp | undefined {
    const abs = hostPath(this.root, rel);
    // The parent must still be a real directory at this place. If it is gone or became a
    // file or symlink, the parent's own event carries the change (and takes this path with
    // it in the container); reading through a host symlink here would copy the wrong thing.
    const parent = parentOf(rel);
    let ok = parentOk.get(parent);
    if (ok === undefined) {
      try {
        ok =
          fs.realpathSync.native(hostPath(this.root, parent)) ===
          (parent === '' ? this.realRoot : `${this.realRoot}/${parent}`);
      } catch {
        ok = false;
      }
      parentOk.set(parent, ok);
    }
    if (!ok) return undefined;
    let st: fs.Stats;
    try {
      st = fs.lstatSync(abs);
    } catch {
      return { op: 'delete', path: rel };
    }
    if (this.filter.ignores(abs, st.isDirectory())) return undefined;
    const entry = describeHostEntry(rel, abs, st, warnings);
    if (!entry) return { op: 'delete', path: rel };
    if (entry.kind === 'dir') return { op: 'mkdir', path: rel, mode: entry.mode };
    if (entry.kind === 'symlink') return { op: 'symlink', path: rel, target: entry.linkTarget! };
    let data: Buffer;
    try {
      // Never through a symlink, not even a parent swapped for one since the check above.
      data = readFileBeneath(this.realRoot ?? realRootOf(this.root), rel);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return { op: 'delete', path: rel };
      if (code === 'ELOOP') return undefined; // the link's own event carries the change
      if (code === 'EISDIR') return { op: 'mkdir', path: rel, mode: 0o755 };
      warnings.push(`sync: ${this.service}: cannot read ${escapeName(rel)} (${code}); not synced`);
      return undefined;
    }
    return {
      op: 'write',
      path: rel,
      mode: entry.mode,
      data,
      ...(this.preserveMtime ? { mtimeMs: st.mtimeMs } : {}),
      ...(this.fsync ? { fsync: true } : {}),
    };
  }

  private reportErrors(errors: readonly OpError[]): void {
    const shown = errors.slice(0, 20);
    for (const e of shown) {
      this.warn(
        `sync: ${this.service}: refused ${e.op} of ${escapeName(e.path)} in ${this.rule.target ?? 'the container'}: ${e.message}`,
      );
    }
    if (errors.length > shown.length)
      this.warn(`sync: ${this.service}: … and ${errors.length - shown.length} more refused`);
  }

  private record(files: number, bytes: number, latencyMs: number, errors: number, reconcile: boolean): void {
    this.latency.add(latencyMs);
    this.last = { files, lastMs: latencyMs, p50Ms: this.latency.percentile(50), at: now() };
    this.reporter?.batch?.({
      service: this.service,
      rule: this.rule,
      files,
      bytes,
      latencyMs,
      errors,
      reconcile,
      figures: this.last,
    });
  }

  private callHook(paths: string[], reconcile: boolean): void {
    const hook = this.hooks.onBatchApplied;
    if (!hook || paths.length === 0) return;
    const batch: AppliedBatch = { service: this.service, rule: this.rule, paths, reconcile };
    // Actions run one after another, never blocking the next batch from being sent.
    this.hookChain = this.hookChain
      .then(() => hook(batch))
      .catch((err) => this.warn(`sync: ${this.service}: ${this.rule.action} failed: ${firstLine(err)}`));
  }

  private warnLost(why: string): void {
    if (this.lostWarned) return;
    this.lostWarned = true;
    this.warn(
      `sync: ${this.service}: lost the connection to the container (${why}); ` +
        'changes are kept and sent after a reconcile when it is back',
    );
  }

  private warn(message: string): void {
    if (this.reporter) this.reporter.warning(this.service, message);
  }

  private wakeIdle(): void {
    if (this.running) return;
    if (this.pending.size > 0 && this.canSend()) return;
    for (const w of this.idleWaiters.splice(0)) w();
  }
}
