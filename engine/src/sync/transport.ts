// What a sync transport is: something that makes paths under one container directory equal
// to host state, and can list that directory. Implemented by the agent channel (any stream:
// docker exec, kubectl exec, a local pipe) and by the Docker archive fallback.

/** One change, already resolved against the host: "make this path be exactly this". */
export type SyncOp =
  | { op: 'write'; path: string; mode: number; mtimeMs?: number; fsync?: boolean; data: Uint8Array }
  | { op: 'mkdir'; path: string; mode: number; mtimeMs?: number }
  | { op: 'symlink'; path: string; target: string }
  | { op: 'delete'; path: string };

export interface OpError {
  path: string;
  op: SyncOp['op'];
  /** errno name (`EACCES`) or an agent refusal (`ESYMLINK`, `EBADPATH`, `ELINKOUT`). */
  code: string;
  message: string;
}

export interface ApplyResult {
  ops: number;
  bytes: number;
  errors: OpError[];
  /** Wall time from first byte sent to the acknowledgement. */
  durationMs: number;
}

export type EntryKind = 'file' | 'dir' | 'symlink' | 'other';

/** One entry of a tree listing (host or container), path relative to the root in POSIX form. */
export interface TreeEntry {
  path: string;
  kind: EntryKind;
  /** Permission bits only (mode & 0o7777). */
  mode: number;
  size: number;
  mtimeMs: number;
  linkTarget?: string;
  /** Hex SHA-1 of a file's content, when known. */
  hash?: string;
}

export interface ListOptions {
  /** Hash every file's content in the container (slower; reconcile normally asks only for candidates). */
  hashes?: boolean;
  /** Directory basenames (or `/root-relative/paths`) not to descend into. */
  prune?: readonly string[];
}

export interface SyncTransport {
  /** `agent`: the fast framed channel; `archive`: the putArchive fallback. */
  readonly kind: 'agent' | 'archive';
  /** Absolute container directory this transport writes under. */
  readonly target: string;
  /** Applies ops in order, each one atomically; resolves once the container acknowledged them. */
  apply(ops: readonly SyncOp[]): Promise<ApplyResult>;
  /** Lists the target tree (not following symlinks). */
  list(opts?: ListOptions): Promise<TreeEntry[]>;
  /** Content hashes of the given files (undefined for a path that is not a readable file). */
  hash(paths: readonly string[]): Promise<Map<string, string | undefined>>;
  /** True once the underlying channel has failed or was closed; a new transport is needed. */
  readonly closed: boolean;
  close(): Promise<void>;
}

/** Raised when a channel dies (container stopped or restarted, exec killed). */
export class ChannelClosedError extends Error {
  override readonly name = 'ChannelClosedError';
}
