// GitOps publishing: every change devenv makes in the cluster is a commit Argo CD syncs (so
// self-heal keeps it instead of reverting it). Publishes are serialised and coalesced: calls
// made while one is in flight share the next one (one commit for a burst of services starting
// together). A push never interrupts another Application's sync: Argo CD finishes a running
// operation (its PreSync migration, its PostSync smoke test) before it syncs a newer commit. The
// only operation devenv ends is one that a newer commit of the same Application's own files
// supersedes while it merely waits for health (see application-status.ts).

import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { RuntimeFailure } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { applicationView, SyncWatch, supersedable } from './application-status.js';
import type { CommandRunner } from './command-runner.js';
import type { ImageConfig, ProjectAnalysis } from './compose-to-k8s.js';
import { inClusterRepoURL } from './git-server.js';
import { commitSnapshot, pushSnapshot } from './git-snapshot.js';
import type { KubeApi, WorkloadView } from './kube-api.js';
import { LABEL, labelValue, objectName, projectNamespace, rootAppName } from './names.js';
import { refreshCommand, snapshotLayout, terminateOperationCommand } from './procedure.js';
import { type DesiredService, repoTree } from './repo-tree.js';
import { changedServices, mergeServices, readGeneratedTree } from './tree-edits.js';
import { projectLayout } from './up-plan.js';
import { validateObjects } from './validate-objects.js';

export interface PublisherOptions {
  runner: CommandRunner;
  kube: () => KubeApi;
  context: string;
  /** The runtime's directory (`<state>/k8s`): the generated tree, the private index, snapshot.json. */
  stateDir: string;
  /** The project's devenv state directory, kept out of snapshots. */
  devenvDir: string;
  toolsImage: string;
  manifestsDir?: string;
  /** How long a change may take to be applied (default 5 min). */
  syncTimeoutMs?: number;
  /** How long an Argo CD error condition may last before it fails the wait (default 60 s). */
  errorGraceMs?: number;
  /** Poll interval while waiting for Argo CD (default 1 s). */
  pollMs?: number;
  sink: () => EventSink;
  analyse: (project: ProjectSpec) => ProjectAnalysis;
  /** What each built image runs by default (filled as images are built). */
  imageConfigs: Record<string, ImageConfig>;
}

export interface WaitTarget {
  project: string;
  service: string;
  kind: WorkloadView['kind'];
  name: string;
  app: string;
}

interface SnapshotMeta {
  root: string;
  inRepo: boolean;
}

export class GitOpsPublisher {
  /** What this process created; only these are rendered anew (see mergeServices). */
  private desired: Record<string, DesiredService> = {};
  private readonly touched = new Set<string>();
  private publishing: Promise<unknown> = Promise.resolve();
  private queued: Promise<string> | undefined;
  private pushed = false;

  constructor(private readonly opts: PublisherOptions) {}

  /** Wants `service` in the next publish, as `desired`. */
  want(service: string, desired: DesiredService): void {
    this.desired[service] = desired;
    this.touched.add(service);
  }

  drop(service: string): void {
    delete this.desired[service];
    this.touched.delete(service);
  }

  /** After `down` or a reset: nothing is published, the branch must be pushed again. */
  async forget(): Promise<void> {
    this.desired = {};
    this.touched.clear();
    this.pushed = false;
    await rm(path.join(this.opts.stateDir, 'snapshot.json'), { force: true });
    await rm(path.join(this.opts.stateDir, 'tree'), { recursive: true, force: true });
  }

  /**
   * The root Application needs its branch from its first sync: the last snapshot pushed again
   * (restores it on a git server that lost it), or a first publish of an empty tree.
   */
  async ensureBranch(project: ProjectSpec, originals: Record<string, ServiceSpec>): Promise<void> {
    if (this.pushed) return;
    const meta = await this.readMeta();
    const again =
      meta &&
      (await pushSnapshot(this.opts.runner, this.layout(meta), this.opts.context, project.name).then(
        () => true,
        () => false,
      ));
    if (again) this.pushed = true;
    else await this.publish(project, originals);
  }

