// What a project needs in the cluster before its Applications: the bootstrap manifests, Argo CD
// (the pinned release) and devenv's in-cluster git server. On a cluster devenv created (kind,
// k3d) Argo CD is installed and configured as needed. On a cluster it did not create (`--context`)
// Argo CD is used as it is found: devenv installs, upgrades or reconfigures it only through
// `devenv argocd install`, which lists every change first (argocdChanges).

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec } from '../../model/spec.js';
import type { ImageBuilder } from '../shared/image-builder.js';
import { argocdConfigPatch, fetchInstallManifest } from './argocd.js';
import type { ClusterSpec } from './cluster-config.js';
import { ensureCluster } from './cluster-lifecycle.js';
import type { CommandRunner } from './command-runner.js';
import { toolsImageBuild, writeToolsContext } from './git-server.js';
import type { ImageTarget } from './image-target.js';
import { publishImage } from './images.js';
import type { KubeApi } from './kube-api.js';
import { ARGOCD_NAMESPACE } from './names.js';
import {
  argocdInstallSteps,
  argocdSettingsProbe,
  argocdVersionProbe,
  bootstrapPath,
  gitServerSteps,
  kubectl,
} from './procedure.js';
import { toYaml } from './repo-tree.js';
import type { BootstrapObjects } from './up-plan.js';
import { ARGOCD_INSTALL_URL, ARGOCD_VERSION } from './versions.js';

export interface BootstrapOptions {
  runner: CommandRunner;
  kube: () => KubeApi;
  context: string;
  stateDir: string;
  /** Undefined on a cluster devenv did not create. */
  cluster: ClusterSpec | undefined;
  target: ImageTarget | undefined;
  toolsImage: string;
  images: ImageBuilder;
  fetchFn?: typeof fetch;
  /** Where the Argo CD install manifest is cached (default: the user's cache, see argocd.ts). */
  argocdCacheDir?: string;
}

export interface ArgoCdFindings {
  /** The image tag of the running argocd-server, e.g. `v2.14.11`; undefined when Argo CD is absent. */
  installed?: string;
  /** What `argocd install` (or `up` on a cluster devenv created) would change, one sentence each. */
  changes: string[];
}

export class ClusterBootstrap {
  constructor(private readonly opts: BootstrapOptions) {}

  /** devenv installs and configures Argo CD by itself only on clusters it created. */
  get managesArgoCd(): boolean {
    return this.opts.cluster !== undefined;
  }

  async ensure(project: ProjectSpec, bootstrap: BootstrapObjects, sink: EventSink): Promise<void> {
    const { runner, cluster, stateDir } = this.opts;
    await mkdir(stateDir, { recursive: true });
    if (cluster) await ensureCluster(runner, cluster, stateDir, sink);
    await this.write(bootstrap, this.managesArgoCd);
    if (this.managesArgoCd) await this.installArgoCd(sink);
    else await this.useArgoCdAsFound(sink);
    await this.ensureGitServer(project, sink);
  }

  /** `devenv argocd install`: what `up` does to Argo CD on devenv's own clusters, asked for on another. */
  async install(bootstrap: BootstrapObjects, sink: EventSink): Promise<void> {
    await mkdir(this.opts.stateDir, { recursive: true });
    await this.write(bootstrap, true);
    await this.installArgoCd(sink);
  }

  private async write(b: BootstrapObjects, argocdNamespace: boolean): Promise<void> {
    const { stateDir } = this.opts;
    const write = (file: Parameters<typeof bootstrapPath>[1], objects: object[]) =>
      writeFile(bootstrapPath(stateDir, file), toYaml(objects));
    await mkdir(path.dirname(bootstrapPath(stateDir, 'namespaces')), { recursive: true });
    if (b.registryHosting) await write('registryHosting', [b.registryHosting]);
    // Argo CD's namespace is devenv's to label only where devenv installs Argo CD.
    await write(
      'namespaces',
      argocdNamespace ? b.namespaces : b.namespaces.filter((n) => n.metadata.name !== ARGOCD_NAMESPACE),
    );
    await writeFile(bootstrapPath(stateDir, 'argocdPatch'), stringify({ data: b.argocdPatch.data }));
    await write('gitServer', b.gitServer);
    await write('project', b.project);
  }

