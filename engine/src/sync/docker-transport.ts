// The only sync file that talks to Docker. Preferred: copy the static agent into the container
// once (putArchive) and keep one `docker exec -i` open per container, carrying framed batches.
// Fallback, when the agent cannot run there (other architecture, no writable+executable place,
// no gcc on the host, or forced): putArchive for writes, an `rm` exec for deletes, and a
// getArchive download for listings. Slower (tens of ms per batch) and logged as such.

import { createHash } from 'node:crypto';
import { PassThrough, type Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import type Dockerode from 'dockerode';
import * as tarStream from 'tar-stream';
import { firstLine } from '../shared/error-text.js';
import { agentArchOf, buildAgent, dockerArch } from './agent-binary.js';
import { AgentChannel, type ByteChannel } from './agent-channel.js';
import { archiveSegments, type ContainerKind, planArchiveSegment } from './archive-plan.js';
import { isSafeRelativePath, linkStaysInside } from './paths.js';
import type { ApplyResult, ListOptions, OpError, SyncOp, SyncTransport, TreeEntry } from './transport.js';
import { ChannelClosedError } from './transport.js';

export interface DockerChannelOptions {
  /** User the agent runs as (default: the container's user). */
  user?: string;
  /** Skip the agent and use the archive fallback (for tests, or containers known to need it). */
  forceArchive?: boolean;
  /** Directories tried, in order, for the agent binary (must be writable via the archive API and executable). */
  agentDirs?: readonly string[];
  /** Told once why the fallback is in use, and of anything else worth a person's attention. */
  onWarning?: (message: string) => void;
}

/** One sync channel into one container: the agent's exec stream or the archive fallback. */
export interface DockerSyncChannel {
  readonly kind: 'agent' | 'archive';
  /** Why the archive fallback is in use (undefined for the agent). */
  readonly fallbackReason?: string;
  /** A transport writing under the absolute container directory `target` (created if missing). */
  target(target: string): Promise<SyncTransport>;
  readonly closed: boolean;
  onClosed(cb: (err: Error) => void): void;
  close(): Promise<void>;
}

const DEFAULT_AGENT_DIRS = ['/.devenv', '/tmp/.devenv', '/dev/shm/.devenv'];

/** Opens the sync channel into a running container, preferring the agent. */
export async function openDockerChannel(
  docker: Dockerode,
  containerId: string,
  opts: DockerChannelOptions = {},
): Promise<DockerSyncChannel> {
  const container = docker.getContainer(containerId);
  const state = (await container.inspect()).State;
  if (!state?.Running) throw new Error(`sync: container ${containerId.slice(0, 12)} is not running`);
  let reason = 'forced by option';
  if (!opts.forceArchive) {
    const attempt = await tryAgent(docker, container, opts);
    if ('channel' in attempt) return attempt.channel;
    reason = attempt.reason;
  }
  const warn = opts.onWarning ?? (() => {});
  const rmWorks = await probeRm(container);
  warn(
    `sync: using the slower archive fallback for this container (${reason}); each batch costs tens of ms` +
      (rmWorks ? '' : '; the container has no `rm`, so deletions cannot be applied'),
  );
  return new ArchiveChannel(container, rmWorks, reason, warn);
}

/** Opens a channel and one target on it; closing the transport closes the channel. */
export async function openDockerTransport(
  docker: Dockerode,
  containerId: string,
  targetRoot: string,
  opts: DockerChannelOptions = {},
): Promise<SyncTransport & { channel: DockerSyncChannel }> {
  const channel = await openDockerChannel(docker, containerId, opts);
  const t = await channel.target(targetRoot);
  return Object.assign(Object.create(t) as SyncTransport, {
    channel,
    kind: t.kind,
    target: t.target,
    apply: t.apply.bind(t),
    list: t.list.bind(t),
    hash: t.hash.bind(t),
    get closed() {
      return t.closed;
    },
    close: () => channel.close(),
  });
}

async function tryAgent(
  docker: Dockerode,
  container: Dockerode.Container,
  opts: DockerChannelOptions,
): Promise<{ channel: DockerSyncChannel } | { reason: string }> {
  const info = await container.inspect();
  const image = await docker
    .getImage(info.Image)
    .inspect()
    .catch(() => undefined);
  if (image?.Os && image.Os !== 'linux') return { reason: `container OS is ${image.Os}` };
  // The image's architecture (an arm64 image on Apple silicon, an amd64 one under emulation), else the engine's.
  const arch =
    image?.Architecture ??
    (await docker
      .info()
      .then((i: { Architecture?: string }) => agentArchOf(i.Architecture))
      .catch(() => undefined)) ??
    dockerArch();
  const built = await buildAgent({ arch });
  if (!built.ok || !built.path) return { reason: `no agent binary: ${built.reason}` };
  const { readFile } = await import('node:fs/promises');
  const binary = await readFile(built.path);
  const failures: string[] = [];
  for (const dir of opts.agentDirs ?? DEFAULT_AGENT_DIRS) {
    const agentPath = `${dir}/devenv-sync-agent`;
    const parent = dir.slice(0, dir.lastIndexOf('/')) || '/';
    const base = dir.slice(dir.lastIndexOf('/') + 1);
    try {
      // Extract into the parent itself: Docker allows writes to a volume (e.g. /tmp) even on a
      // read-only root, but judges by the extraction path, not by the entries.
      await container.putArchive(await tarOf([{ name: `${base}/devenv-sync-agent`, mode: 0o755, data: binary }]), {
        path: parent,
      });
    } catch (err) {
      failures.push(`${dir}: copy failed (${firstLine(err, 200)})`);
      continue;
    }
    try {
      const io = await execStream(container, [agentPath], opts.user);
      const channel = await AgentChannel.open(io, 10_000);
      return { channel: new AgentDockerChannel(channel) };
    } catch (err) {
      failures.push(`${dir}: agent did not start (${firstLine(err, 200)})`);
    }
  }
  return { reason: failures.join('; ') };
}

class AgentDockerChannel implements DockerSyncChannel {
  readonly kind = 'agent' as const;
  private readonly targets = new Map<string, Promise<SyncTransport>>();

  constructor(private readonly channel: AgentChannel) {}

  target(target: string): Promise<SyncTransport> {
    let t = this.targets.get(target);
    if (!t) {
      t = this.channel.openTarget(target, { create: true });
      this.targets.set(target, t);
      t.catch(() => this.targets.delete(target));
    }
    return t;
  }

  get closed(): boolean {
    return this.channel.closed;
  }

  onClosed(cb: (err: Error) => void): void {
    this.channel.onClosed(cb);
  }

  close(): Promise<void> {
    return this.channel.close();
  }
}

/** Splits Docker's multiplexed exec stream (8-byte headers: stream, 0,0,0, big-endian length). */
export class DockerStreamDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private want = 0;
  private streamType = 0;

  constructor(
    private readonly onStdout: (chunk: Buffer) => void,
    private readonly onStderr: (chunk: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    let buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    for (;;) {
      if (this.want === 0) {
        if (buf.length < 8) break;
        this.streamType = buf[0]!;
        this.want = buf.readUInt32BE(4);
        buf = buf.subarray(8);
        continue;
      }
      if (buf.length === 0) break;
      const take = Math.min(this.want, buf.length);
      const payload = buf.subarray(0, take);
      if (this.streamType === 2) this.onStderr(payload);
      else this.onStdout(payload);
      this.want -= take;
      buf = buf.subarray(take);
    }
    this.pending = buf.length ? Buffer.from(buf) : Buffer.alloc(0);
  }
}

async function execStream(container: Dockerode.Container, cmd: string[], user?: string): Promise<ByteChannel> {
  const exec = await container.exec({
    Cmd: cmd,
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    ...(user ? { User: user } : {}),
  });
  const socket = (await exec.start({ hijack: true, stdin: true })) as unknown as NodeJS.ReadWriteStream & {
    destroy(): void;
    setNoDelay?(v: boolean): void;
  };
  socket.setNoDelay?.(true);
  let stderr = '';
  let onData: (c: Buffer) => void = () => {};
  const demux = new DockerStreamDemuxer(
    (c) => onData(c),
    (c) => {
      stderr = (stderr + c.toString('utf8')).slice(-2000);
    },
  );
  socket.on('data', (c: Buffer) => demux.push(c));
  const closeCbs: ((err?: Error) => void)[] = [];
  let done = false;
  const finish = (err?: Error) => {
    if (done) return;
    done = true;
    const why = err?.message ?? 'exec stream ended';
    for (const cb of closeCbs) cb(new ChannelClosedError(`${why}${stderr ? `: ${stderr.trim()}` : ''}`));
  };
  socket.on('end', () => finish());
  socket.on('close', () => finish());
  socket.on('error', (e: Error) => finish(e));
  return {
    write(chunks) {
      // One writev instead of three syscalls per op (header, path, data).
      const s = socket as unknown as { cork?(): void; uncork?(): void };
      s.cork?.();
      for (const c of chunks) socket.write(c);
      process.nextTick(() => s.uncork?.());
    },
    onData(cb) {
      onData = cb;
    },
    onClose(cb) {
      closeCbs.push(cb);
    },
    async close() {
      socket.end();
      await new Promise((r) => setTimeout(r, 20));
      socket.destroy();
      finish();
    },
  };
}

/** Runs a command without a shell; resolves with its exit code and output. */
async function execOnce(
  container: Dockerode.Container,
  cmd: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Readable;
  let stdout = '';
  let stderr = '';
  // A decoder per stream: a character split across two frames stays whole.
  const outText = new StringDecoder('utf8');
  const errText = new StringDecoder('utf8');
  const demux = new DockerStreamDemuxer(
    (c) => {
      stdout += outText.write(c);
    },
    (c) => {
      stderr += errText.write(c);
    },
  );
  await new Promise<void>((resolve) => {
    stream.on('data', (c: Buffer) => demux.push(c));
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
  });
  const state = await exec.inspect();
  return { code: state.ExitCode ?? -1, stdout: stdout + outText.end(), stderr: stderr + errText.end() };
}

async function probeRm(container: Dockerode.Container): Promise<boolean> {
  try {
    const r = await execOnce(container, ['rm', '-rf', '--', '/nonexistent-devenv-sync-probe']);
    return r.code === 0;
  } catch {
    return false;
  }
}

interface TarItem {
  name: string;
  mode: number;
  data?: Uint8Array;
  type?: 'file' | 'directory' | 'symlink';
  linkname?: string;
  mtime?: Date;
}

function tarOf(items: readonly TarItem[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pack.on('data', (c) => chunks.push(c as Buffer));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  for (const it of items) {
    const type = it.type ?? 'file';
    const header: Partial<tarStream.Header> & { name: string } = {
      name: it.name,
      mode: it.mode,
      type,
      mtime: it.mtime ?? new Date(),
      uid: 0,
      gid: 0,
    };
    if (type === 'symlink') header.linkname = it.linkname ?? '';
    if (type === 'file') pack.entry(header, Buffer.from(it.data ?? new Uint8Array(0)));
    else pack.entry(header);
  }
  pack.finalize();
  return done;
}

class ArchiveChannel implements DockerSyncChannel {
  readonly kind = 'archive' as const;
  private isClosed = false;
  private readonly closeCbs: ((err: Error) => void)[] = [];

  constructor(
    private readonly container: Dockerode.Container,
    private readonly rmWorks: boolean,
    readonly fallbackReason: string,
    private readonly warn: (message: string) => void,
  ) {}

  async target(target: string): Promise<SyncTransport> {
    const exists = await this.container
      .infoArchive({ path: target })
      .then((res) => {
        (res as unknown as { resume?: () => void }).resume?.();
        return true;
      })
      .catch(() => false);
    if (!exists)
      await this.container.putArchive(
        await tarOf([{ name: `${target.replace(/^\/+|\/+$/g, '')}/`, mode: 0o755, type: 'directory' }]),
        {
          path: '/',
        },
      );
    return new ArchiveTransport(
      this.container,
      target.replace(/\/+$/, '') || '/',
      this.rmWorks,
      this.warn,
      () => this.isClosed,
    );
  }

  get closed(): boolean {
    return this.isClosed;
  }

  onClosed(cb: (err: Error) => void): void {
    this.closeCbs.push(cb);
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const cb of this.closeCbs) cb(new ChannelClosedError('archive channel closed'));
  }
}

interface PathStat {
  mode: number;
  linkTarget: string;
}

// Go's os.FileMode bits, as Docker's path-stat header carries them.
const GO_MODE_DIR = 0x80000000;
const GO_MODE_SYMLINK = 0x8000000;

class ArchiveTransport implements SyncTransport {
  readonly kind = 'archive' as const;
  private lastHashes = new Map<string, string>();
  private warnedNoRm = false;

  constructor(
    private readonly container: Dockerode.Container,
    readonly target: string,
    private readonly rmWorks: boolean,
    private readonly warn: (message: string) => void,
    private readonly isClosed: () => boolean,
  ) {}

  get closed(): boolean {
    return this.isClosed();
  }

  async apply(ops: readonly SyncOp[]): Promise<ApplyResult> {
    const started = performance.now();
    const errors: OpError[] = [];
    let bytes = 0;
    const valid: SyncOp[] = [];
    for (const op of ops) {
      if (!isSafeRelativePath(op.path)) {
        errors.push({ path: op.path, op: op.op, code: 'EBADPATH', message: 'refused path (absolute or with ..)' });
      } else if (op.op === 'symlink' && !linkStaysInside(op.path, op.target)) {
        errors.push({
          path: op.path,
          op: op.op,
          code: 'ELINKOUT',
          message: 'symlink target would leave the sync target',
        });
      } else {
        valid.push(op);
      }
    }
    // Docker's archive API resolves symlinks inside the container, so a planted symlink on the
    // way would lead a write elsewhere: every directory on an op's way is checked first, as the
    // batch itself will have left it by then (archive-plan.ts; this leaves a race the agent
    // does not have, see docs/sync.md).
    for (const segment of archiveSegments(valid)) {
      const stats = new Map<string, Promise<PathStat | undefined>>();
      const kindOf = async (rel: string): Promise<ContainerKind> => {
        let p = stats.get(rel);
        if (!p) {
          p = this.stat(`${this.target}/${rel}`);
          stats.set(rel, p);
        }
        const st = await p;
        if (!st) return undefined;
        if (st.linkTarget !== '' || (st.mode & GO_MODE_SYMLINK) !== 0) return 'symlink';
        return (st.mode & GO_MODE_DIR) !== 0 ? 'dir' : 'other';
      };
      const plan = await planArchiveSegment(segment, kindOf, this.rmWorks);
      errors.push(...plan.errors);
      if (!this.rmWorks && plan.deletes.length > 0 && !this.warnedNoRm) {
        this.warnedNoRm = true;
        this.warn('sync: this container has no agent and no `rm`: deletions are not applied (see docs/sync.md)');
      }
      let removalFailed = false;
      if (plan.remove.length > 0) {
        const r = await execOnce(this.container, ['rm', '-rf', '--', ...plan.remove.map((p) => `${this.target}/${p}`)]);
        if (r.code !== 0) {
          removalFailed = true;
          const message = r.stderr.trim().split('\n')[0] || 'rm failed';
          for (const d of plan.deletes) errors.push({ path: d.path, op: 'delete', code: 'EIO', message });
        }
      }
      const items: TarItem[] = [];
      const sent: SyncOp[] = [];
      for (const op of plan.extract) {
        if (removalFailed && plan.needsRemoval.has(op)) {
          // Its way was judged safe because the rm cleared it; the rm failed, so it may not be.
          errors.push({ path: op.path, op: op.op, code: 'EIO', message: 'not applied: the rm before it failed' });
          continue;
        }
        sent.push(op);
        if (op.op === 'write') {
          bytes += op.data.byteLength;
          items.push({
            name: op.path,
            mode: op.mode,
            data: op.data,
            ...(op.mtimeMs ? { mtime: new Date(op.mtimeMs) } : {}),
          });
        } else if (op.op === 'mkdir') {
          items.push({ name: `${op.path}/`, mode: op.mode, type: 'directory' });
        } else if (op.op === 'symlink') {
          items.push({ name: op.path, mode: 0o777, type: 'symlink', linkname: op.target });
        }
      }
      if (items.length > 0) {
        try {
          await this.container.putArchive(await tarOf(items), { path: this.target });
        } catch (err) {
          if (/no such container|is not running|409/i.test(String(err)))
            throw new ChannelClosedError(firstLine(err, 200));
          for (const op of sent) errors.push({ path: op.path, op: op.op, code: 'EIO', message: firstLine(err, 200) });
        }
      }
    }
    return { ops: ops.length, bytes, errors, durationMs: performance.now() - started };
  }

  private async stat(containerPath: string): Promise<PathStat | undefined> {
    try {
      const res = (await this.container.infoArchive({ path: containerPath })) as unknown as {
        headers: Record<string, string>;
        resume?: () => void;
      };
      res.resume?.();
      const raw = res.headers['x-docker-container-path-stat'];
      if (!raw) return undefined;
      const st = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { mode: number; linkTarget: string };
      return { mode: st.mode, linkTarget: st.linkTarget ?? '' };
    } catch {
      return undefined;
    }
  }

  async list(_opts: ListOptions = {}): Promise<TreeEntry[]> {
    let stream: Readable;
    try {
      stream = (await this.container.getArchive({ path: `${this.target}/.` })) as unknown as Readable;
    } catch (err) {
      if (/404|no such file/i.test(String(err))) return [];
      throw err;
    }
    const extract = tarStream.extract();
    const out: TreeEntry[] = [];
    const hashes = new Map<string, string>();
    await new Promise<void>((resolve, reject) => {
      extract.on('entry', (header, body, next) => {
        const name = header.name.replace(/^\.\/?/, '').replace(/\/$/, '');
        const hash = createHash('sha1');
        body.on('data', (c) => hash.update(c as Buffer));
        body.on('end', () => {
          if (name !== '') {
            const kind =
              header.type === 'directory'
                ? 'dir'
                : header.type === 'symlink'
                  ? 'symlink'
                  : header.type === 'file'
                    ? 'file'
                    : 'other';
            const e: TreeEntry = {
              path: name,
              kind,
              mode: (header.mode ?? 0) & 0o7777,
              size: header.size ?? 0,
              mtimeMs: header.mtime ? header.mtime.getTime() : 0,
            };
            if (kind === 'symlink') e.linkTarget = header.linkname ?? '';
            if (kind === 'file') {
              e.hash = hash.digest('hex');
              hashes.set(name, e.hash);
            }
            out.push(e);
          }
          next();
        });
        body.resume();
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      stream.on('error', reject);
      stream.pipe(new PassThrough()).pipe(extract);
    });
    this.lastHashes = hashes;
    return out;
  }

  async hash(paths: readonly string[]): Promise<Map<string, string | undefined>> {
    if (paths.some((p) => !this.lastHashes.has(p))) await this.list();
    return new Map(paths.map((p) => [p, this.lastHashes.get(p)]));
  }

  async close(): Promise<void> {}
}
