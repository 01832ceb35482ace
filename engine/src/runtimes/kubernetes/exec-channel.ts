// Live sync into pods: the same agent and framing as on Docker, over an exec stream of the
// Kubernetes API (v4/v5.channel.k8s.io). The agent is copied into the dev overlay's emptyDir
// (`/.devenv`) through exec stdin, then started with its stdin/stdout as the channel. PodSyncLink
// keeps one service's sync sessions attached to whichever pod is current: when the pod is
// replaced, the channel closes, the sessions detach, and they are re-attached to the new pod with
// a full reconcile (a new pod starts from the image, not from the synced files).

import { readFile } from 'node:fs/promises';
import { PassThrough, Writable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { buildAgent } from '../../sync/agent-binary.js';
import { AgentChannel, type ByteChannel } from '../../sync/agent-channel.js';
import type { SyncSession } from '../../sync/session.js';
import { ChannelClosedError } from '../../sync/transport.js';
import { AGENT_DIR } from './dev-overlay.js';
import type { KubeApi, PodView, StreamHandle } from './kube-api.js';
import { currentPod } from './pod-state.js';

export interface ExecTarget {
  namespace: string;
  pod: string;
  container: string;
}

/** An exec stream as the agent protocol's byte channel. */
export async function execByteChannel(api: KubeApi, target: ExecTarget, command: string[]): Promise<ByteChannel> {
  const stdin = new PassThrough();
  // Bytes that arrive before the agent channel registers its consumer are kept, not dropped.
  let onData: (chunk: Buffer) => void = noop;
  const pending: Buffer[] = [];
  let stderr = '';
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (pending.length > 0 || onData === noop) pending.push(chunk);
      else onData(chunk);
      cb();
    },
  });
  const stderrSink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
      cb();
    },
  });
  let exitMessage = '';
  const handle: StreamHandle = await api.exec(target.namespace, target.pod, target.container, command, {
    stdin,
    stdout,
    stderr: stderrSink,
    onStatus: (s) => {
      exitMessage = s.exitCode === undefined ? (s.message ?? '') : `exit ${s.exitCode}`;
    },
  });
  const closeCbs: ((err?: Error) => void)[] = [];
  let done = false;
  void handle.closed.then((err) => {
    if (done) return;
    done = true;
    const why = err?.message ?? (exitMessage ? `agent ended (${exitMessage})` : 'exec stream closed');
    for (const cb of closeCbs) cb(new ChannelClosedError(`${why}${stderr ? `: ${stderr.trim()}` : ''}`));
  });
  return {
    write(chunks) {
      // One WebSocket frame per batch rather than one per header/path/data piece.
      stdin.write(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    },
    onData(cb) {
      onData = cb;
      for (const c of pending.splice(0)) cb(c);
    },
    onClose(cb) {
      closeCbs.push(cb);
    },
    async close() {
      stdin.end();
      handle.close();
      await Promise.race([handle.closed, new Promise((r) => setTimeout(r, 2000))]);
    },
  };
}

function noop(): void {}

/** Runs a command to completion, feeding `input` on stdin; resolves with its output and exit code. */
export async function execOnce(
  api: KubeApi,
  target: ExecTarget,
  command: string[],
  input?: Buffer,
  opts: { timeoutMs?: number; until?: (stdout: string) => boolean } = {},
): Promise<{ exitCode?: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  // A decoder per stream: a character split across two chunks stays whole.
  const outText = new StringDecoder('utf8');
  const errText = new StringDecoder('utf8');
  const handle = await api.exec(target.namespace, target.pod, target.container, command, {
    stdin,
    stdout: new Writable({
      write(chunk: Buffer, _e, cb) {
        stdout += outText.write(chunk);
        if (opts.until?.(stdout)) finish();
        cb();
      },
    }),
    stderr: new Writable({
      write(chunk: Buffer, _e, cb) {
        stderr += errText.write(chunk);
        cb();
      },
    }),
    onStatus: (s) => {
      exitCode = s.exitCode;
      finish();
    },
  });
  if (input) stdin.write(input);
  const timer = setTimeout(finish, opts.timeoutMs ?? 30_000);
  await Promise.race([finished, handle.closed]);
  clearTimeout(timer);
  handle.close();
  return { ...(exitCode === undefined ? {} : { exitCode }), stdout, stderr };
}

export interface AgentOptions {
  /** Directories tried for the agent binary (default: the overlay's emptyDir, then /tmp, /dev/shm). */
  agentDirs?: readonly string[];
  /** The agent binary (default: built or found by buildAgent()). */
  agentPath?: string;
}

const DEFAULT_AGENT_DIRS = [AGENT_DIR, '/tmp/.devenv', '/dev/shm/.devenv'];

/**
 * Copies the agent into the pod and starts it. The copy reads exactly the binary's size with
 * `head -c` and prints a marker, so it works whether or not the server supports half-closing
 * stdin (v5.channel.k8s.io does, v4 does not).
 */