  /**
   * The pinned Argo CD, installed when absent or of another version, configured, then waited
   * for. What `up` does on kind/k3d, and `devenv argocd install` does on a cluster the user names.
   */
  private async installArgoCd(sink: EventSink): Promise<void> {
    const { installed } = await this.probe();
    const manifest =
      installed === ARGOCD_VERSION ? undefined : (await fetchInstallManifest(sink, this.fetchOpts())).path;
    for (const cmd of argocdInstallSteps(this.opts.context, this.opts.stateDir, manifest))
      await this.opts.runner.run(cmd, { timeoutMs: 300_000 });
    await this.waitReady(ARGOCD_NAMESPACE, `Argo CD ${ARGOCD_VERSION}`, 'argocd:ready', 600_000, sink);
  }

  /** A cluster devenv did not create: Argo CD must be there; it is used with its own settings. */
  private async useArgoCdAsFound(sink: EventSink): Promise<void> {
    await this.opts.runner.run(
      kubectl(this.opts.context, 'apply', '-f', bootstrapPath(this.opts.stateDir, 'namespaces')),
    );
    const found = await this.findings(sink, { download: false });
    const hint = `see the changes and make them: \`devenv --runtime kubernetes --context ${this.opts.context} argocd install\``;
    if (!found.installed) {
      throw new UserError(
        {
          code: 'kubernetes.argocd-missing',
          message: `the cluster of context ${this.opts.context} has no Argo CD in namespace ${ARGOCD_NAMESPACE}, and devenv installs it only on clusters it created or when asked`,
          hint,
        },
        [`devenv --runtime kubernetes --context ${this.opts.context} argocd install`],
      );
    }
    for (const change of found.changes) {
      sink({
        kind: 'diagnostic',
        ts: now(),
        severity: 'info',
        code: 'kubernetes.argocd-left-alone',
        message: `context ${this.opts.context}: devenv leaves Argo CD as it is; on its own clusters it would ${change}`,
        hint,
      });
    }
    await this.waitReady(ARGOCD_NAMESPACE, `Argo CD ${found.installed}`, 'argocd:ready', 120_000, sink);
  }

  /** What installing and configuring the pinned Argo CD would change on this cluster (nothing is changed). */
  async findings(
    sink: EventSink = () => {},
    opts: { download: boolean } = { download: true },
  ): Promise<ArgoCdFindings> {
    const { installed, settings } = await this.probe();
    const changes: string[] = [];
    if (!installed) {
      const what = opts.download
        ? ` (${summarise(await readFile((await fetchInstallManifest(sink, this.fetchOpts())).path, 'utf8'))})`
        : '';
      changes.push(
        `create namespace ${ARGOCD_NAMESPACE} and apply Argo CD ${ARGOCD_VERSION}'s install manifest${what}, server-side, from ${ARGOCD_INSTALL_URL}`,
      );
    } else if (installed !== ARGOCD_VERSION) {
      changes.push(
        `replace Argo CD ${installed} with ${ARGOCD_VERSION} (server-side apply of its install manifest: CRDs, cluster roles, every workload in ${ARGOCD_NAMESPACE})`,
      );
    }
    for (const [key, value] of Object.entries(argocdConfigPatch().data)) {
      const current = settings[key];
      if (current !== value) {
        changes.push(
          `set argocd-cm ${key} to ${value} (now ${current === undefined ? "unset: Argo CD's default" : current})`,
        );
      }
    }
    return { ...(installed ? { installed } : {}), changes };
  }

