// The live suite: the user's whole path on a real cluster, through the devenv CLI as a subprocess
// (`devenv --runtime kind up -d`, `status --json`, `debug-info --json`, `logs`, `reset`, `down`),
// on a private copy of the reference stack in a repository of its own. It checks that the
// migration (PreSync) and the smoke tests (PostSync) ran and succeeded, a breakpoint is hit
// through the port `debug-info` reports, a saved file reaches the pod and `sync+restart` runs the
// new code in the same pod, logs stream, a second `up` keeps everything, soft and hard resets.
//
// Where: DEVENV_LIVE_PROVIDER=kind|k3d (a cluster devenv creates, named devenv-live) or
// testcontainers (the default: a k3s container from @testcontainers/k3s, used as a cluster devenv
// did not create: `--runtime kubernetes --context`, Argo CD installed with `argocd install --yes`).
// .github/workflows/kubernetes.yml runs all three. Where the images cannot be had (no registry
// here), every case skips and the suite says exactly what is missing.

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProjectStatus, ServiceStatus } from '../../engine/src/model/status.js';
import { kubernetesBench } from '../../engine/src/runtimes/kubernetes/bench.js';
import { ClientNodeKubeApi } from '../../engine/src/runtimes/kubernetes/kube-api.js';
import { K3S_IMAGE, REGISTRY_IMAGE } from '../../engine/src/runtimes/kubernetes/versions.js';
import { cliBin, devenv } from '../helpers/cli.js';
import { copyReferenceStack, type ReferenceCopy } from '../helpers/reference-copy.js';
import { waitUntil } from '../helpers/wait.js';
import { hitBreakpoint } from './helpers/dap-client.js';

const provider = (process.env.DEVENV_LIVE_PROVIDER ?? 'testcontainers') as 'testcontainers' | 'kind' | 'k3d';
const PROJECT = 'devenv-reference';
const CLUSTER = 'devenv-live';
const MINUTE = 60_000;
/**
 * Per-step budgets for a hosted runner (2 vCPU): a cold `up` creates the cluster, installs Argo CD,
 * builds five images, and the frontend's pod installs its packages before Vite serves.
 */
const BUDGET = { coldUp: 40 * MINUTE, up: 15 * MINUTE, reset: 30 * MINUTE, step: 5 * MINUTE, command: 2 * MINUTE };

