// One watcher per project, over the sync roots only. Built on Node's non-recursive fs.watch,
// one per directory, so ignored directories (node_modules, .git) get no OS watch at all: that
// is what makes it start in a fraction of a second on a 50,000-file tree where chokidar takes
// seconds (numbers in docs/sync.md). Events are handed on in the same loop turn (setImmediate),
// with no debounce: coalescing is the sync session's job.
//
// On macOS (and Windows) one recursive fs.watch per root instead (FSEvents): libuv gathers every
// watched directory of a process into one FSEvents stream and rebuilds it for each directory
// added, so thousands of per-directory watches start slowly there; one recursive watch per root
// costs nothing per directory, and events inside ignored directories are dropped on arrival.
// The directory bookkeeping is the same in both modes. There are no inotify limits on macOS.
//
// Limits handled: inotify watches (ENOSPC) or descriptors (EMFILE) running out switch the
// directories that could not be watched to polling, with one warning; a watcher error rescans
// that directory's subtree; an event burst near the kernel queue size (where inotify may have
// dropped events, which libuv does not report) raises `overflow` so sessions reconcile.

import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import path from 'node:path';
import { inotifyLimit } from '../platform/inotify-limits.js';
import { escapeName } from './paths.js';

/** What decides that a path under a root is ignored (IgnoreMatcher implements it). */
export interface PathFilter {
  /** Ignored, given that the parent directory is not. */
  ignoresDirect(abs: string, isDir: boolean): boolean;
  /** True for files whose change alters the filter (.gitignore, .dockerignore). */
  isIgnoreFile?(abs: string): boolean;
  /** Forget cached decisions (an ignore file changed). */
  invalidate?(): void;
}

export interface WatchRoot {
  /** Absolute path of a directory (watched recursively) or of one file. */
  path: string;
  filter?: PathFilter;
}

export interface ChangeSet {
  /** Absolute paths that changed (created, modified, deleted, renamed from or to). */
  paths: string[];
  /**
   * Directories that appeared at a path (created, renamed or moved there, or replaced). The
   * container's copy must be rebuilt, not merged into: a directory renamed away and another
   * put in its place would otherwise keep the old one's contents there. Their contents are
   * all in `paths`.
   */
  freshDirs?: string[];
  /** performance.now() of the earliest event in the set. */
  since: number;
}

export interface ProjectWatcherOptions {
  /** Poll everything instead of using fs.watch (for file systems without inotify). */
  poll?: boolean;
  pollIntervalMs?: number;
  /** Events in one loop turn at which `overflow` is raised (default: half the kernel queue). */
  overflowEvents?: number;
  /**
   * One recursive OS watch per root (default on macOS and Windows) instead of one per directory
   * (Linux: inotify is per directory anyway, and recursive there is Node's own emulation).
   */
  recursive?: boolean;
  /** fs.watch stand-in (tests inject failures like ENOSPC); `recursive` for a root's recursive watch. */
  watchFn?: (
    dir: string,
    listener: (event: string, name: string | Buffer | null) => void,
    recursive: boolean,
  ) => fs.FSWatcher;
}

interface DirNode {
  abs: string;
  root: WatchRoot;
  ino: number;
  watcher?: fs.FSWatcher;
  /** Recursive mode: watched by its root's recursive watch. */
  covered?: boolean;
  /** Set when this directory is polled: the last snapshot of its entries. */
  snapshot?: Map<string, string>;
  /** Date.now() when the snapshot was taken. */
  snapshotAt?: number;
  /** For a single-file root: the only name reported from this directory. */
  onlyName?: string;
}

export interface WatcherStats {
  watchedDirs: number;
  polledDirs: number;
  mode: 'watch' | 'poll' | 'mixed';
}

export interface ProjectWatcherEvents {
  changes: [ChangeSet];
  overflow: [string];
  warning: [string];
  ready: [];
}

export class ProjectWatcher extends EventEmitter<ProjectWatcherEvents> {
  private readonly roots: WatchRoot[];
  private readonly opts: ProjectWatcherOptions;
  private readonly dirs = new Map<string, DirNode>();
  private pending = new Set<string>();
  private pendingSince = 0;
  private flushScheduled = false;
  /** Paths whose directory-ness must be re-checked; true when the event was a rename (appear/disappear). */
  private readonly structural = new Map<string, boolean>();
  private fresh: string[] = [];
  private pollMode: boolean;
  private readonly recursive: boolean;
  private pollReason = '';
  private pollTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private started = false;
  private readonly overflowEvents: number;
  private eventsThisTurn = 0;

  constructor(roots: readonly WatchRoot[], opts: ProjectWatcherOptions = {}) {
    super();
    this.roots = roots.map((r) => ({ ...r, path: path.resolve(r.path) }));
    this.opts = opts;
    this.pollMode = opts.poll ?? false;
    this.recursive = opts.recursive ?? (process.platform === 'darwin' || process.platform === 'win32');
    this.overflowEvents = opts.overflowEvents ?? Math.floor(readQueueLimit() / 2);
  }

