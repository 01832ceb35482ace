// A small Kubernetes API server on 127.0.0.1 for the runtime's stream tests: pod lists and
// watches, logs, and the two WebSocket subprotocols the real client classes speak —
// port-forward (v4.channel.k8s.io: per port a data and an error channel, each opened by a
// two-byte little-endian port number) and exec (v4.channel.k8s.io: 0 stdin, 1 stdout, 2 stderr,
// 3 status). "Pods" are local: a port-forward connects to a TCP port of the test's choosing, an
// exec runs the command as a local process. Replacing a pod closes its streams, as the kubelet
// does when a container goes away.

import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { type WebSocket, WebSocketServer } from 'ws';

export interface FakePod {
  name: string;
  uid: string;
  labels: Record<string, string>;
  /** Local TCP port each pod port forwards to. */
  ports: Record<number, number>;
  ready: boolean;
  deleting: boolean;
  createdAt: string;
  logLines: string[];
  restartCount: number;
}

export interface FakeWorkload {
  kind: 'Deployment' | 'Job';
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  replicas?: number;
  readyReplicas?: number;
  succeeded?: number;
}

interface Stream {
  pod: string;
  ws: WebSocket;
  child?: ChildProcess;
}

export class FakeApiServer {
  readonly pods = new Map<string, FakePod>();
  readonly workloads: FakeWorkload[] = [];
  readonly requests: string[] = [];
  /** Exec commands as received, for assertions. */
  readonly execs: { pod: string; command: string[] }[] = [];
  private readonly server: Server;
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has('v4.channel.k8s.io') ? 'v4.channel.k8s.io' : false),
  });
  private readonly streams = new Set<Stream>();
  private readonly watchers = new Set<ServerResponse>();
  private clock = Date.parse('2025-01-01T00:00:00Z');
  port = 0;

  constructor(readonly namespace = 'demo') {
    this.server = createServer((req, res) => this.handle(req, res));
    this.server.on('upgrade', (req, socket, head) => {
      const url = new URL(req.url ?? '/', 'http://x');
      this.requests.push(`WS ${url.pathname}${url.search}`);
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(portforward|exec)$/.exec(url.pathname);
      const pod = m ? this.pods.get(m[2]!) : undefined;
      if (!m || !pod || pod.deleting) {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        if (m[3] === 'portforward') this.portForward(pod, Number(url.searchParams.get('ports')), ws);
        else this.exec(pod, url.searchParams.getAll('command'), ws);
      });
    });
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : 0;
  }

  async stop(): Promise<void> {
    for (const s of this.streams) {
      s.child?.kill('SIGKILL');
      s.ws.terminate();
    }
    for (const w of this.watchers) w.end();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'fake', server: `http://127.0.0.1:${this.port}`, skipTLSVerify: true }],
      users: [{ name: 'fake' }],
      contexts: [{ name: 'fake', cluster: 'fake', user: 'fake' }],
      currentContext: 'fake',
    });
    return kc;
  }

  addPod(
    name: string,
    labels: Record<string, string>,
    ports: Record<number, number> = {},
    logLines: string[] = [],
  ): FakePod {
    this.clock += 1000;
    const pod: FakePod = {
      name,
      uid: randomUUID(),
      labels,
      ports,
      ready: true,
      deleting: false,
      createdAt: new Date(this.clock).toISOString(),
      logLines,
      restartCount: 0,
    };
    this.pods.set(name, pod);
    this.emit('ADDED', pod);
    return pod;
  }

  /** What the kubelet does when a pod goes: its streams close, its processes die. */
  deletePod(name: string): void {
    const pod = this.pods.get(name);
    if (!pod) return;
    this.pods.delete(name);
    for (const s of [...this.streams]) {
      if (s.pod !== name) continue;
      s.child?.kill('SIGKILL');
      s.ws.close();
      this.streams.delete(s);
    }
    this.emit('DELETED', { ...pod, deleting: true });
  }

  private emit(type: string, pod: FakePod): void {
    const line = `${JSON.stringify({ type, object: this.podJson(pod) })}\n`;
    for (const w of this.watchers) w.write(line);
  }

  private podJson(p: FakePod): Record<string, unknown> {
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: p.name,
        uid: p.uid,
        namespace: this.namespace,
        labels: p.labels,
        creationTimestamp: p.createdAt,
        ...(p.deleting ? { deletionTimestamp: new Date(this.clock).toISOString() } : {}),
      },
      spec: {
        containers: [
          {
            name: p.labels['dev.devenv/service'] ?? 'main',
            image: 'x',
            readinessProbe: { exec: { command: ['true'] } },
          },
        ],
      },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: p.ready ? 'True' : 'False' }],
        containerStatuses: [
          {
            name: p.labels['dev.devenv/service'] ?? 'main',
            ready: p.ready,
            restartCount: p.restartCount,
            image: 'x',
            imageID: 'x',
            state: { running: { startedAt: p.createdAt } },
          },
        ],
      },
    };
  }

  private matches(labels: Record<string, string>, selector: string | null): boolean {
    if (!selector) return true;
    return selector.split(',').every((term) => {
      const [k, v] = term.split('=');
      return labels[k!] === v;
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    this.requests.push(`${req.method} ${url.pathname}${url.search}`);
    const selector = url.searchParams.get('labelSelector');
    const json = (body: unknown, status = 200) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/version') {
      json({ major: '1', minor: '31', gitVersion: 'v1.31.5+fake', platform: 'linux/amd64' });
      return;
    }
    let m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(url.pathname);
    if (m && url.searchParams.get('watch') === 'true') {
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      this.watchers.add(res);
      res.on('close', () => this.watchers.delete(res));
      for (const p of this.pods.values()) {
        if (this.matches(p.labels, selector))
          res.write(`${JSON.stringify({ type: 'ADDED', object: this.podJson(p) })}\n`);
      }
      return;
    }
    if (m) {
      const items = [...this.pods.values()].filter((p) => this.matches(p.labels, selector)).map((p) => this.podJson(p));
      json({ apiVersion: 'v1', kind: 'PodList', metadata: {}, items });
      return;
    }
    m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/.exec(url.pathname);
    if (m) {
      const pod = this.pods.get(m[2]!);
      if (!pod) {
        json({ kind: 'Status', code: 404, message: 'not found' }, 404);
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain' });
      const tail = Number(url.searchParams.get('tailLines') ?? '0');
      const lines = tail > 0 ? pod.logLines.slice(-tail) : pod.logLines;
      for (const l of lines) res.write(`${l}\n`);
      res.end();
      return;
    }
    m = /^\/apis\/(apps|batch)\/v1\/namespaces\/([^/]+)\/(deployments|statefulsets|jobs)(?:\/([^/]+))?$/.exec(
      url.pathname,
    );
    if (m) {
      const kind = m[3] === 'deployments' ? 'Deployment' : m[3] === 'jobs' ? 'Job' : 'StatefulSet';
      const found = this.workloads.filter(
        (w) => w.kind === kind && this.matches(w.labels, selector) && (!m![4] || w.name === m![4]),
      );
      const asJson = (w: FakeWorkload) => ({
        apiVersion: m![1] === 'apps' ? 'apps/v1' : 'batch/v1',
        kind: w.kind,
        metadata: { name: w.name, namespace: m![2], labels: w.labels, annotations: w.annotations },
        spec: w.kind === 'Job' ? { template: {} } : { replicas: w.replicas ?? 1, selector: {}, template: {} },
        status: w.kind === 'Job' ? { succeeded: w.succeeded ?? 0 } : { readyReplicas: w.readyReplicas ?? 0 },
      });
      if (!m[4]) json({ apiVersion: 'v1', kind: `${kind}List`, metadata: {}, items: found.map(asJson) });
      else if (found[0]) json(asJson(found[0]));
      else json({ kind: 'Status', code: 404, message: 'not found' }, 404);
      return;
    }
    json({ kind: 'Status', code: 404, message: `no route for ${url.pathname}` }, 404);
  }

  private portForward(pod: FakePod, port: number, ws: WebSocket): void {
    const stream: Stream = { pod: pod.name, ws };
    this.streams.add(stream);
    const prefix = Buffer.alloc(2);
    prefix.writeUInt16LE(port);
    ws.send(Buffer.concat([Buffer.from([0]), prefix]));
    ws.send(Buffer.concat([Buffer.from([1]), prefix]));
    const target = pod.ports[port];
    if (!target) {
      ws.send(Buffer.concat([Buffer.from([1]), Buffer.from(`error forwarding port ${port}: connection refused`)]));
      ws.close();
      return;
    }
    const tcp = connect(target, '127.0.0.1');
    tcp.on('data', (d) => ws.send(Buffer.concat([Buffer.from([0]), d])));
    tcp.on('close', () => ws.close());
    tcp.on('error', () => ws.close());
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0 && data.length > 1) tcp.write(data.subarray(1));
    });
    ws.on('close', () => {
      tcp.destroy();
      this.streams.delete(stream);
    });
  }

  private exec(pod: FakePod, command: string[], ws: WebSocket): void {
    this.execs.push({ pod: pod.name, command });
    const [file, ...args] = command;
    const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const stream: Stream = { pod: pod.name, ws, child };
    this.streams.add(stream);
    child.stdout.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([1]), d])));
    child.stderr.on('data', (d: Buffer) => ws.send(Buffer.concat([Buffer.from([2]), d])));
    child.stdin.on('error', () => {});
    child.on('close', (code) => {
      const status =
        code === 0
          ? { metadata: {}, status: 'Success' }
          : {
              metadata: {},
              status: 'Failure',
              message: `command terminated with non-zero exit code: ${code}`,
              reason: 'NonZeroExitCode',
              details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
            };
      if (ws.readyState === ws.OPEN) {
        ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(status))]));
        ws.close();
      }
      this.streams.delete(stream);
    });
    ws.on('message', (data: Buffer) => {
      if (data[0] === 0 && data.length > 1) child.stdin.write(data.subarray(1));
    });
    // v4 has no half-close: the client closing the socket is the end of stdin.
    ws.on('close', () => child.stdin.end());
  }
}
