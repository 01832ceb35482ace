// Acceptance 3: port-forwards and the sync exec stream survive a pod being replaced. Everything
// runs through @kubernetes/client-node's real classes (PortForward, Exec, Watch, Log and its
// WebSocket handler) against a local API server speaking the port-forward and exec subprotocols
// (helpers/fake-apiserver.ts); the sync agent is the real binary, run as the "pod's" process.

import * as fs from 'node:fs';
import { createServer, type Server, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ProjectSpec, ServiceSpec } from '../../engine/src/model/spec.js';
import { PodSyncLink } from '../../engine/src/runtimes/kubernetes/exec-channel.js';
import { ClientNodeKubeApi } from '../../engine/src/runtimes/kubernetes/kube-api.js';
import { KubernetesRuntime } from '../../engine/src/runtimes/kubernetes/kubernetes-runtime.js';
import { PortForwarder } from '../../engine/src/runtimes/kubernetes/port-forward.js';
import { buildAgent } from '../../engine/src/sync/agent-binary.js';
import { SyncSession } from '../../engine/src/sync/session.js';
import { waitUntil } from '../helpers/wait.js';
import { FakeApiServer } from './helpers/fake-apiserver.js';

const labels = (service: string) => ({
  'dev.devenv/project': 'demo',
  'dev.devenv/service': service,
  'dev.devenv/role': 'service',
});
const selector = 'dev.devenv/project=demo,dev.devenv/service=backend,dev.devenv/role=service';

