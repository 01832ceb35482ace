// Acceptance 2, the live suite: the reference stack up through Argo CD on a real cluster, a
// breakpoint hit through a forwarded debug port, a file synced into a pod, resets. It runs where
// the k3s image (and with it Argo CD's images) can be pulled: a k3s container from
// @testcontainers/k3s by default, or a kind / k3d cluster devenv creates
// (DEVENV_LIVE_PROVIDER=kind|k3d, as .github/workflows/kubernetes.yml runs it). Elsewhere it skips
// and says exactly what is missing.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../../engine/src/config/index.js';
import { Engine } from '../../engine/src/engine/engine.js';
import type { ProjectSpec } from '../../engine/src/model/spec.js';
import { kubernetesBench } from '../../engine/src/runtimes/kubernetes/bench.js';
import { execOnce } from '../../engine/src/runtimes/kubernetes/exec-channel.js';
import { toolsImageTag } from '../../engine/src/runtimes/kubernetes/git-server.js';
import { registryHasTag } from '../../engine/src/runtimes/kubernetes/images.js';
import { KubernetesRuntime } from '../../engine/src/runtimes/kubernetes/kubernetes-runtime.js';
import { currentPod } from '../../engine/src/runtimes/kubernetes/pod-state.js';
import { K3S_IMAGE, REGISTRY_IMAGE } from '../../engine/src/runtimes/kubernetes/versions.js';
import { ProjectSync } from '../../engine/src/sync/project-sync.js';
import { SyncSession } from '../../engine/src/sync/session.js';
import { waitUntil } from '../helpers/wait.js';
import { hitBreakpoint } from './helpers/dap-client.js';

const repo = path.resolve(__dirname, '../..');
const provider = (process.env.DEVENV_LIVE_PROVIDER ?? 'testcontainers') as 'testcontainers' | 'kind' | 'k3d';

function run(cmd: string, args: string[], timeoutMs = 60_000): { ok: boolean; out: string } {
  try {
    return {
      ok: true,
      out: execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs }).trim(),
    };
  } catch (err) {
    const e = err as { stderr?: string; message: string; code?: string };
    return {
      ok: false,
      out: e.code === 'ENOENT' ? `${cmd} is not installed` : (e.stderr || e.message).trim().split('\n').pop()!,
    };
  }
}

/** What is missing for the live suite here, or undefined when it can run. */
function missing(): string | undefined {
  if (!run('docker', ['info', '--format', '{{.ServerVersion}}'], 10_000).ok)
    return 'no Docker engine answers (`docker info` failed)';
  if (provider === 'kind' || provider === 'k3d') {
    const v = run(provider, ['version'], 10_000);
    if (!v.ok) return `the ${provider} CLI is missing (${v.out})`;
  }
  const images = provider === 'kind' ? [REGISTRY_IMAGE] : [K3S_IMAGE, REGISTRY_IMAGE];
  for (const image of images) {
    if (run('docker', ['image', 'inspect', image], 10_000).ok) continue;
    const pull = run('docker', ['pull', image], 45_000);
    if (!pull.ok) return `the image ${image} is not present and \`docker pull ${image}\` failed: ${pull.out}`;
  }
  return undefined;
}

const reason = missing();
if (reason) console.warn(`kubernetes live suite skipped: ${reason}`);

