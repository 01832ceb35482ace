// The runtime's logic against the FakeKubeApi and recorded Argo CD status sequences: publishing a
// service never ends another service's sync, observing the project's own manifests, and the
// debug port forwarded at the host port the engine reports. Real git (a temporary repository) for
// the snapshot; kubectl and the push to the in-cluster server are recorded, not run.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { migrationRunning, smokeRunning, waitingForHealth } from '../../../../test/kubernetes/helpers/argocd-status.js';
import { service } from '../../../../test/kubernetes/helpers/specs.js';
import { loadProject } from '../../config/index.js';
import { planDebug } from '../../debug/index.js';
import { prepareService } from '../../engine/prepare-service.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { type Command, type CommandRunner, ExecaRunner, RecordingRunner, type RunOptions } from './command-runner.js';
import { FakeKubeApi } from './fake-kube-api.js';
import type { K8sObject } from './k8s-object.js';
import { workloadView } from './kube-api.js';
import { KubernetesRuntime } from './kubernetes-runtime.js';
import { planKubernetes } from './up-plan.js';

/** git for real (a temporary repository), except the push into the cluster; everything else recorded. */
class TestRunner implements CommandRunner {
  readonly recorded = new RecordingRunner();
  private readonly real = new ExecaRunner();
  /** Called for every recorded (not run) command, e.g. to play Argo CD when it is asked to refresh. */
  onRecorded: (cmd: Command) => void = () => {};
  run(cmd: Command, opts?: RunOptions) {
    const git = cmd.argv[0] === 'git' && !cmd.argv.includes('push');
    if (git) return this.real.run(cmd, opts);
    this.onRecorded(cmd);
    return this.recorded.run(cmd, opts);
  }
  /** The kubectl lines that end a sync operation (`terminate-op`). */
  terminations(): string[] {
    return this.recorded.lines().filter((l) => l.includes('Terminating'));
  }
}

const runtimes: KubernetesRuntime[] = [];
afterEach(async () => {
  for (const r of runtimes.splice(0)) await r.close();
});

function setup(services: ServiceSpec[]) {
  const dir = mkdtempSync(path.join(tmpdir(), 'k8s-rt-'));
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  writeFileSync(path.join(dir, 'app.py'), 'print(1)\n');
  const project: ProjectSpec = {
    name: 'demo',
    projectDir: dir,
    configFiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    volumes: {},
    networks: {},
    devenv: {},
  };
  const api = new FakeKubeApi();
  const runner = new TestRunner();
  const stateDir = mkdtempSync(path.join(tmpdir(), 'k8s-rt-state-'));
  const runtime = new KubernetesRuntime({
    provider: 'context',
    context: 'fake',
    imageRegistry: 'registry.test/dev',
    stateDir,
    runner,
    api,
    pollMs: 5,
    syncTimeoutMs: 5000,
  });
  runtimes.push(runtime);
  return { project, api, runner, runtime, stateDir };
}

/** Argo CD has applied the service: its workload carries the spec hash devenv asked for. */
function applied(api: FakeKubeApi, name: string, specHash: string, annotations: Record<string, string> = {}) {
  api.workloads.push({
    kind: 'Deployment',
    name,
    namespace: 'demo',
    labels: { 'dev.devenv/project': 'demo', 'dev.devenv/service': name, 'dev.devenv/role': 'service' },
    annotations: { 'dev.devenv/spec-hash': specHash, ...annotations },
    replicas: 1,
    readyReplicas: 1,
  });
}

const artifact = (name: string) => ({ ref: `${name}:1`, id: `sha256:${name.padEnd(64, '0')}` });

/** The frontend published (created) while other Applications are in the given states; what devenv ended. */
async function publishFrontend(others: ServiceSpec[], apps: Record<string, unknown>[]) {
  const { project, api, runner, runtime } = setup([...others, service('frontend')]);
  for (const app of apps) api.setApplication([app]);
  applied(api, 'frontend', 'hash-frontend');
  await runtime.create(project.services.frontend!, {
    project,
    specHash: 'hash-frontend',
    artifact: artifact('frontend'),
  });
  return runner;
}

describe("publishing never interrupts another service's sync", () => {
  it("leaves the backend's running PostSync smoke test and a migration alone when the frontend is published", async () => {
    const runner = await publishFrontend(
      [service('backend'), service('migrate')],
      [smokeRunning('demo-backend', 'backend'), migrationRunning('demo-migrate', 'migrate')],
    );
    expect(runner.terminations()).toEqual([]);
    // Argo CD is asked to look at the new commit, for every Application: it syncs it after the running operations.
    const refreshed = runner.recorded.lines().filter((l) => l.includes('argocd.argoproj.io/refresh=normal'));
    expect(refreshed.map((l) => l.split(' ')[7])).toEqual(expect.arrayContaining(['demo-backend', 'demo-migrate']));
  });

  it("leaves another service's sync that waits for health alone too: its own commit did not change", async () => {
    const runner = await publishFrontend([service('backend')], [waitingForHealth('demo-backend', 'backend')]);
    expect(runner.terminations()).toEqual([]);
  });

  it('ends a sync of the same service that only waits for an older rollout to turn healthy, with a precondition', async () => {
    const runner = await publishFrontend([], [waitingForHealth('demo-frontend', 'frontend')]);
    expect(runner.terminations()).toEqual([
      `kubectl --context fake -n argocd patch application demo-frontend --type merge -p '{"metadata":{"resourceVersion":"2001"},"status":{"operationState":{"phase":"Terminating"}}}'`,
    ]);
  });

  it("never ends the same service's sync while its hook runs", async () => {
    const runner = await publishFrontend([], [smokeRunning('demo-frontend', 'frontend')]);
    expect(runner.terminations()).toEqual([]);
  });
});