  /** Walks the roots and sets up watches; resolves when every non-ignored directory is watched. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    for (const root of this.roots) {
      let st: fs.Stats;
      try {
        st = fs.lstatSync(root.path);
      } catch {
        this.emit('warning', `sync: watch path ${escapeName(root.path)} does not exist; it is not watched`);
        continue;
      }
      if (st.isDirectory()) this.addTree(root.path, root, false);
      else this.addDir(path.dirname(root.path), root, path.basename(root.path));
    }
    if (this.pollMode) this.ensurePollTimer();
    this.emit('ready');
  }

  stats(): WatcherStats {
    let watched = 0;
    let polled = 0;
    for (const d of this.dirs.values()) {
      if (d.watcher || d.covered) watched++;
      else if (d.snapshot) polled++;
    }
    return {
      watchedDirs: watched,
      polledDirs: polled,
      mode: polled === 0 ? 'watch' : watched === 0 ? 'poll' : 'mixed',
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    for (const d of this.dirs.values()) d.watcher?.close();
    this.dirs.clear();
  }

  // ---- tree bookkeeping ----

  /** Adds `abs` and every non-ignored directory below it; with `emitContents`, reports all it finds. */
  private addTree(abs: string, root: WatchRoot, emitContents: boolean): void {
    const stack = [abs];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      if (this.closed || this.dirs.has(dir)) continue;
      if (!this.addDir(dir, root)) continue;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        continue; // vanished meanwhile: its parent's event reports it
      }
      for (const e of entries) {
        const child = `${dir}/${e.name}`;
        const isDir = e.isDirectory();
        if (root.filter?.ignoresDirect(child, isDir)) continue;
        if (emitContents) this.note(child);
        if (isDir) stack.push(child);
      }
    }
  }

  /** Starts watching (or polling) one directory. Returns false if it is gone. */
  private addDir(abs: string, root: WatchRoot, onlyName?: string): boolean {
    let ino: number;
    try {
      ino = fs.lstatSync(abs).ino;
    } catch {
      return false;
    }
    const node: DirNode = { abs, root, ino, ...(onlyName ? { onlyName } : {}) };
    this.dirs.set(abs, node);
    if (!this.pollMode && this.recursive && !onlyName) {
      if (abs !== root.path) {
        node.covered = true; // the root's recursive watch sees it
        return true;
      }
      try {
        node.watcher = this.watchFn()(abs, (event, name) => this.onRecursiveEvent(node, event, name), true);
        node.watcher.on('error', () => this.onWatchError(node));
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
          this.dirs.delete(abs);
          return false;
        }
        this.switchToPolling((err as NodeJS.ErrnoException).code);
      }
    } else if (!this.pollMode) {
      try {
        node.watcher = this.watchFn()(abs, (event, name) => this.onEvent(node, event, name), false);
        node.watcher.on('error', () => this.onWatchError(node));
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOSPC' && code !== 'EMFILE' && code !== 'ENFILE') {
          if (code === 'ENOENT') {
            this.dirs.delete(abs);
            return false;
          }
          throw err;
        }
        this.switchToPolling(code);
      }
    }
    node.snapshotAt = Date.now();
    node.snapshot = snapshotDir(abs);
    this.ensurePollTimer();
    return true;
  }

  private watchFn(): NonNullable<ProjectWatcherOptions['watchFn']> {
    return this.opts.watchFn ?? ((d, l, recursive) => fs.watch(d, { persistent: true, recursive }, l));
  }

  private removeTree(abs: string): void {
    const prefix = `${abs}/`;
    for (const [p, node] of this.dirs) {
      if (p === abs || p.startsWith(prefix)) {
        node.watcher?.close();
        this.dirs.delete(p);
      }
    }
  }

  private switchToPolling(code: string | undefined): void {
    if (this.pollReason) return;
    this.pollReason = code ?? 'unknown';
    const limit = inotifyLimit('max_user_watches');
    const how =
      code === 'ENOSPC'
        ? `the inotify watch limit is reached (fs.inotify.max_user_watches = ${limit ?? '?'}). ` +
          'Raise it: `sudo sysctl fs.inotify.max_user_watches=524288`, and add ' +
          '`fs.inotify.max_user_watches=524288` to /etc/sysctl.conf to keep it'
        : `the process ran out of file descriptors (${code}). Raise the limit: \`ulimit -n 65536\``;
    this.emit(
      'warning',
      `sync: ${how}. Directories not yet watched are polled every ${this.pollInterval()} ms instead (slower, more CPU).`,
    );
    this.pollMode = true;
  }

  private pollInterval(): number {
    return this.opts.pollIntervalMs ?? 1000;
  }

  private ensurePollTimer(): void {
    if (this.pollTimer || this.closed) return;
    this.pollTimer = setInterval(() => this.pollOnce(), this.pollInterval());
    this.pollTimer.unref?.();
  }

  /** Compares every polled directory with its last snapshot and reports the differences. */
  pollOnce(): void {
    for (const node of [...this.dirs.values()]) {
      if (!node.snapshot || this.closed) continue;
      const takenAt = Date.now();
      const next = snapshotDir(node.abs);
      const prev = node.snapshot;
      const prevAt = node.snapshotAt ?? 0;
      node.snapshot = next;
      node.snapshotAt = takenAt;
      for (const [name, sig] of next) {
        const before = prev.get(name);
        if (before === sig) {
          // "Racy" entries (as in git): modified so close to the previous snapshot that a second
          // write with the same size could share its timestamp. Report them once more.
          const mtime = Number(sig.split(':')[4]);
          if (mtime >= prevAt - RACY_MS) this.onEvent(node, 'change', name);
          continue;
        }
        // Same inode and kind: a modification ('change'); anything else appeared or was replaced.
        const sameThing = before !== undefined && before.split(':', 2).join(':') === sig.split(':', 2).join(':');
        this.onEvent(node, sameThing ? 'change' : 'rename', name);
      }
      for (const name of prev.keys()) if (!next.has(name)) this.onEvent(node, 'rename', name);
    }
  }

  // ---- events ----

  private onEvent(node: DirNode, event: string, name: string | Buffer | null): void {
    if (this.closed) return;
    if (name === null || name === undefined) {
      // The OS could not tell which entry changed: rescan this directory.
      this.onWatchError(node);
      return;
    }
    const base = typeof name === 'string' ? name : name.toString('utf8');
    if (node.onlyName !== undefined && base !== node.onlyName) return;
    const abs = `${node.abs}/${base}`;
    const filter = node.root.filter;
    if (filter?.isIgnoreFile?.(abs)) {
      this.ignoreRulesChanged();
    } else if (filter) {
      const asFile = filter.ignoresDirect(abs, false);
      const asDir = filter.ignoresDirect(abs, true);
      if (asFile && asDir) return;
      if (asFile !== asDir) {
        let isDir = false;
        try {
          isDir = fs.lstatSync(abs).isDirectory();
        } catch {
          // gone: report it (a delete of an ignored path is harmless)
        }
        if (isDir ? asDir : asFile) return;
      }
    }
    if (event === 'rename') this.structural.set(abs, true);
    else if (this.dirs.has(abs) && !this.structural.has(abs)) this.structural.set(abs, false);
    this.note(abs);
  }

  /** Recursive mode: an event anywhere under a root, handed to the directory it happened in. */
  private onRecursiveEvent(rootNode: DirNode, event: string, name: string | Buffer | null): void {
    if (this.closed) return;
    if (name === null || name === undefined) {
      this.onWatchError(rootNode);
      return;
    }
    const rel = typeof name === 'string' ? name : name.toString('utf8');
    const parts = rel.split(path.sep).filter(Boolean);
    if (parts.length === 0) return;
    // Walk down to the directory the event happened in. A directory on the way that is not
    // ours (ignored: the parent's filter drops it) or no longer the one we knew (it appeared or
    // was replaced, and its own event may never come: Node's emulation on Linux skips it) is
    // handed to its parent as a rename, which rescans it.
    let dir = rootNode;
    for (const part of parts.slice(0, -1)) {
      const next = this.dirs.get(`${dir.abs}/${part}`);
      if (!next || (event === 'rename' && !sameInode(next))) {
        this.onEvent(dir, 'rename', part);
        return;
      }
      dir = next;
    }
    this.onEvent(dir, event, parts.at(-1)!);
  }

  private note(abs: string): void {
    if (this.pending.size === 0) this.pendingSince = performance.now();
    this.pending.add(abs);
    this.eventsThisTurn++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    if (this.closed) return;
    const burst = this.eventsThisTurn;
    this.eventsThisTurn = 0;
    // Directory structure first: new directories are watched and their contents reported.
    if (this.structural.size > 0) {
      const items = [...this.structural].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      this.structural.clear();
      for (const [abs, renamed] of items) {
        // Inside a directory rescanned in this same turn: already watched and reported.
        if (this.fresh.some((d) => abs.startsWith(`${d}/`))) continue;
        this.checkDir(abs, renamed);
      }
      this.eventsThisTurn = 0;
    }
    if (this.pending.size === 0) return;
    const paths = [...this.pending];
    const since = this.pendingSince;
    const freshDirs = this.fresh;
    this.pending = new Set();
    this.fresh = [];
    this.emit('changes', freshDirs.length > 0 ? { paths, since, freshDirs } : { paths, since });
    if (burst >= this.overflowEvents) {
      this.emit('overflow', `${burst} events in one turn: the kernel queue may have overflowed`);
    }
  }

  /**
   * After an event on `abs`: start, stop or restart watching it as a directory. A directory
   * that appeared by a rename-type event is rescanned from scratch and reported as fresh.
   */
  private checkDir(abs: string, renamed: boolean): void {
    let st: fs.Stats | undefined;
    try {
      st = fs.lstatSync(abs);
    } catch {
      st = undefined;
    }
    const node = this.dirs.get(abs);
    if (node?.onlyName) return;
    const isDir = st?.isDirectory() ?? false;
    if (node && (!isDir || node.ino !== st!.ino || renamed)) this.removeTree(abs);
    if (isDir && !this.dirs.has(abs)) {
      const root = this.rootOf(abs);
      if (root && !root.filter?.ignoresDirect(abs, true)) {
        this.fresh.push(abs);
        this.addTree(abs, root, true);
      }
    }
  }

  private rootOf(abs: string): WatchRoot | undefined {
    const parent = this.dirs.get(path.dirname(abs));
    if (parent && !parent.onlyName) return parent.root;
    return undefined;
  }

  private onWatchError(node: DirNode): void {
    if (this.closed) return;
    node.watcher?.close();
    this.removeTree(node.abs);
    if (node.onlyName) {
      this.addDir(node.abs, node.root, node.onlyName);
      this.note(`${node.abs}/${node.onlyName}`);
      return;
    }
    try {
      if (!fs.lstatSync(node.abs).isDirectory()) return;
    } catch {
      return;
    }
    // Events in this subtree may be lost: rescan it, and have the sessions reconcile.
    this.note(node.abs);
    this.addTree(node.abs, node.root, true);
    this.emit('overflow', `watch error in ${escapeName(node.abs)}`);
  }

  /**
   * Walk the roots again: after this process was suspended (a laptop asleep, SIGSTOP) the
   * kernel's queue may have overflowed unseen. Directories replaced meanwhile are watched anew,
   * new ones get their watch, and `overflow` makes the sessions reconcile.
   */
  rescan(reason: string): void {
    if (this.closed || !this.started) return;
    for (const [abs, node] of [...this.dirs]) {
      if (node.onlyName || abs === node.root.path || !this.dirs.has(abs)) continue;
      if (!sameInode(node)) this.removeTree(abs);
    }
    for (const r of this.roots) {
      if (this.dirs.has(r.path) && !this.dirs.get(r.path)!.onlyName) this.addMissing(r);
    }
    this.emit('overflow', reason);
  }

  private ignoreRulesChanged(): void {
    for (const r of this.roots) r.filter?.invalidate?.();
    // Re-walk: directories ignored until now get watches, newly ignored ones lose theirs.
    for (const [abs, node] of [...this.dirs]) {
      if (node.onlyName || abs === node.root.path) continue;
      if (node.root.filter?.ignoresDirect(abs, true)) this.removeTree(abs);
    }
    for (const r of this.roots) {
      if (this.dirs.has(r.path) && !this.dirs.get(r.path)!.onlyName) this.addMissing(r);
    }
    this.emit('overflow', 'ignore rules changed');
  }

  private addMissing(root: WatchRoot): void {
    const stack = [root.path];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      if (!this.dirs.has(dir) && !this.addDir(dir, root)) continue;
      let entries: fs.Dirent[] = [];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {}
      for (const e of entries) {
        const child = `${dir}/${e.name}`;
        if (e.isDirectory() && !root.filter?.ignoresDirect(child, true)) stack.push(child);
      }
    }
  }
}

/** File timestamps are coarse (a kernel tick): changes this close to a snapshot are re-reported. */
const RACY_MS = 50;

function snapshotDir(abs: string): Map<string, string> {
  const out = new Map<string, string>();
  let names: string[];
  try {
    names = fs.readdirSync(abs);
  } catch {
    return out;
  }
  for (const name of names) {
    try {
      const st = fs.lstatSync(`${abs}/${name}`);
      // A directory's own mtime moves with its contents, which its own poll reports: only its
      // identity and mode matter here.
      const kind = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f';
      out.set(
        name,
        kind === 'd' ? `${st.ino}:d:${st.mode}` : `${st.ino}:${kind}:${st.mode}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`,
      );
    } catch {}
  }
  return out;
}

function sameInode(node: DirNode): boolean {
  try {
    return fs.lstatSync(node.abs).ino === node.ino;
  } catch {
    return false;
  }
}

function readQueueLimit(): number {
  // macOS (FSEvents, kqueue) has no such queue to overflow silently: the same default serves.
  return inotifyLimit('max_queued_events') ?? 16384;
}