describe.skipIf(reason !== undefined)(`live on ${provider}${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  let project: ProjectSpec;
  let runtime: KubernetesRuntime;
  let stateDir: string;
  let workDir: string;

  beforeAll(async () => {
    // A copy of the reference stack in a repository of its own: the snapshot commits to it, not to ours.
    workDir = fs.mkdtempSync(path.join(tmpdir(), 'devenv-live-'));
    for (const dir of ['compose/reference', 'example', 'kind/reference']) {
      fs.cpSync(path.join(repo, dir), path.join(workDir, dir), {
        recursive: true,
        filter: (src) => !src.includes('node_modules') && !src.includes(`${path.sep}.devenv`),
      });
    }
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: workDir });
    execFileSync('git', ['add', '.'], { cwd: workDir });
    execFileSync('git', ['-c', 'user.name=live', '-c', 'user.email=live@test', 'commit', '-qm', 'reference stack'], {
      cwd: workDir,
    });
    ({ project } = await loadProject({ cwd: path.join(workDir, 'compose/reference'), env: { ...process.env } }));
    stateDir = fs.mkdtempSync(path.join(tmpdir(), 'devenv-live-state-'));

    if (provider === 'testcontainers') {
      const { K3sContainer } = await import('@testcontainers/k3s');
      // A registry beside the k3s container; k3s pulls `localhost:<port>/…` from it through a mirror.
      const name = `devenv-live-registry-${process.pid}`;
      execFileSync('docker', ['run', '-d', '--name', name, '-p', '127.0.0.1::5000', REGISTRY_IMAGE], {
        stdio: 'ignore',
      });
      cleanups.push(() => void run('docker', ['rm', '-f', name]));
      const port = run('docker', ['port', name, '5000/tcp']).out.split(':').pop()!;
      const ip = run('docker', ['inspect', '-f', '{{.NetworkSettings.IPAddress}}', name]).out;
      const k3s = await new K3sContainer(K3S_IMAGE)
        .withCopyContentToContainer([
          {
            content: `mirrors:\n  "localhost:${port}":\n    endpoint:\n      - http://${ip}:5000\n`,
            target: '/etc/rancher/k3s/registries.yaml',
          },
        ])
        .start();
      cleanups.push(async () => void (await k3s.stop()));
      const kubeconfig = path.join(stateDir, 'kubeconfig');
      fs.writeFileSync(kubeconfig, k3s.getKubeConfig());
      // kubectl (apply, exec for git pushes) and the API client both read it.
      process.env.KUBECONFIG = kubeconfig;
      runtime = new KubernetesRuntime({
        provider: 'context',
        context: 'default',
        stateDir,
        imageRegistry: `localhost:${port}`,
      });
    } else {
      runtime = new KubernetesRuntime({ provider, clusterName: 'devenv-live', stateDir });
      if (!process.env.DEVENV_LIVE_KEEP) {
        cleanups.push(
          () =>
            void run(
              provider,
              provider === 'kind'
                ? ['delete', 'cluster', '--name', 'devenv-live']
                : ['cluster', 'delete', 'devenv-live'],
              300_000,
            ),
        );
      }
    }
  });

  afterAll(async () => {
    await runtime?.close();
    for (const c of cleanups.reverse()) await c();
  });

  const events: string[] = [];
  async function up(): Promise<Engine> {
    const engine = new Engine(runtime);
    engine.bus.subscribe((e) => {
      if (e.kind === 'diagnostic' || (e.kind === 'log' && e.stream === 'system')) events.push(JSON.stringify(e));
    });
    const result = await engine.up(project);
    expect(result.failed, events.slice(-40).join('\n')).toEqual([]);
    return engine;
  }

  let coldMs = 0;
  let engine: Engine;

  it('brings the reference stack up through Argo CD, every Application Synced and Healthy', async () => {
    const started = performance.now();
    engine = await up();
    coldMs = performance.now() - started;
    await waitUntil(
      'Applications Synced and Healthy',
      async () => {
        const status = await runtime.clusterStatus(project.name);
        const rows = status.argocd ?? [];
        return rows.length === 7 && rows.every((r) => r.sync === 'Synced' && r.health === 'Healthy') && rows;
      },
      { timeoutMs: 300_000, intervalMs: 3000 },
    );
    const states = Object.fromEntries(engine.status().services.map((s) => [s.name, s.state]));
    expect(states).toEqual({
      postgres: 'healthy',
      redis: 'healthy',
      migrate: 'completed',
      backend: 'healthy',
      worker: 'healthy',
      frontend: 'healthy',
    });
    expect(await runtime.argocd.password()).toMatch(/^\S{8,}$/);
  });

  it('up again changes nothing', async () => {
    const again = new Engine(runtime);
    const result = await again.up(project);
    expect(
      Object.values(result.actions).every((a) => a === 'kept'),
      JSON.stringify(result.actions),
    ).toBe(true);
  });

  it('hits a breakpoint in the backend through the forwarded debug port', async () => {
    const backend = engine.status().services.find((s) => s.name === 'backend')!;
    const debugPort = backend.ports.find((p) => p.containerPort === 5678)!;
    const httpPort = backend.ports.find((p) => p.containerPort === 8000)!;
    expect(debugPort.hostIp).toBe('127.0.0.1');
    const routes = fs.readFileSync(path.join(workDir, 'example/backend/app/routes.py'), 'utf8').split('\n');
    const line = routes.findIndex((l) => l.startsWith('def list_tasks')) + 2;
    const hit = await hitBreakpoint({
      port: debugPort.hostPort,
      remoteFile: '/app/app/routes.py',
      line,
      trigger: () => fetch(`http://127.0.0.1:${httpPort.hostPort}/api/tasks`, { signal: AbortSignal.timeout(60_000) }),
    });
    expect(hit).toEqual({ line, path: '/app/app/routes.py' });
  });

  it('syncs a saved file into the pod over the exec stream', async () => {
    const rule = project.services.backend!.develop!.watch.find((r) => r.action === 'sync')!;
    const session = new SyncSession({ service: 'backend', rule });
    const sync = new ProjectSync([session]);
    await sync.start();
    const link = await runtime.followSync(project.name, 'backend', [session]);
    await waitUntil('sync attached', () => session.attached, { timeoutMs: 60_000 });
    const api = runtime.kube();
    const pod = currentPod(
      await api.listPods(
        project.name,
        'dev.devenv/project=devenv-reference,dev.devenv/service=backend,dev.devenv/role=service',
      ),
    )!;
    const content = `# written by the live suite at ${Date.now()}\n`;
    const saved = performance.now();
    fs.writeFileSync(path.join(rule.path, 'live_sync_probe.py'), content);
    await waitUntil(
      'the file in the pod',
      async () =>
        (
          await execOnce(api, { namespace: project.name, pod: pod.name, container: 'backend' }, [
            'cat',
            '/app/app/live_sync_probe.py',
          ])
        ).stdout === content,
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    const saveToLiveMs = performance.now() - saved;
    await link.close();
    await sync.close();

    const rows = await kubernetesBench({
      api,
      ops: {
        coldUp: async () => coldMs,
        warmUp: async () => void (await new Engine(runtime).up(project)),
        saveToLive: async () => saveToLiveMs,
      },
    });
    console.log(rows.map((r) => `${r.name}: ${r.ms ?? '-'} ms ${r.goal ?? ''} ${r.note}`).join('\n'));
    expect(rows.every((r) => r.status === 'measured')).toBe(true);
  });

  it('soft reset recreates the namespace and Applications; up brings everything back', async () => {
    await engine.close().catch(() => {});
    await runtime.reset(project, 'soft', () => {});
    expect(run('kubectl', ['--context', runtime.context, 'get', 'namespace', project.name]).ok).toBe(false);
    engine = await up();
  });

  it.skipIf(provider === 'testcontainers')(
    'hard reset recreates the cluster and keeps the registry with its images',
    async () => {
      await engine.close().catch(() => {});
      const registry = runtime.cluster!.registry!;
      expect((await runtime.kube().listWorkloads(project.name)).length).toBeGreaterThan(0);
      await runtime.reset(project, 'hard', () => {});
      expect(run('docker', ['inspect', '-f', '{{.State.Running}}', registry.container]).out).toBe('true');
      const tags = JSON.parse(run('curl', ['-s', `http://127.0.0.1:${registry.hostPort}/v2/_catalog`]).out) as {
        repositories: string[];
      };
      expect(tags.repositories).toContain('devenv-reference/backend');
      expect(await registryHasTag(registry.hostPort, `${registry.host}/devenv/tools:${toolsImageTag()}`)).toBe(true);
      engine = await up();
      await engine.close();
    },
  );
});