function run(cmd: string, args: string[], timeoutMs = 60_000, env = process.env): { ok: boolean; out: string } {
  try {
    return {
      ok: true,
      out: execFileSync(cmd, args, {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: timeoutMs,
        env,
      }).trim(),
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
  if (!fs.existsSync(cliBin)) return `the CLI is not built (${cliBin}): run \`npm run build\``;
  if (!run('docker', ['info', '--format', '{{.ServerVersion}}'], 10_000).ok)
    return 'no Docker engine answers (`docker info` failed)';
  if (!run('kubectl', ['version', '--client'], 10_000).ok) return 'kubectl is not installed';
  if (provider === 'kind' || provider === 'k3d') {
    const v = run(provider, ['version'], 10_000);
    if (!v.ok) return `the ${provider} CLI is missing (${v.out})`;
  }
  // kind pulls its node image itself (kindest/node for its version): a registry must be reachable.
  const images = provider === 'kind' ? [REGISTRY_IMAGE, 'kindest/node'] : [K3S_IMAGE, REGISTRY_IMAGE];
  for (const image of images) {
    if (image === 'kindest/node') {
      const probe = run('docker', ['manifest', 'inspect', 'kindest/node:v1.32.2'], 45_000);
      if (!probe.ok)
        return `no registry answers for kind's node image (\`docker manifest inspect kindest/node\`: ${probe.out})`;
      continue;
    }
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
  let ref: ReferenceCopy;
  /** Global options for every command: the file, the runtime, and on a shared cluster its context. */
  let flags: string[];
  let env: Record<string, string>;
  let context: string;
  let namespace: string;
  /** Figures for `kubernetesBench`, printed at the end (never asserted on). */
  const timings: { coldUp?: number; warmUp?: number; saveToLive?: number } = {};

  const cli = (args: string[], timeoutMs: number = BUDGET.command) =>
    devenv([...flags, ...args], { cwd: ref.root, env, timeoutMs });
  const kubectl = (...args: string[]) =>
    run('kubectl', ['--context', context, ...args], 60_000, { ...process.env, ...env });
  const daemonLog = () => {
    const file = path.join(ref.root, 'compose/reference/.devenv', PROJECT, 'daemon.log');
    return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').slice(-80).join('\n') : '(no daemon log)';
  };
  async function status(): Promise<ProjectStatus> {
    const r = await cli(['status', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as ProjectStatus;
  }
  const service = (s: ProjectStatus, name: string) => s.services.find((x) => x.name === name)!;
  /** Every service settled, every Application Synced and Healthy. */
  async function settled(timeoutMs: number): Promise<ProjectStatus> {
    return waitUntil(
      'every service settled and every Application Synced/Healthy',
      async () => {
        const s = await status();
        const ok = (x: ServiceStatus) => x.state === 'healthy' || (x.name === 'migrate' && x.state === 'completed');
        const apps = s.cluster?.argocd ?? [];
        return (
          s.services.length === 6 &&
          s.services.every(ok) &&
          apps.length === 7 &&
          apps.every((a) => a.sync === 'Synced' && a.health === 'Healthy') &&
          s
        );
      },
      { timeoutMs, intervalMs: 5000 },
    );
  }
  const pods = () =>
    kubectl(
      '-n',
      namespace,
      'get',
      'pods',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}={.metadata.uid}{"\\n"}{end}',
    ).out;
  const podOf = (svc: string) =>
    kubectl(
      '-n',
      namespace,
      'get',
      'pods',
      '-l',
      `dev.devenv/service=${svc},dev.devenv/role=service`,
      '-o',
      'jsonpath={.items[0].metadata.name}',
    ).out;

  beforeAll(async () => {
    // A copy of the reference stack in a repository of its own: the snapshot commits there, not to ours.
    ref = copyReferenceStack('k8s-live');
    fs.cpSync(path.resolve(__dirname, '../../kind/reference'), path.join(ref.root, 'kind/reference'), {
      recursive: true,
    });
    fs.writeFileSync(path.join(ref.root, '.gitignore'), 'node_modules/\n__pycache__/\n');
    execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: ref.root });
    execFileSync('git', ['add', '.'], { cwd: ref.root });
    execFileSync('git', ['-c', 'user.name=live', '-c', 'user.email=live@test', 'commit', '-qm', 'reference stack'], {
      cwd: ref.root,
    });
    env = { DEVENV_CLUSTER_NAME: CLUSTER };
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
      const kubeconfig = path.join(fs.mkdtempSync(path.join(tmpdir(), 'devenv-live-kube-')), 'kubeconfig');
      fs.writeFileSync(kubeconfig, k3s.getKubeConfig());
      env.KUBECONFIG = kubeconfig;
      process.env.KUBECONFIG = kubeconfig; // the API client of the timings below
      context = 'default';
      flags = [
        '-f',
        ref.compose,
        '--runtime',
        'kubernetes',
        '--context',
        context,
        '--image-registry',
        `localhost:${port}`,
      ];
    } else {
      context = `${provider}-${CLUSTER}`;
      flags = ['-f', ref.compose, '--runtime', provider];
      if (!process.env.DEVENV_LIVE_KEEP) {
        cleanups.push(
          () =>
            void run(
              provider,
              provider === 'kind' ? ['delete', 'cluster', '--name', CLUSTER] : ['cluster', 'delete', CLUSTER],
              300_000,
            ),
        );
      }
    }
    namespace = PROJECT;
    cleanups.push(async () => void (await cli(['down'], BUDGET.step).catch(() => undefined)));
  }, BUDGET.step);

  afterAll(async () => {
    for (const c of cleanups.reverse()) await c();
  }, BUDGET.reset);

  it.runIf(provider === 'testcontainers')(
    'on a cluster devenv did not create, installs Argo CD only when asked, after listing the changes',
    async () => {
      const refused = await cli(['up', '-d'], BUDGET.up);
      expect(refused.code, refused.stdout + refused.stderr).toBe(1);
      expect(refused.stderr).toContain('argocd install');
      const asked = await cli(['argocd', 'install', '--yes'], BUDGET.reset);
      expect(asked.code, asked.stderr).toBe(0);
      expect(asked.stdout).toMatch(/devenv would:\n {2}- create namespace argocd and apply Argo CD v/);
      const again = await cli(['argocd', 'install', '--yes']);
      expect(again.stdout).toMatch(/needs no change/);
    },
    BUDGET.reset,
  );

  it(
    '`up -d` brings the reference stack up through Argo CD: every service settled, every Application Synced and Healthy',
    async () => {
      const started = performance.now();
      const r = await cli(['up', '-d'], BUDGET.coldUp);
      expect(r.code, `${r.stderr}\n${daemonLog()}`).toBe(0);
      await settled(BUDGET.step);
      timings.coldUp = performance.now() - started;
      const password = await cli(['argocd', 'password']);
      expect(password.stdout.trim()).toMatch(/^\S{8,}$/);
    },
    BUDGET.coldUp + BUDGET.step,
  );

  it(
    'ran the migration (PreSync) and the smoke tests (PostSync), and each succeeded',
    async () => {
      for (const job of ['migrate', 'backend-smoke', 'frontend-smoke']) {
        expect(kubectl('-n', namespace, 'get', 'job', job, '-o', 'jsonpath={.status.succeeded}').out, job).toBe('1');
      }
      const apps = (await status()).cluster!.argocd!;
      const hooks = (svc: string) => apps.find((a) => a.service === svc)?.hooks ?? [];
      expect(hooks('migrate')).toContainEqual(
        expect.objectContaining({ name: 'Job/migrate', type: 'PreSync', phase: 'Succeeded' }),
      );
      expect(hooks('backend')).toContainEqual(
        expect.objectContaining({ name: 'Job/backend-smoke', type: 'PostSync', phase: 'Succeeded' }),
      );
    },
    BUDGET.step,
  );

  it(
    'hits a breakpoint in the backend through the port `debug-info` reports',
    async () => {
      const info = await cli(['debug-info', '--json']);
      expect(info.code, info.stderr).toBe(0);
      const backend = (JSON.parse(info.stdout) as { service: string; host: string; port: number }[]).find(
        (d) => d.service === 'backend',
      )!;
      expect(backend.host).toBe('127.0.0.1');
      const s = await status();
      expect(service(s, 'backend').debug?.hostPort).toBe(backend.port);
      const http = service(s, 'backend').ports.find((p) => p.containerPort === 8000)!;
      const routes = fs.readFileSync(path.join(ref.backend, 'app/routes.py'), 'utf8').split('\n');
      const line = routes.findIndex((l) => l.startsWith('def list_tasks')) + 2;
      const hit = await hitBreakpoint({
        port: backend.port,
        remoteFile: '/app/app/routes.py',
        line,
        trigger: () => fetch(`http://127.0.0.1:${http.hostPort}/api/tasks`, { signal: AbortSignal.timeout(60_000) }),
      });
      expect(hit).toEqual({ line, path: '/app/app/routes.py' });
    },
    BUDGET.step,
  );

  it(
    'a saved file reaches the pod; `sync+restart` runs the new code in the same pod',
    async () => {
      const probe = `# written by the live suite at ${Date.now()}\n`;
      const backendPod = podOf('backend');
      const saved = performance.now();
      fs.writeFileSync(path.join(ref.backend, 'app/live_sync_probe.py'), probe);
      await waitUntil(
        'the saved file in the backend pod',
        () =>
          kubectl('-n', namespace, 'exec', backendPod, '-c', 'backend', '--', 'cat', '/app/app/live_sync_probe.py')
            .out === probe.trim(),
        { timeoutMs: 60_000, intervalMs: 200 },
      );
      timings.saveToLive = performance.now() - saved;
      // The worker's rule is sync+restart: it restarts in place (same pod, files kept) and runs the new code.
      const workerPod = podOf('worker');
      const marker = `devenv-live-marker-${Date.now()}`;
      ref.edit('example/backend/app/worker.py', (text) => `${text}\nprint(${JSON.stringify(marker)}, flush=True)\n`);
      await waitUntil(
        'the worker printing the marker after its restart',
        async () => (await cli(['logs', 'worker', '--tail', '200'])).stdout.includes(marker),
        { timeoutMs: BUDGET.step, intervalMs: 3000 },
      );
      expect(podOf('worker')).toBe(workerPod);
    },
    BUDGET.step + MINUTE,
  );

  it(
    'streams logs: a request to the backend shows in `devenv logs -f`',
    async () => {
      const http = service(await status(), 'backend').ports.find((p) => p.containerPort === 8000)!;
      const follower: ChildProcess = spawn(process.execPath, [cliBin, ...flags, 'logs', '-f', 'backend'], {
        cwd: ref.root,
        env: { ...process.env, ...env, NO_COLOR: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let seen = '';
      follower.stdout!.on('data', (d: Buffer) => {
        seen += d.toString();
      });
      try {
        const path_ = `/api/health?live=${Date.now()}`;
        await waitUntil(
          'the request in the followed log',
          async () => {
            await fetch(`http://127.0.0.1:${http.hostPort}${path_}`).catch(() => undefined);
            return seen.includes(path_);
          },
          { timeoutMs: 120_000, intervalMs: 2000 },
        );
      } finally {
        follower.kill('SIGINT');
      }
    },
    BUDGET.step,
  );

  it(
    'a second `up` keeps everything: no pod replaced, every action `kept`',
    async () => {
      const before = pods();
      const started = performance.now();
      const r = await cli(['up', '-d', '--json'], BUDGET.up);
      timings.warmUp = performance.now() - started;
      expect(r.code, r.stderr).toBe(0);
      const result = r.stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { kind: string; result?: { actions: Record<string, string> } })
        .find((e) => e.kind === 'result')!.result!;
      expect(
        Object.values(result.actions).every((a) => a === 'kept'),
        JSON.stringify(result.actions),
      ).toBe(true);
      expect(pods()).toBe(before);
    },
    BUDGET.up,
  );

  it(
    'soft reset: the namespace and Applications are recreated (volumes too), and everything comes back',
    async () => {
      const pvc = kubectl('-n', namespace, 'get', 'pvc', 'postgres-data', '-o', 'jsonpath={.metadata.uid}').out;
      const r = await cli(['reset', '--soft', '--yes'], BUDGET.reset);
      expect(r.code, `${r.stderr}\n${daemonLog()}`).toBe(0);
      await settled(BUDGET.step);
      expect(kubectl('-n', namespace, 'get', 'pvc', 'postgres-data', '-o', 'jsonpath={.metadata.uid}').out).not.toBe(
        pvc,
      );
    },
    BUDGET.reset + BUDGET.step,
  );

  it.skipIf(provider === 'testcontainers')(
    'hard reset: the cluster is recreated, the registry and its images are kept',
    async () => {
      const registry = provider === 'kind' ? 'devenv-registry' : 'devenv-k3d-registry';
      const port = provider === 'kind' ? 5001 : 5002;
      const r = await cli(['reset', '--hard', '--yes'], BUDGET.reset);
      expect(r.code, `${r.stderr}\n${daemonLog()}`).toBe(0);
      expect(run('docker', ['inspect', '-f', '{{.State.Running}}', registry]).out).toBe('true');
      const catalog = JSON.parse(run('curl', ['-s', `http://127.0.0.1:${port}/v2/_catalog`]).out) as {
        repositories: string[];
      };
      expect(catalog.repositories).toContain(`${PROJECT}/backend`);
      await settled(BUDGET.step);
    },
    BUDGET.reset + BUDGET.step,
  );

  it(
    '`down` removes the Applications and what they deployed, and keeps the volumes',
    async () => {
      const r = await cli(['down'], BUDGET.step);
      expect(r.code, r.stderr).toBe(0);
      expect(kubectl('-n', 'argocd', 'get', 'application', PROJECT).ok).toBe(false);
      expect(kubectl('-n', namespace, 'get', 'deployments', '-o', 'name').out).toBe('');
      expect(kubectl('-n', namespace, 'get', 'pvc', 'postgres-data').ok).toBe(true);
    },
    BUDGET.step,
  );

  it(
    'prints the timings (cold up, warm up, save → live in a pod)',
    async () => {
      const rows = await kubernetesBench({
        api: ClientNodeKubeApi.forContext(context),
        ops: Object.fromEntries(Object.entries(timings).map(([k, ms]) => [k, async () => ms])),
      });
      console.log(rows.map((r) => `${r.name}: ${r.ms ?? '-'} ms ${r.goal ?? ''} ${r.note}`).join('\n'));
      expect(rows.every((r) => r.status === 'measured')).toBe(true);
    },
    BUDGET.command,
  );
});
