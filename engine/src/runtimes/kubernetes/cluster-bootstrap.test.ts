// On a cluster devenv did not create, Argo CD is touched only when asked: `up` uses it as found
// (and says what it would change), refuses when it is missing, and `argocd install` lists every
// change before making it. On devenv's own clusters the pinned Argo CD is installed as needed.

import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { UserError } from '../../errors.js';
import type { EngineEvent } from '../../model/events.js';
import type { ImageBuilder } from '../shared/image-builder.js';
import type { ArgoContext } from './argocd.js';
import { ClusterBootstrap, summarise } from './cluster-bootstrap.js';
import { RecordingRunner } from './command-runner.js';
import { FakeKubeApi } from './fake-kube-api.js';
import { bootstrapObjects } from './up-plan.js';
import { ARGOCD_VERSION } from './versions.js';

const argo: ArgoContext = { project: 'demo', namespace: 'demo', repoURL: 'http://git/demo.git' };

function readyArgoCd(api: FakeKubeApi) {
  api.workloads.push({
    kind: 'Deployment',
    name: 'argocd-server',
    namespace: 'argocd',
    labels: {},
    annotations: {},
    replicas: 1,
    readyReplicas: 1,
  });
}

function bootstrap(runner: RecordingRunner, api: FakeKubeApi) {
  const stateDir = mkdtempSync(path.join(tmpdir(), 'k8s-boot-'));
  return {
    stateDir,
    boot: new ClusterBootstrap({
      runner,
      kube: () => api,
      context: 'team-dev',
      stateDir,
      cluster: undefined,
      target: { kind: 'remote', prefix: 'ghcr.io/acme/dev' },
      toolsImage: 'ghcr.io/acme/dev/devenv-tools:abc',
      images: { prepareArtifacts: () => ({}) } as unknown as ImageBuilder,
      argocdCacheDir: path.join(stateDir, 'argocd-cache'),
      fetchFn: (async () =>
        new Response(
          'apiVersion: v1\nkind: ServiceAccount\n---\napiVersion: v1\nkind: ServiceAccount\n',
        )) as unknown as typeof fetch,
    }),
  };
}

const objects = bootstrapObjects(undefined, 'demo', argo, 'ghcr.io/acme/dev/devenv-tools:abc');

describe('a cluster devenv did not create (--context)', () => {
  it('uses the Argo CD it finds, changes none of it, and says what it leaves as it is', async () => {
    const runner = new RecordingRunner()
      .on(['kubectl', '--context', 'team-dev', '-n', 'argocd', 'get', 'deployment'], {
        stdout: 'quay.io/argoproj/argocd:v2.13.0',
      })
      .on(['kubectl', '--context', 'team-dev', '-n', 'argocd', 'get', 'configmap'], { stdout: '{"url":"https://cd"}' });
    const api = new FakeKubeApi();
    readyArgoCd(api);
    const { boot, stateDir } = bootstrap(runner, api);
    const events: EngineEvent[] = [];
    await expect(boot.ensure({ name: 'demo' } as never, objects, (e) => events.push(e))).rejects.toThrow(
      /devenv tools image was not built/,
    );
    const lines = runner.lines();
    expect(lines.some((l) => l.includes('install.yaml') || l.includes('patch configmap argocd-cm'))).toBe(false);
    // Argo CD's own namespace is not among those devenv applies there.
    const namespaces = parseAllDocuments(readFileSync(path.join(stateDir, 'bootstrap/namespaces.yaml'), 'utf8')).map(
      (d) => (d.toJS() as { metadata: { name: string } }).metadata.name,
    );
    expect(namespaces).toEqual(['devenv-system', 'demo']);
    const notes = events.filter((e) => e.kind === 'diagnostic').map((e) => (e as { message: string }).message);
    expect(notes).toEqual([
      `context team-dev: devenv leaves Argo CD as it is; on its own clusters it would replace Argo CD v2.13.0 with ${ARGOCD_VERSION} (server-side apply of its install manifest: CRDs, cluster roles, every workload in argocd)`,
      "context team-dev: devenv leaves Argo CD as it is; on its own clusters it would set argocd-cm application.resourceTrackingMethod to annotation (now unset: Argo CD's default)",
    ]);
  });

  it('refuses when Argo CD is missing, with the command that lists the changes and asks', async () => {
    const runner = new RecordingRunner().on(['kubectl', '--context', 'team-dev', '-n', 'argocd', 'get'], {
      exitCode: 1,
      stderr: 'Error from server (NotFound): namespaces "argocd" not found',
    });
    const { boot } = bootstrap(runner, new FakeKubeApi());
    const err = (await boot.ensure({ name: 'demo' } as never, objects, () => {}).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.problems[0]).toMatchObject({
      code: 'kubernetes.argocd-missing',
      hint: 'see the changes and make them: `devenv --runtime kubernetes --context team-dev argocd install`',
    });
  });

  it('lists, for `argocd install`, the release it would apply (what it holds) and the settings', async () => {
    const runner = new RecordingRunner().on(['kubectl'], { exitCode: 1, stderr: 'not found' });
    const { boot } = bootstrap(runner, new FakeKubeApi());
    const found = await boot.findings();
    expect(found.installed).toBeUndefined();
    expect(found.changes[0]).toMatch(
      new RegExp(
        `^create namespace argocd and apply Argo CD ${ARGOCD_VERSION}'s install manifest \\(2 objects: 2 ServiceAccount\\), server-side, from https://`,
      ),
    );
    expect(found.changes[1]).toMatch(/^set argocd-cm application\.resourceTrackingMethod to annotation/);
  });
});

describe('summarise', () => {
  it('counts a manifest by kind', () => {
    expect(summarise('kind: A\n---\nkind: B\n---\nkind: A\n')).toBe('3 objects: 2 A, 1 B');
  });
});
