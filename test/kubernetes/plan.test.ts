// Acceptance 1: planKubernetes on the reference stack, its services prepared as `up` prepares them
// (the engine's debugger injection and fork reloader). Every object it produces (bootstrap, the
// Applications in git, and what Argo CD applies, rendered by the real kustomize in kubectl from
// the generated tree) validates against the Kubernetes and Argo CD schemas; the cluster configs
// validate against the kind and k3d schemas; the command lines are pinned (golden).

import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadProject } from '../../engine/src/config/index.js';
import { planDebug } from '../../engine/src/debug/index.js';
import { prepareService } from '../../engine/src/engine/prepare-service.js';
import { kubernetesDryRun } from '../../engine/src/kubernetes-dry-run.js';
import type { ProjectSpec } from '../../engine/src/model/spec.js';
import { validateClusterConfig } from '../../engine/src/runtimes/kubernetes/cluster-schemas.js';
import { formatCommand } from '../../engine/src/runtimes/kubernetes/command-runner.js';
import { RESTART_WRAPPER } from '../../engine/src/runtimes/kubernetes/in-place-restart.js';
import type { K8sObject } from '../../engine/src/runtimes/kubernetes/k8s-object.js';
import { formatPlan, type KubernetesPlan, planKubernetes } from '../../engine/src/runtimes/kubernetes/up-plan.js';
import { validateObjects } from '../../engine/src/runtimes/kubernetes/validate-objects.js';

const repo = path.resolve(__dirname, '../..');
let project: ProjectSpec;
let prepared: ProjectSpec;
const plans: Record<'kind' | 'k3d', KubernetesPlan> = {} as never;

/** The frontend's Dockerfile CMD, as the built image reports it (`up` knows it once the image is built). */
const frontendImage = {
  entrypoint: ['docker-entrypoint.sh'],
  cmd: ['node', 'node_modules/vite/bin/vite.js', '--host', '0.0.0.0', '--port', '5173', '--strictPort'],
};

/** The services as `up` runs them on Kubernetes, with the debug ports every machine would get. */
async function asUpRunsIt(p: ProjectSpec): Promise<ProjectSpec> {
  const debugPlan = await planDebug(p, 'kubernetes', [], { isFree: async () => true });
  const services = Object.fromEntries(
    Object.entries(p.services).map(([name, spec]) => [
      name,
      prepareService(spec, {
        runtime: 'kubernetes',
        debugPlan,
        ...(name === 'frontend' ? { image: frontendImage } : {}),
      }).service,
    ]),
  );
  return { ...p, services };
}

beforeAll(async () => {
  // A fixed environment: the file's defaults, whatever the machine exports.
  ({ project } = await loadProject({ cwd: path.join(repo, 'compose/reference'), env: { PATH: process.env.PATH } }));
  prepared = await asUpRunsIt(project);
  for (const provider of ['kind', 'k3d'] as const) {
    plans[provider] = await planKubernetes(prepared, {
      provider,
      stateDir: '/state',
      installManifest: '/cache/install.yaml',
      originals: project.services,
      imageConfigs: { frontend: { entrypoint: frontendImage.entrypoint, cmd: frontendImage.cmd } },
    });
  }
});