/**
 * Plays Argo CD for one service: when devenv asks it to look at a new commit (a refresh), the
 * service's workload appears as the committed dev overlay describes it (labels, annotations).
 */
function argoApplies(runner: TestRunner, api: FakeKubeApi, stateDir: string, service: string) {
  runner.onRecorded = (cmd) => {
    if (!cmd.argv.includes('argocd.argoproj.io/refresh=normal')) return;
    const file = path.join(stateDir, 'k8s/tree/.devenv-k8s/demo/services', service, 'kustomization.yaml');
    const overlay = parse(readFileSync(file, 'utf8')) as {
      labels: { pairs: Record<string, string> }[];
      commonAnnotations: Record<string, string>;
      patches: { patch: string }[];
    };
    const patch = parse(overlay.patches[0]!.patch) as {
      metadata: { labels: Record<string, string>; annotations?: Record<string, string> };
    };
    api.workloads.splice(0);
    api.workloads.push({
      kind: 'Deployment',
      name: service,
      namespace: 'demo',
      labels: { ...overlay.labels[0]!.pairs, ...patch.metadata.labels },
      annotations: { ...overlay.commonAnnotations, ...patch.metadata.annotations },
      replicas: 1,
      readyReplicas: 1,
    });
  };
}

describe('the debug endpoint', () => {
  it("is the port the runtime forwards: the engine's planned host port reaches the debugger in the pod", async () => {
    const backend = service('backend', {
      command: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'],
      devenv: { debug: { type: 'python', wait: false } },
    });
    const { project, api, runner, runtime, stateDir } = setup([backend]);
    const debugPlan = await planDebug(project, 'kubernetes', []);
    const prepared = prepareService(backend, { runtime: 'kubernetes', debugPlan });
    expect(prepared.endpoint).toMatchObject({ protocol: 'dap', hostIp: '127.0.0.1' });
    argoApplies(runner, api, stateDir, 'backend');
    const id = await runtime.create(prepared.service, { project, specHash: 'h1', artifact: artifact('backend') });
    const state = await runtime.inspect(id);
    expect(state.ports.find((p) => p.containerPort === 5678)).toEqual({
      hostIp: '127.0.0.1',
      hostPort: prepared.endpoint!.hostPort,
      containerPort: 5678,
      protocol: 'tcp',
    });
  });
});

const kubectlMissing = (() => {
  try {
    execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
    return undefined;
  } catch {
    return 'kubectl is not installed (its kustomize renders the manifests)';
  }
})();

describe.skipIf(kubectlMissing !== undefined)(
  `observe() on the reference stack's rendered manifests${kubectlMissing ? ` (skipped: ${kubectlMissing})` : ''}`,
  () => {
    it("finds every service, postgres from the project's own kustomization included", async () => {
      const repo = path.resolve(__dirname, '../../../..');
      const { project } = await loadProject({
        cwd: path.join(repo, 'compose/reference'),
        env: { PATH: process.env.PATH },
      });
      // Host ports out of the way of a reference stack running on this machine (observe forwards them).
      for (const svc of Object.values(project.services)) svc.ports = svc.ports.map(({ published: _, ...p }) => p);
      const plan = await planKubernetes(project, { provider: 'kind', stateDir: '/state', installManifest: '/x' });
      const api = new FakeKubeApi();
      for (const o of plan.rendered.filter((x) => x.kind === 'Deployment' || x.kind === 'Job'))
        api.workloads.push(workloadView(o.kind as 'Deployment' | 'Job', o as K8sObject as never));
      const runtime = new KubernetesRuntime({
        provider: 'kind',
        stateDir: mkdtempSync(path.join(tmpdir(), 'k8s-obs-')),
        api,
      });
      runtimes.push(runtime);
      const observed = await runtime.observe('devenv-reference');
      expect(observed.map((o) => `${o.service} ${o.id.split('/')[2]}`).sort()).toEqual([
        'backend Deployment',
        'frontend Deployment',
        'migrate Job',
        'postgres Deployment',
        'redis Deployment',
        'worker Deployment',
      ]);
      for (const o of observed) expect(o.specHash, o.service).toMatch(/^[0-9a-f]{16}$/);
    });
  },
);