  private async probe(): Promise<{ installed?: string; settings: Record<string, string> }> {
    const { runner, context } = this.opts;
    const version = await runner.run(argocdVersionProbe(context), { allowFailure: true });
    const image = version.exitCode === 0 ? version.stdout.trim() : '';
    const installed = image ? (/:([^:/]+)$/.exec(image)?.[1] ?? image) : undefined;
    if (!installed) return { settings: {} };
    const cm = await runner.run(argocdSettingsProbe(context), { allowFailure: true });
    let settings: Record<string, string> = {};
    try {
      settings = cm.exitCode === 0 && cm.stdout.trim() ? (JSON.parse(cm.stdout) as Record<string, string>) : {};
    } catch {
      settings = {};
    }
    return { installed, settings };
  }

  private fetchOpts(): { fetchFn?: typeof fetch; dir?: string } {
    return {
      ...(this.opts.fetchFn ? { fetchFn: this.opts.fetchFn } : {}),
      ...(this.opts.argocdCacheDir ? { dir: this.opts.argocdCacheDir } : {}),
    };
  }

  async waitReady(namespace: string, title: string, id: string, timeoutMs: number, sink: EventSink): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const workloads = (await this.opts.kube().listWorkloads(namespace)).filter((w) => w.kind !== 'Job');
      const ready = workloads.filter((w) => (w.readyReplicas ?? 0) >= (w.replicas ?? 1)).length;
      const done = workloads.length > 0 && ready === workloads.length;
      sink({
        kind: 'progress',
        ts: now(),
        id,
        title,
        current: ready,
        total: workloads.length,
        unit: 'workloads',
        message: done ? 'ready' : 'starting',
        ...(done ? { done: true } : {}),
      });
      if (done) return;
      if (Date.now() > deadline) {
        sink({ kind: 'progress', ts: now(), id, title, done: true, failed: true });
        const waiting = workloads
          .filter((w) => (w.readyReplicas ?? 0) < (w.replicas ?? 1))
          .map((w) => `${w.kind}/${w.name}`);
        throw new RuntimeFailure('kubernetes.not-ready', `${title} did not become ready: ${waiting.join(', ')}`, {
          hint: `kubectl --context ${this.opts.context} -n ${namespace} get pods`,
        });
      }
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  /** devenv's tools image (git server, curl), built like any service's and pushed once. */
  private async ensureGitServer(project: ProjectSpec, sink: EventSink): Promise<void> {
    const { stateDir, runner, context } = this.opts;
    const dir = path.join(stateDir, 'tools-image');
    await writeToolsContext(dir);
    const tools = toolsImageBuild(dir);
    const built = await this.opts.images.prepareArtifacts(
      [tools.service],
      tools.project,
      sink,
      new AbortController().signal,
      {
        force: [],
      },
    )['devenv-tools'];
    if (!built) throw new Error('the devenv tools image was not built');
    if (!this.opts.target) throw noRegistry(context, project.name);
    await publishImage(runner, this.opts.target, built.ref, this.opts.toolsImage, {
      ...(this.opts.fetchFn ? { fetchFn: this.opts.fetchFn } : {}),
    });
    for (const cmd of gitServerSteps(context, stateDir)) await runner.run(cmd, { timeoutMs: 300_000 });
  }
}

export function noRegistry(context: string, project: string): UserError {
  return new UserError({
    code: 'kubernetes.no-registry',
    message: `the cluster of context ${context} cannot see images built on this machine (project ${project})`,
    hint: `name a registry it pulls from: \`devenv --runtime kubernetes --context ${context} --image-registry ghcr.io/you/dev up\``,
  });
}

/** `3 CustomResourceDefinition, 7 ClusterRole, …`: what a manifest holds, by kind. */
export function summarise(manifest: string): string {
  const kinds = new Map<string, number>();
  for (const doc of parseAllDocuments(manifest)) {
    const kind = (doc.toJS() as { kind?: string } | null)?.kind;
    if (kind) kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  const total = [...kinds.values()].reduce((a, b) => a + b, 0);
  return `${total} objects: ${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')}`;
}