  /**
   * Renders the project with the current desired state, commits and pushes it, and asks Argo CD
   * to look. `project` carries the services as `up` runs them; `originals` as the file writes them.
   */
  publish(project: ProjectSpec, originals: Record<string, ServiceSpec>): Promise<string> {
    if (this.queued) return this.queued;
    const run = this.publishing.then(() => {
      this.queued = undefined;
      return this.render(project, originals);
    });
    this.queued = run;
    this.publishing = run.catch(() => undefined);
    return run;
  }

  /** stop/start/remove: an edit of the last published tree (no ProjectSpec needed). Undefined: nothing changed. */
  publishEdit(projectName: string, edit: (files: Record<string, string>) => boolean): Promise<string | undefined> {
    const run = this.publishing.then(async () => {
      const meta = await this.readMeta();
      if (!meta) return undefined;
      const previous = await readGeneratedTree(this.treeDir());
      const files = { ...previous };
      if (!edit(files)) return undefined;
      return this.commitAndPush(projectName, previous, files, meta);
    });
    this.publishing = run.catch(() => undefined);
    return run;
  }

  private treeDir(): string {
    return path.join(this.opts.stateDir, 'tree');
  }

  private layout(meta: SnapshotMeta) {
    return snapshotLayout(meta.root, meta.inRepo, this.opts.stateDir, this.opts.devenvDir);
  }

  private async render(project: ProjectSpec, originals: Record<string, ServiceSpec>): Promise<string> {
    const sink = this.opts.sink();
    const analysis = this.opts.analyse(project);
    const layout = projectLayout(project, this.opts.manifestsDir);
    const namespace = projectNamespace(project.name);
    const touched = [...this.touched].filter((s) => this.desired[s] && project.services[s]);
    const tree = repoTree({
      project,
      originals,
      analysis,
      argo: { project: project.name, namespace, repoURL: inClusterRepoURL(project.name) },
      toolsImage: this.opts.toolsImage,
      root: layout.root,
      desired: Object.fromEntries(touched.map((s) => [s, this.desired[s]!])),
      imageConfigs: this.opts.imageConfigs,
    });
    for (const p of tree.problems) {
      sink({
        kind: 'diagnostic',
        ts: now(),
        severity: 'warning',
        code: p.code,
        message: p.message,
        ...(p.hint ? { hint: p.hint } : {}),
      });
    }
    const checked = validateObjects([...Object.values(tree.bases).flat(), ...tree.applications]);
    if (checked.problems.length > 0) {
      throw new RuntimeFailure(
        'kubernetes.invalid-manifest',
        `devenv generated objects the Kubernetes schema rejects: ${checked.problems.map((p) => `${p.object}: ${p.message.split('\n')[0]}`).join('; ')}`,
        { hint: 'this is a devenv bug: please report it with the Compose file' },
      );
    }
    const previous = await readGeneratedTree(this.treeDir());
    const files = mergeServices(previous, tree.files, project.name, touched.map(objectName));
    return this.commitAndPush(project.name, previous, files, { root: layout.root, inRepo: layout.inRepo });
  }