export async function openPodAgent(api: KubeApi, target: ExecTarget, opts: AgentOptions = {}): Promise<AgentChannel> {
  let binaryPath = opts.agentPath;
  if (!binaryPath) {
    const built = await buildAgent();
    if (!built.ok || !built.path) throw new Error(`no sync agent binary: ${built.reason}`);
    binaryPath = built.path;
  }
  const binary = await readFile(binaryPath);
  const failures: string[] = [];
  for (const dir of opts.agentDirs ?? DEFAULT_AGENT_DIRS) {
    const script =
      'set -e; mkdir -p "$1"; head -c "$2" > "$1/devenv-sync-agent.tmp"; chmod 755 "$1/devenv-sync-agent.tmp"; ' +
      'mv -f "$1/devenv-sync-agent.tmp" "$1/devenv-sync-agent"; echo devenv-agent-installed';
    try {
      const copied = await execOnce(api, target, ['sh', '-c', script, 'sh', dir, String(binary.length)], binary, {
        until: (out) => out.includes('devenv-agent-installed'),
      });
      if (!copied.stdout.includes('devenv-agent-installed')) {
        failures.push(
          `${dir}: copy failed (${(copied.stderr || `exit ${copied.exitCode ?? '?'}`).trim().split('\n')[0]})`,
        );
        continue;
      }
      const io = await execByteChannel(api, target, [`${dir}/devenv-sync-agent`]);
      return await AgentChannel.open(io, 10_000);
    } catch (err) {
      failures.push(`${dir}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
  }
  throw new Error(`cannot start the sync agent in pod ${target.pod}: ${failures.join('; ')}`);
}

export interface PodSyncLinkOptions extends AgentOptions {
  namespace: string;
  selector: string;
  container: string;
  sessions: readonly SyncSession[];
  onWarning?: (message: string) => void;
  /** Told after each (re)attach, with the pod and how many files the reconcile sent. */
  onAttached?: (pod: string, sent: number) => void;
}

export class PodSyncLink {
  private attachedUid: string | undefined;
  private channel: AgentChannel | undefined;
  private watch: StreamHandle | undefined;
  private stopped = false;
  private busy: Promise<void> = Promise.resolve();
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly api: KubeApi,
    private readonly opts: PodSyncLinkOptions,
  ) {}

  get pod(): string | undefined {
    return this.attachedUid;
  }

  async start(): Promise<void> {
    this.watch = await this.api.watchPods(this.opts.namespace, this.opts.selector, () => this.schedule());
    void this.watch.closed.then(() => {
      if (!this.stopped) setTimeout(() => void this.restartWatch(), 1000);
    });
    await this.schedule();
  }

  /** Re-checks which pod is current; re-attaches when it changed. Serialized. */
  schedule(): Promise<void> {
    this.busy = this.busy
      .then(() => this.evaluate())
      .catch((err) => {
        this.opts.onWarning?.(`sync: ${err instanceof Error ? err.message : String(err)}`);
        this.retryLater();
      });
    return this.busy;
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.watch?.close();
    for (const s of this.opts.sessions) s.detach();
    await this.channel?.close().catch(() => {});
    this.channel = undefined;
  }

  private async restartWatch(): Promise<void> {
    if (this.stopped) return;
    try {
      await this.start();
    } catch {
      setTimeout(() => void this.restartWatch(), 2000);
    }
  }

  private retryLater(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.schedule(), 2000);
  }

  private async evaluate(): Promise<void> {
    if (this.stopped) return;
    const pods = await this.api.listPods(this.opts.namespace, this.opts.selector);
    const pod = currentPod(pods.filter((p) => p.phase === 'Running' && p.containers[0]?.running));
    if (!pod) {
      if (this.attachedUid) await this.detach();
      return;
    }
    if (pod.uid === this.attachedUid && this.channel && !this.channel.closed) return;
    await this.attach(pod);
  }

  private async detach(): Promise<void> {
    this.attachedUid = undefined;
    for (const s of this.opts.sessions) s.detach();
    const ch = this.channel;
    this.channel = undefined;
    await ch?.close().catch(() => {});
  }

  private async attach(pod: PodView): Promise<void> {
    await this.detach();
    const channel = await openPodAgent(
      this.api,
      { namespace: this.opts.namespace, pod: pod.name, container: this.opts.container },
      this.opts,
    );
    this.channel = channel;
    this.attachedUid = pod.uid;
    channel.onClosed(() => {
      if (this.channel !== channel) return;
      for (const s of this.opts.sessions) s.detach();
      this.channel = undefined;
      this.attachedUid = undefined;
      this.retryLater();
    });
    let sent = 0;
    for (const session of this.opts.sessions) {
      if (!session.rule.target) continue;
      const transport = await channel.openTarget(session.rule.target, { create: true });
      // A replaced pod starts from the image: compare everything, not only what changed.
      const result = await session.attach(transport, { reconcile: true });
      sent += result?.sent ?? 0;
    }
    this.opts.onAttached?.(pod.name, sent);
  }
}
