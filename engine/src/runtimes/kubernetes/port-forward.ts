// Local ports (127.0.0.1 unless the Compose file names another address) that reach a service's
// pod through the Kubernetes API. Each accepted connection is carried to the pod that is current
// at that moment, so after a pod is replaced (rollout, crash, eviction) the next connection
// reaches the new pod without anything being restarted: the forward is re-established per
// connection, and a connection to a pod that went away is closed so its client reconnects.

import { createServer, type Server, type Socket } from 'node:net';
import type { KubeApi, PodView, StreamHandle } from './kube-api.js';
import { currentPod } from './pod-state.js';

export interface ForwardSpec {
  namespace: string;
  /** Label selector of the service's pods. */
  selector: string;
  /** Port in the pod. */
  remotePort: number;
  /** Local address (default 127.0.0.1). */
  host?: string;
  /** Local port; 0 or undefined picks a free one. */
  localPort?: number;
}

export interface ForwardEvent {
  kind: 'connected' | 'failed' | 'pod-changed';
  pod?: string;
  message?: string;
}

export class PortForwarder {
  private server: Server | undefined;
  private pod: PodView | undefined;
  private readonly open = new Set<{ socket: Socket; pod: string; handle?: StreamHandle }>();
  private bound: { host: string; port: number } | undefined;

  constructor(
    private readonly api: KubeApi,
    readonly spec: ForwardSpec,
    private readonly onEvent: (e: ForwardEvent) => void = () => {},
  ) {}

  get address(): { host: string; port: number } | undefined {
    return this.bound;
  }

  /** Binds the local port (failing with EADDRINUSE like `docker run -p` would). */
  async start(): Promise<{ host: string; port: number }> {
    if (this.bound) return this.bound;
    const host = this.spec.host ?? '127.0.0.1';
    const server = createServer((socket) => void this.accept(socket));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.spec.localPort ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const addr = server.address();
    this.bound = { host, port: typeof addr === 'object' && addr ? addr.port : (this.spec.localPort ?? 0) };
    return this.bound;
  }

  /**
   * The pod set changed (a watch event): forget the cached pod, and close connections to a pod
   * that is going away so their clients reconnect to the new one.
   */
  podsChanged(gone?: string): void {
    this.pod = undefined;
    if (!gone) return;
    for (const c of this.open) {
      if (c.pod === gone) {
        c.handle?.close();
        c.socket.destroy();
      }
    }
    this.onEvent({ kind: 'pod-changed', pod: gone });
  }

  async close(): Promise<void> {
    for (const c of this.open) {
      c.handle?.close();
      c.socket.destroy();
    }
    this.open.clear();
    const server = this.server;
    this.server = undefined;
    this.bound = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async resolvePod(fresh: boolean): Promise<PodView | undefined> {
    if (!fresh && this.pod) return this.pod;
    const pods = await this.api.listPods(this.spec.namespace, this.spec.selector);
    this.pod = currentPod(pods.filter((p) => p.phase === 'Running'));
    return this.pod;
  }

  private async accept(socket: Socket): Promise<void> {
    socket.pause();
    socket.on('error', () => {});
    const entry: { socket: Socket; pod: string; handle?: StreamHandle } = { socket, pod: '' };
    this.open.add(entry);
    socket.once('close', () => this.open.delete(entry));
    // The cached pod may have been replaced since: one retry with a fresh lookup.
    for (const fresh of [false, true]) {
      let pod: PodView | undefined;
      try {
        pod = await this.resolvePod(fresh);
      } catch (err) {
        this.onEvent({ kind: 'failed', message: `listing pods failed: ${errMessage(err)}` });
        break;
      }
      if (!pod) {
        if (fresh) this.onEvent({ kind: 'failed', message: `no running pod matches ${this.spec.selector}` });
        continue;
      }
      if (socket.destroyed) return;
      try {
        entry.pod = pod.name;
        entry.handle = await this.api.portForward(this.spec.namespace, pod.name, this.spec.remotePort, socket);
        socket.resume();
        this.onEvent({ kind: 'connected', pod: pod.name });
        void entry.handle.closed.then((err) => {
          if (err) {
            this.pod = undefined;
            this.onEvent({ kind: 'failed', pod: pod.name, message: err.message });
          }
        });
        return;
      } catch (err) {
        this.pod = undefined;
        if (fresh) this.onEvent({ kind: 'failed', pod: pod.name, message: errMessage(err) });
      }
    }
    socket.destroy();
  }
}

function errMessage(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0]! : String(err);
}