/** A "pod's" TCP server: answers every line with `<pod>:<line>`. */
async function podServer(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => s.on('data', (d) => s.write(`${name}:${d.toString()}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  return { port: typeof addr === 'object' && addr ? addr.port : 0, server };
}

async function roundTrip(port: number, text: string): Promise<{ reply: string; socket: Socket }> {
  const socket = new Socket();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => resolve());
  });
  const reply = await new Promise<string>((resolve, reject) => {
    socket.once('data', (d) => resolve(d.toString()));
    socket.once('close', () => reject(new Error('closed before a reply')));
    socket.write(text);
  });
  return { reply, socket };
}

let api: FakeApiServer;
const servers: Server[] = [];

beforeEach(async () => {
  api = new FakeApiServer('demo');
  await api.start();
});

afterEach(async () => {
  await api.stop();
  for (const s of servers.splice(0)) s.close();
});

describe('port-forward through the real PortForward class', () => {
  it('reaches the current pod, closes connections to a replaced pod, and reaches its successor', async () => {
    const a = await podServer('pod-a');
    const b = await podServer('pod-b');
    servers.push(a.server, b.server);
    api.addPod('backend-a', labels('backend'), { 8000: a.port });
    const kube = new ClientNodeKubeApi(api.kubeConfig());
    const forwarder = new PortForwarder(kube, { namespace: 'demo', selector, remotePort: 8000 });
    const { host, port } = await forwarder.start();
    expect(host).toBe('127.0.0.1');

    const first = await roundTrip(port, 'hello');
    expect(first.reply).toBe('pod-a:hello');
    const closed = new Promise<void>((resolve) => first.socket.once('close', () => resolve()));

    // The rollout: a new pod, then the old one goes (its streams close, as the kubelet's do).
    api.addPod('backend-b', labels('backend'), { 8000: b.port });
    api.deletePod('backend-a');
    forwarder.podsChanged('backend-a');
    await closed;

    const second = await roundTrip(port, 'again');
    expect(second.reply).toBe('pod-b:again');
    second.socket.destroy();
    await forwarder.close();
    expect(
      api.requests.filter((r) => r.startsWith('WS /api/v1/namespaces/demo/pods/backend-b/portforward')),
    ).toHaveLength(1);
  });

  it('retries with a fresh pod when the cached one is gone and nobody said so', async () => {
    const a = await podServer('pod-a');
    const b = await podServer('pod-b');
    servers.push(a.server, b.server);
    api.addPod('backend-a', labels('backend'), { 8000: a.port });
    const forwarder = new PortForwarder(new ClientNodeKubeApi(api.kubeConfig()), {
      namespace: 'demo',
      selector,
      remotePort: 8000,
    });
    const { port } = await forwarder.start();
    (await roundTrip(port, 'x')).socket.destroy();
    api.addPod('backend-b', labels('backend'), { 8000: b.port });
    api.deletePod('backend-a');
    // No podsChanged(): the cached pod's upgrade is refused (404), the forwarder lists again.
    const again = await roundTrip(port, 'y');
    expect(again.reply).toBe('pod-b:y');
    again.socket.destroy();
    await forwarder.close();
  });

  it('binds the address it is given and fails like docker when the port is taken', async () => {
    const taken = await podServer('other');
    servers.push(taken.server);
    const forwarder = new PortForwarder(new ClientNodeKubeApi(api.kubeConfig()), {
      namespace: 'demo',
      selector,
      remotePort: 8000,
      localPort: taken.port,
    });
    await expect(forwarder.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});

describe('sync over the real Exec class', () => {
  it('copies the agent in, syncs, and after the pod is replaced re-attaches to the new pod with a full reconcile', async () => {
    const agent = await buildAgent();
    expect(agent.ok, agent.reason).toBe(true);
    const tmp = fs.mkdtempSync(path.join(tmpdir(), 'k8s-sync-'));
    const host = path.join(tmp, 'host');
    const podFs = path.join(tmp, 'pod-app'); // the container directory the rule syncs into
    const agentDir = path.join(tmp, 'agent');
    fs.mkdirSync(host);
    fs.writeFileSync(path.join(host, 'main.py'), 'print("v1")\n');
    fs.mkdirSync(path.join(host, 'pkg'));
    fs.writeFileSync(path.join(host, 'pkg/mod.py'), 'x = 1\n');

    api.addPod('backend-a', labels('backend'));
    const session = new SyncSession({
      service: 'backend',
      rule: { path: host, action: 'sync', target: podFs, ignore: [], initialSync: true },
    });
    const attached: string[] = [];
    const link = new PodSyncLink(new ClientNodeKubeApi(api.kubeConfig()), {
      namespace: 'demo',
      selector,
      container: 'backend',
      sessions: [session],
      agentDirs: [agentDir],
      onAttached: (pod) => attached.push(pod),
    });
    await link.start();
    await waitUntil('first attach', () => attached.length === 1 && session.attached);
    expect(fs.readFileSync(path.join(podFs, 'main.py'), 'utf8')).toBe('print("v1")\n');
    expect(fs.readFileSync(path.join(podFs, 'pkg/mod.py'), 'utf8')).toBe('x = 1\n');
    // The agent was copied with `head -c <size>` over exec stdin, then started as its own exec.
    expect(api.execs[0]!.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(api.execs[1]!.command).toEqual([`${agentDir}/devenv-sync-agent`]);

    // The pod is replaced: the new container starts from the image (an empty directory here),
    // and an edit happens meanwhile.
    api.deletePod('backend-a');
    fs.rmSync(podFs, { recursive: true, force: true });
    fs.writeFileSync(path.join(host, 'main.py'), 'print("v2")\n');
    api.addPod('backend-b', labels('backend'));

    await waitUntil('re-attach to the new pod', () => attached.length === 2 && session.attached, { timeoutMs: 20_000 });
    expect(attached).toEqual(['backend-a', 'backend-b']);
    expect(fs.readFileSync(path.join(podFs, 'main.py'), 'utf8')).toBe('print("v2")\n');
    expect(fs.readFileSync(path.join(podFs, 'pkg/mod.py'), 'utf8')).toBe('x = 1\n');
    expect(api.execs.filter((e) => e.pod === 'backend-b')).toHaveLength(2);
    await link.close();
    session.close();
  });
});

describe('the runtime over the real client', () => {
  const project: ProjectSpec = {
    name: 'demo',
    projectDir: '/nonexistent',
    configFiles: [],
    services: {},
    volumes: {},
    networks: {},
    devenv: {},
  };

  function runtime(): KubernetesRuntime {
    return new KubernetesRuntime({
      provider: 'context',
      context: 'fake',
      stateDir: fs.mkdtempSync(path.join(tmpdir(), 'k8s-rt-')),
      api: new ClientNodeKubeApi(api.kubeConfig(), 'fake'),
    });
  }

  it('observes instances by label and spec hash, and reads their state from the pod', async () => {
    api.workloads.push(
      {
        kind: 'Deployment',
        name: 'backend',
        labels: labels('backend'),
        annotations: { 'dev.devenv/spec-hash': 'abc' },
        replicas: 1,
        readyReplicas: 1,
      },
      {
        kind: 'Job',
        name: 'backend-smoke',
        labels: { ...labels('backend'), 'dev.devenv/role': 'smoke' },
        annotations: {},
        succeeded: 1,
      },
    );
    api.addPod('backend-a', labels('backend'));
    const rt = runtime();
    const observed = await rt.observe('demo');
    expect(observed).toEqual([
      {
        id: 'demo/backend/Deployment/backend',
        service: 'backend',
        specHash: 'abc',
        state: {
          status: 'running',
          health: 'healthy',
          restartCount: 0,
          ports: [],
          startedAt: '2025-01-01T00:00:01.000Z',
        },
      },
    ]);
    await rt.close();
  });

  it('streams logs with normalised timestamps and reports pod changes through watch', async () => {
    api.addPod('backend-a', labels('backend'), {}, [
      '2025-01-01T00:00:01.5Z first line',
      '2025-01-01T00:00:01.123456789Z second line',
    ]);
    const rt = runtime();
    const lines: string[] = [];
    for await (const l of rt.logs('demo/backend/Deployment/backend', { follow: false }, new AbortController().signal)) {
      lines.push(`${l.ts} ${l.line}`);
    }
    expect(lines).toEqual(['2025-01-01T00:00:01.500000000Z first line', '2025-01-01T00:00:01.123456789Z second line']);

    const changes: string[] = [];
    const sub = rt.watch('demo', (c) => changes.push(`${c.instanceId} ${c.reason}`));
    await waitUntil('initial watch event', () => changes.length >= 1);
    api.deletePod('backend-a');
    await waitUntil('deletion event', () => changes.some((c) => c.includes('deleted pod backend-a')));
    expect(changes[0]).toBe('demo/backend/Deployment/backend added pod backend-a (Running)');
    sub.dispose();
    await rt.close();
  });

  it('is a Runtime whose services it does not know read as missing', async () => {
    const rt = runtime();
    expect(await rt.connect()).toEqual({ kind: 'kubernetes', detail: 'fake (Kubernetes v1.31.5+fake)' });
    expect(await rt.inspect('demo/ghost/Deployment/ghost')).toEqual({
      status: 'missing',
      health: 'none',
      restartCount: 0,
      ports: [],
    });
    expect(rt.hashInput({ name: 'ghost' } as ServiceSpec, project)).toBeNull();
    await rt.close();
  });
});