  private async commitAndPush(
    project: string,
    previous: Record<string, string>,
    files: Record<string, string>,
    meta: SnapshotMeta,
  ): Promise<string> {
    const sink = this.opts.sink();
    const { runner, context } = this.opts;
    const layout = this.layout(meta);
    const id = 'gitops';
    const progress = (message: string, done = false) =>
      sink({ kind: 'progress', ts: now(), id, title: 'snapshot', message, ...(done ? { done: true } : {}) });
    progress('committing the working tree and the dev overlay');
    const snap = await commitSnapshot(runner, layout, project, files);
    await writeFile(
      path.join(this.opts.stateDir, 'snapshot.json'),
      JSON.stringify({ root: meta.root, inRepo: meta.inRepo, commit: snap.commit }),
    );
    if (snap.changed || !this.pushed) {
      progress(`pushing ${snap.commit.slice(0, 12)} to the in-cluster git server`);
      await pushSnapshot(runner, layout, context, project);
      this.pushed = true;
      await runner.run(refreshCommand(context, rootAppName(project)), { allowFailure: true });
      const changed = new Set(changedServices(previous, files, project));
      const apps = await this.opts
        .kube()
        .listApplications(`${LABEL.project}=${labelValue(project)},${LABEL.role}=service`);
      for (const raw of apps) {
        const app = applicationView(raw);
        const own = app.service !== undefined && changed.has(objectName(app.service));
        if (own && app.resourceVersion && supersedable(app, snap.commit)) {
          const ended = await runner.run(terminateOperationCommand(context, app.name, app.resourceVersion), {
            allowFailure: true,
          });
          sink({
            kind: 'log',
            ts: now(),
            service: app.service!,
            stream: 'system',
            line:
              ended.exitCode === 0
                ? `Argo CD: ended ${app.name}'s sync of ${app.operation?.revision?.slice(0, 12) ?? 'an older commit'} (${app.operation?.message}); ${snap.commit.slice(0, 12)} replaces it`
                : `Argo CD: ${app.name}'s sync moved on; ${snap.commit.slice(0, 12)} follows it`,
          });
        }
        await runner.run(refreshCommand(context, app.name), { allowFailure: true });
      }
    }
    progress(snap.commit.slice(0, 12), true);
    return snap.commit;
  }

  async readMeta(): Promise<SnapshotMeta | undefined> {
    try {
      return JSON.parse(await readFile(path.join(this.opts.stateDir, 'snapshot.json'), 'utf8')) as SnapshotMeta;
    } catch {
      return undefined;
    }
  }

  /**
   * Waits until Argo CD applied the change: the workload matches `done`. A failed sync of this
   * commit (a failed migration hook) fails the wait with Argo CD's message; a transient error
   * condition only when it lasts (SyncWatch).
   */
  async waitApplied(target: WaitTarget, commit: string, done: (w: WorkloadView) => boolean): Promise<void> {
    const sink = this.opts.sink();
    const ns = projectNamespace(target.project);
    const id = `argocd:${target.service}`;
    const title = `Argo CD ${target.app}`;
    const hint = `kubectl --context ${this.opts.context} -n argocd get application ${target.app} -o yaml`;
    const deadline = Date.now() + (this.opts.syncTimeoutMs ?? 300_000);
    const watch = new SyncWatch(commit, this.opts.errorGraceMs);
    let last = '';
    for (;;) {
      const w = await this.opts.kube().getWorkload(ns, target.kind, target.name);
      if (w && done(w)) {
        sink({ kind: 'progress', ts: now(), id, service: target.service, title, message: 'applied', done: true });
        return;
      }
      const raw = await this.opts.kube().getApplication(target.app);
      const verdict = watch.verdict(raw ? applicationView(raw) : undefined);
      if (verdict.kind === 'failed') {
        sink({ kind: 'progress', ts: now(), id, service: target.service, title, done: true, failed: true });
        throw new RuntimeFailure('kubernetes.argocd-sync', `Argo CD could not sync ${target.app}: ${verdict.message}`, {
          service: target.service,
          hint,
        });
      }
      if (verdict.message !== last) {
        last = verdict.message;
        sink({ kind: 'progress', ts: now(), id, service: target.service, title, message: last });
      }
      if (Date.now() > deadline) {
        sink({ kind: 'progress', ts: now(), id, service: target.service, title, done: true, failed: true });
        throw new RuntimeFailure(
          'kubernetes.argocd-timeout',
          `Argo CD did not apply ${target.app} at ${commit.slice(0, 12)} in time (${last})`,
          { service: target.service, hint },
        );
      }
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 1000));
    }
  }
}