function find(plan: KubernetesPlan, kind: string, name: string): K8sObject {
  const o = plan.rendered.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not rendered`);
  return o;
}

function container(
  o: K8sObject,
): Record<string, unknown> & { args?: string[]; env?: { name: string; value: string }[] } {
  return (o.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec.containers[0]!;
}

describe.each(['kind', 'k3d'] as const)('the reference stack on %s', (provider) => {
  it('validates every generated object against the Kubernetes and Argo CD schemas', () => {
    const plan = plans[provider];
    const result = validateObjects(plan.manifests);
    expect(result.problems).toEqual([]);
    expect(result.unknownKinds).toEqual([]);
    expect(result.validated).toBe(plan.manifests.length);
    // bootstrap (+ kind's registry ConfigMap) + 6 Applications + what kustomize renders.
    expect(plan.bootstrap.length).toBe(provider === 'kind' ? 10 : 9);
    expect(plan.applications).toHaveLength(6);
    expect(plan.rendered).toHaveLength(24);
    const kinds = new Map<string, number>();
    for (const o of plan.manifests) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
    expect(Object.fromEntries(kinds)).toEqual({
      // kind's local-registry-hosting, argocd-cm, and per service: env (4) and migrate's run marker.
      ConfigMap: provider === 'kind' ? 7 : 6,
      Namespace: 3,
      PersistentVolumeClaim: 3,
      Deployment: 6,
      Service: 6,
      AppProject: 1,
      Application: 7,
      Secret: 4,
      Job: 3,
    });
    expect(plan.problems).toEqual([]);
  });

  it('validates the cluster config against the schema written from the documented fields', () => {
    const cluster = plans[provider].cluster!;
    expect(validateClusterConfig(provider, cluster.config)).toEqual([]);
    expect(validateClusterConfig(provider, { ...cluster.config, extraField: true })).toEqual([
      '/: must NOT have additional properties (extraField)',
    ]);
  });

  it('makes every object Argo CD applies a valid part of one project namespace', () => {
    for (const o of plans[provider].rendered) {
      expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe('devenv-reference');
      expect(o.metadata.labels?.['dev.devenv/project']).toBe('devenv-reference');
      expect(o.metadata.annotations?.['dev.devenv/spec-hash']).toMatch(/^[0-9a-f]{16}$/);
      expect(o.metadata.name).toMatch(/^[a-z]([-a-z0-9]*[a-z0-9])?$/);
    }
  });
});

describe('what the manifests say (kind)', () => {
  it('orders services by depends_on depth, as sync waves on the Applications and their resources', () => {
    const plan = plans.kind;
    const wave = (o: K8sObject) => o.metadata.annotations?.['argocd.argoproj.io/sync-wave'];
    expect(Object.fromEntries(plan.applications.map((a) => [a.metadata.name, wave(a)]))).toEqual({
      'devenv-reference-postgres': '0',
      'devenv-reference-redis': '0',
      'devenv-reference-migrate': '1',
      'devenv-reference-backend': '2',
      'devenv-reference-worker': '2',
      'devenv-reference-frontend': '3',
    });
    expect(wave(find(plan, 'Deployment', 'backend'))).toBe('2');
    expect(wave(find(plan, 'Deployment', 'frontend'))).toBe('3');
  });

  it('runs the migration as a PreSync hook Job, with its environment as earlier hooks', () => {
    const plan = plans.kind;
    const job = find(plan, 'Job', 'migrate');
    expect(job.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PreSync');
    expect(job.metadata.annotations?.['argocd.argoproj.io/hook-delete-policy']).toBe('BeforeHookCreation');
    expect((job.spec as { backoffLimit: number }).backoffLimit).toBe(0);
    const env = plan.rendered.filter((o) => o.metadata.name === 'migrate-env');
    expect(env.map((o) => o.kind).sort()).toEqual(['ConfigMap', 'Secret']);
    for (const o of env) {
      expect(o.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PreSync');
      expect(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBe('-1');
    }
    // A regular object that changes with the spec, so automated sync runs the hook again.
    expect(find(plan, 'ConfigMap', 'migrate-run').metadata.annotations?.['argocd.argoproj.io/hook']).toBeUndefined();
    expect(plan.rendered.some((o) => o.kind === 'Deployment' && o.metadata.name === 'migrate')).toBe(false);
  });

  it('smoke-tests the backend health through its Service as a PostSync hook', () => {
    const job = find(plans.kind, 'Job', 'backend-smoke');
    expect(job.metadata.annotations?.['argocd.argoproj.io/hook']).toBe('PostSync');
    expect(job.metadata.labels?.['dev.devenv/role']).toBe('smoke');
    const c = container(job) as { command: string[]; image: string };
    expect(c.command.slice(-3)).toEqual(['--header', 'Host: 127.0.0.1:8000', 'http://backend:8000/api/health']);
    expect(c.image).toMatch(/^localhost:5001\/devenv\/tools:[0-9a-f]{12}$/);
  });

  it('puts password-like values in Secrets and the rest in ConfigMaps', () => {
    const plan = plans.kind;
    const secret = find(plan, 'Secret', 'backend-env') as K8sObject & {
      data?: Record<string, string>;
      stringData?: Record<string, string>;
    };
    const values = {
      ...secret.stringData,
      ...Object.fromEntries(
        Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString()]),
      ),
    };
    expect(values).toEqual({ DATABASE_URL: 'postgresql://app:devenv@postgres:5432/app' });
    // With what the engine adds for the debugger (docs/debugging.md).
    expect((find(plan, 'ConfigMap', 'backend-env') as K8sObject & { data: object }).data).toEqual({
      PYDEVD_DISABLE_FILE_VALIDATION: '1',
      REDIS_URL: 'redis://redis:6379/0',
    });
    const all = JSON.stringify(plan.rendered.filter((o) => o.kind === 'ConfigMap'));
    expect(all).not.toContain('devenv@postgres');
  });

  it('turns healthchecks into exec readiness probes and never into liveness probes', () => {
    const plan = plans.kind;
    expect(container(find(plan, 'Deployment', 'redis')).readinessProbe).toEqual({
      exec: { command: ['/bin/sh', '-c', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] },
      periodSeconds: 2,
      timeoutSeconds: 3,
      failureThreshold: 30,
      successThreshold: 1,
    });
    expect(
      (container(find(plan, 'Deployment', 'backend')).readinessProbe as { exec: { command: string[] } }).exec
        .command[0],
    ).toBe('python3');
    expect(JSON.stringify(plan.rendered)).not.toContain('livenessProbe');
  });

  it('runs one replica of each service, under the debugger the engine injected, with its sync targets and the agent scratch dir', () => {
    const plan = plans.kind;
    for (const d of plan.rendered.filter((o) => o.kind === 'Deployment')) {
      expect((d.spec as { replicas: number }).replicas, d.metadata.name).toBe(1);
    }
    const backend = find(plan, 'Deployment', 'backend');
    const c = container(backend) as { args: string[]; ports: { name: string; containerPort: number }[]; image: string };
    // The engine's rewrite (docs/debugging.md), listening in the pod.
    expect(c.args).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '-m',
      'uvicorn',
      'app.main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      '--reload',
    ]);
    expect(c.ports.map((p) => `${p.name}:${p.containerPort}`).sort()).toEqual(['dap:5678', 'tcp-8000:8000']);
    expect(c.image).toBe('localhost:5001/devenv-reference/backend:dry-run');
    const template = (backend.spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
    expect(template.metadata.annotations['dev.devenv/sync-targets']).toBe('/app/app');
    expect(template.metadata.annotations['dev.devenv/debug']).toBe('python:5678');
    // Forwarded from 127.0.0.1 at the host ports the engine reports (debug-info, VS Code's Run Both).
    expect(backend.metadata.annotations?.['dev.devenv/forwards']).toBe(
      '127.0.0.1:8000:8000/tcp,127.0.0.1:5678:5678/tcp',
    );
    // The debug port is never behind a Service.
    const svcPorts = (find(plan, 'Service', 'backend').spec as { ports: { port: number }[] }).ports.map((p) => p.port);
    expect(svcPorts).toEqual([8000]);
    // The frontend runs its image's command: the engine rewrote it (known once the image is built).
    // (its image's ENTRYPOINT, docker-entrypoint.sh, stays: only the command is written out).
    const frontend = container(find(plan, 'Deployment', 'frontend')) as { command?: string[]; args: string[] };
    expect(frontend.command).toBeUndefined();
    expect(frontend.args).toEqual([
      'node',
      '--inspect=0.0.0.0:9229',
      'node_modules/vite/bin/vite.js',
      '--host',
      '0.0.0.0',
      '--port',
      '5173',
      '--strictPort',
    ]);
    // Services the project ships manifests for keep them; the overlay still applies.
    const postgres = find(plan, 'Deployment', 'postgres');
    expect(container(postgres).env).toEqual([{ name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' }]);
    expect((container(postgres) as { image: string }).image).toBe('localhost:5001/devenv-reference/postgres:dry-run');
    expect(postgres.metadata.labels?.['dev.devenv/role']).toBe('service');
  });

  it('restarts the worker (sync+restart) in place, under the wrapper, so synced files stay', () => {
    const worker = find(plans.kind, 'Deployment', 'worker');
    const c = container(worker) as { command: string[]; args: string[] };
    expect(c.command.slice(0, 6)).toEqual(['/bin/sh', '-c', RESTART_WRAPPER, 'devenv-restart', '10', '--']);
    expect(c.command.slice(6, 11)).toEqual(['python3', '-m', 'debugpy', '--listen', '0.0.0.0:5678']);
    expect(c.command.slice(-5)).toEqual(['-A', 'app.worker', 'worker', '--pool=solo', '--loglevel=INFO']);
    expect(c.args).toEqual([]);
    const template = (worker.spec as { template: { metadata: { annotations: Record<string, string> } } }).template;
    expect(template.metadata.annotations['dev.devenv/restart']).toBe('in-place');
  });

  it('`up --dry-run` prints the plan of the services as `up` runs them', async () => {
    const { text, problems } = await kubernetesDryRun(project, { runtime: 'kind', stateDir: '/state' });
    expect(problems).toEqual([]);
    expect(text).toMatch(/- --listen\n\s+- 0\.0\.0\.0:5678\n/);
    // Without a build the frontend's command is its image's, not known yet: said, not guessed.
    expect(text).toMatch(/^# frontend: runs its image's command, known once the image is built/m);
    expect(text).toContain('kubectl --context kind-devenv apply -f /state/k8s/bootstrap/namespaces.yaml');
    const manifests = (t: string) =>
      parseAllDocuments(t.slice(t.indexOf('\n---\n') + 5)).map((d) => d.toJS() as K8sObject);
    const docs = manifests(text);
    expect(docs.length).toBe(plans.kind.manifests.length);
    expect(validateObjects(docs)).toMatchObject({ problems: [], unknownKinds: [] });
    // A cluster devenv did not create: the same objects, valid too.
    const shared = await kubernetesDryRun(project, {
      runtime: 'kubernetes',
      stateDir: '/state',
      kubeContext: 'team-dev',
      imageRegistry: 'ghcr.io/acme/dev',
    });
    expect(shared.problems).toEqual([]);
    expect(validateObjects(manifests(shared.text))).toMatchObject({ problems: [], unknownKinds: [] });
  });

  it('keeps volumes out of pruning and deletion, and rolls pods with a volume by recreating them', () => {
    const plan = plans.kind;
    for (const name of ['postgres-data', 'frontend-node-modules']) {
      expect(find(plan, 'PersistentVolumeClaim', name).metadata.annotations?.['argocd.argoproj.io/sync-options']).toBe(
        'Prune=false,Delete=false',
      );
    }
    expect((find(plan, 'Deployment', 'frontend').spec as { strategy: { type: string } }).strategy.type).toBe(
      'Recreate',
    );
    expect((find(plan, 'Deployment', 'backend').spec as { strategy: { type: string } }).strategy.type).toBe(
      'RollingUpdate',
    );
  });

  it('serves the stack from the in-cluster git server as an app of apps', () => {
    const root = plans.kind.bootstrap.find((o) => o.kind === 'Application')!;
    expect(root.spec).toMatchObject({
      source: {
        repoURL: 'http://devenv-git.devenv-system.svc.cluster.local/git/devenv-reference.git',
        targetRevision: 'devenv/devenv-reference',
        path: '.devenv-k8s/devenv-reference/apps',
      },
      syncPolicy: { automated: { prune: true, selfHeal: true } },
    });
    expect(Object.keys(plans.kind.files).sort()).toContain(
      '.devenv-k8s/devenv-reference/services/postgres/kustomization.yaml',
    );
    expect(Object.keys(plans.kind.files).some((f) => f.includes('/base/postgres/'))).toBe(false);
  });
});

const kindCommands = [
  'docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name devenv-registry -v devenv-registry-data:/var/lib/registry registry:2.8.3',
  'kind create cluster --name devenv --config /state/kind-cluster.yaml --wait 120s',
  'docker exec devenv-control-plane mkdir -p /etc/containerd/certs.d/localhost:5001',
  'docker exec -i devenv-control-plane cp /dev/stdin /etc/containerd/certs.d/localhost:5001/hosts.toml',
  'docker network connect kind devenv-registry',
  'kubectl --context kind-devenv apply -f /state/bootstrap/registry-hosting.yaml',
];

const argoAndGit = (ctx: string, reg: string) => [
  `kubectl --context ${ctx} apply -f /state/bootstrap/namespaces.yaml`,
  `kubectl --context ${ctx} apply --server-side --force-conflicts -n argocd -f /cache/install.yaml`,
  `kubectl --context ${ctx} -n argocd patch configmap argocd-cm --type merge --patch-file /state/bootstrap/argocd-cm-patch.yaml`,
  `docker tag devenv-tools:TOOLS ${reg}/devenv/tools:TOOLS`,
  `docker push ${reg}/devenv/tools:TOOLS`,
  `kubectl --context ${ctx} apply -f /state/bootstrap/git-server.yaml`,
  `kubectl --context ${ctx} -n devenv-system rollout status deployment/devenv-git --timeout 180s`,
  ...['postgres', 'redis', 'migrate', 'backend', 'worker', 'frontend'].flatMap((s) => [
    `docker tag '<${s} image id>' ${reg}/devenv-reference/${s}:dry-run`,
    `docker push ${reg}/devenv-reference/${s}:dry-run`,
  ]),
  'GIT_INDEX_FILE=/state/snapshot.index git -C REPO add -A',
  'GIT_INDEX_FILE=/state/snapshot.index git -C REPO rm -r -q --cached --ignore-unmatch -- .devenv-k8s',
  'GIT_INDEX_FILE=/state/snapshot.index git -C REPO --work-tree /state/tree add -A -f -- .devenv-k8s',
  'GIT_INDEX_FILE=/state/snapshot.index git -C REPO write-tree',
  "GIT_INDEX_FILE=/state/snapshot.index GIT_AUTHOR_NAME=devenv GIT_AUTHOR_EMAIL=devenv@localhost GIT_COMMITTER_NAME=devenv GIT_COMMITTER_EMAIL=devenv@localhost git -C REPO commit-tree '<tree>' -m 'devenv snapshot of devenv-reference with working-tree changes'",
  "GIT_INDEX_FILE=/state/snapshot.index git -C REPO -c core.hooksPath=/dev/null update-ref refs/devenv/devenv-reference '<commit>'",
  `git -C REPO -c protocol.ext.allow=always push --no-verify --force --quiet 'ext::kubectl --context ${ctx} -n devenv-system exec -i deploy/devenv-git -c git -- devenv-git-receive devenv-reference' refs/devenv/devenv-reference:refs/heads/devenv/devenv-reference`,
  `kubectl --context ${ctx} apply -f /state/bootstrap/project.yaml`,
  `kubectl --context ${ctx} -n argocd annotate application devenv-reference argocd.argoproj.io/refresh=normal --overwrite`,
];

function lines(plan: KubernetesPlan): string[] {
  return plan.steps.flatMap((s) =>
    s.kind === 'command'
      ? [
          formatCommand(s.command)
            .replaceAll(repo, 'REPO')
            .replace(/tools:[0-9a-f]{12}/g, 'tools:TOOLS'),
        ]
      : [],
  );
}

describe('golden command lines', () => {
  it('kind: registry, cluster, containerd alias, Argo CD, git server, images, snapshot, project', () => {
    expect(lines(plans.kind)).toEqual([...kindCommands, ...argoAndGit('kind-devenv', 'localhost:5001')]);
    const hosts = plans.kind.steps.find((s) => s.kind === 'command' && s.command.argv.includes('/dev/stdin'));
    expect(hosts?.kind === 'command' && hosts.command.stdin).toBe('[host."http://devenv-registry:5000"]\n');
  });

  it('k3d: the registry comes with the cluster (registries.create)', () => {
    expect(lines(plans.k3d)).toEqual([
      'docker rm -f devenv-k3d-registry',
      'k3d cluster create --config /state/k3d-cluster.yaml',
      ...argoAndGit('k3d-devenv', 'localhost:5002'),
    ]);
  });

  it('plans = commands are what the steps say, argv for argv', () => {
    expect(plans.kind.commands).toEqual(
      plans.kind.steps.flatMap((s) => (s.kind === 'command' ? [s.command.argv] : [])),
    );
  });

  it('a shared cluster (--context) creates no cluster and needs a registry for built images', async () => {
    const plan = await planKubernetes(project, {
      provider: 'context',
      context: 'team-dev',
      stateDir: '/state',
      render: false,
    });
    expect(lines(plan).some((l) => l.startsWith('kind ') || l.startsWith('k3d '))).toBe(false);
    // Argo CD is used as found there: nothing installs or patches it.
    expect(lines(plan).some((l) => l.includes('install.yaml') || l.includes('argocd-cm'))).toBe(false);
    expect(lines(plan)).toContain('kubectl --context team-dev apply -f /state/bootstrap/namespaces.yaml');
    expect(plan.problems.map((p) => p.code)).toEqual(['kubernetes.no-registry']);
    const withRegistry = await planKubernetes(project, {
      provider: 'context',
      context: 'team-dev',
      stateDir: '/state',
      imageRegistry: 'ghcr.io/acme/dev',
      render: false,
    });
    expect(withRegistry.problems).toEqual([]);
    expect(lines(withRegistry)).toContain(
      "docker tag '<backend image id>' ghcr.io/acme/dev/devenv-reference-backend:dry-run",
    );
  });

  it('without a registry, images are loaded into the nodes', async () => {
    const plan = await planKubernetes(project, { provider: 'k3d', stateDir: '/state', registry: false, render: false });
    const l = lines(plan);
    expect(l).toContain('k3d image import devenv.local/devenv-reference/backend:dry-run --cluster devenv');
    expect(l.some((x) => x.startsWith('docker push'))).toBe(false);
  });
});

describe('the dry-run printer', () => {
  it('prints `$ ` command lines, then every manifest as YAML documents', () => {
    const text = formatPlan(plans.kind);
    const [head, ...rest] = text.split('\n---\n');
    const commandLines = head!.split('\n').filter((l) => l.startsWith('$ '));
    expect(commandLines).toHaveLength(plans.kind.commands.length);
    expect(commandLines[0]).toBe(`$ ${kindCommands[0]}`);
    // The here-document carries stdin.
    expect(head).toContain(
      `cp /dev/stdin /etc/containerd/certs.d/localhost:5001/hosts.toml <<'EOF'\n[host."http://devenv-registry:5000"]\nEOF`,
    );
    const docs = parseAllDocuments(rest.join('\n---\n')).map((d) => d.toJS() as K8sObject);
    expect(docs).toHaveLength(plans.kind.manifests.length);
    expect(validateObjects(docs).problems).toEqual([]);
  });
});

describe('the committed kustomize tree', () => {
  it('builds with kubectl kustomize (no cluster needed)', () => {
    const out = execFileSync('kubectl', ['kustomize', path.join(repo, 'kind/reference/postgres')], {
      encoding: 'utf8',
    });
    const objects = parseAllDocuments(out).map((d) => d.toJS() as K8sObject);
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'Deployment/postgres',
      'PersistentVolumeClaim/postgres-data',
      'Secret/postgres-env',
      'Service/postgres',
    ]);
    expect(validateObjects(objects).problems).toEqual([]);
  });
});
