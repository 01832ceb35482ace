// `devenv up --runtime kind|k3d --dry-run`: everything the runtime would do, without doing it.
// planKubernetes returns the command lines (in order) and every manifest: the bootstrap objects
// kubectl applies, the Applications in git, and what Argo CD applies for each service, rendered
// by kustomize from the generated tree exactly as Argo CD's repo server renders it.

import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { Problem } from '../../errors.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { specHash } from '../../model/spec-hash.js';
import { findGitTop } from '../../sync/ignore.js';
import { type ArgoContext, appProject, argocdConfigPatch, cacheDir, generatedRoot, rootApplication } from './argocd.js';
import { type ClusterSpec, localRegistryHosting, ownClusterSpec } from './cluster-config.js';
import { type Command, type CommandRunner, ExecaRunner, formatCommand } from './command-runner.js';
import {
  analyseProject,
  baseObjects,
  type ImageConfig,
  type ProjectAnalysis,
  type ServicePlan,
} from './compose-to-k8s.js';
import { devOverlay } from './dev-overlay.js';
import { gitServerObjects, inClusterRepoURL, toolsImageTag } from './git-server.js';
import { type ImageTarget, imageTarget, serviceImageRef, toolsImageRef } from './image-target.js';
import type { K8sObject } from './k8s-object.js';
import { ARGOCD_NAMESPACE, LABEL, MANAGED_BY, projectNamespace, rootAppName, SYSTEM_NAMESPACE } from './names.js';
import {
  argocdInstallSteps,
  bootstrapPath,
  clusterCreateCommand,
  gitServerSteps,
  imageLoadCommand,
  imagePushSteps,
  kindRegistryNodeSteps,
  kindRegistryRun,
  kubectl,
  projectApplySteps,
  snapshotLayout,
  snapshotPushCommand,
  snapshotSteps,
} from './procedure.js';
import { type DesiredService, repoTree, toYaml } from './repo-tree.js';

export type KubernetesProvider = 'kind' | 'k3d' | 'context';

export interface KubernetesPlanOptions {
  provider: KubernetesProvider;
  /** kube context for `provider: 'context'` (a shared cluster). */
  context?: string;
  clusterName?: string;
  /** Where devenv writes cluster configs, bootstrap manifests and the snapshot index. */
  stateDir?: string;
  /** The project's devenv state directory, kept out of the snapshot (default: none). */
  devenvDir?: string;
  /** The project's own manifests (`<dir>/<service>/kustomization.yaml`); default: discovered. */
  manifestsDir?: string;
  /** false: no local registry; images are loaded into the nodes. */
  registry?: boolean;
  /** Registry for a shared cluster (`provider: 'context'`), e.g. `ghcr.io/acme/dev`. */
  imageRegistry?: string;
  /** Image id per service (from the builds); the dry run writes `dry-run` tags without them. */
  imageIds?: Record<string, string>;
  imageConfigs?: Record<string, ImageConfig>;
  /** The services as the file writes them, when `project` has them as `up` runs them (debuggers injected). */
  originals?: Record<string, ServiceSpec>;
  /** Where the Argo CD install manifest is (default: devenv's cache). */
  installManifest?: string;
  /** Render each Application with `kubectl kustomize` (default true). */
  render?: boolean;
  runner?: CommandRunner;
}

/** A step of the procedure: a command, or a build the image builder (runtimes/shared) performs. */
export type PlanStep = { kind: 'command'; command: Command } | { kind: 'note'; text: string };

export interface KubernetesPlan {
  cluster?: ClusterSpec;
  context: string;
  namespace: string;
  steps: PlanStep[];
  /** Every command line, in order (argv). */
  commands: string[][];
  /** Applied by kubectl (namespaces, Argo CD settings, the git server, AppProject, root Application). */
  bootstrap: K8sObject[];
  /** One Application per service, committed to git. */
  applications: K8sObject[];
  /** What Argo CD applies: each service's overlay rendered by kustomize. */
  rendered: K8sObject[];
  /** bootstrap + applications + rendered. */
  manifests: K8sObject[];
  /** The generated tree, repository-relative path → content. */
  files: Record<string, string>;
  analysis: ProjectAnalysis;
  problems: Problem[];
  /** Snapshot root and whether it is a git work tree. */
  root: string;
  inRepo: boolean;
  manifestsDir?: string;
}

/** `<projectDir>/kind`, else `<repo>/kind/<project dir name>` (this repository's layout), if it exists. */
export function findManifestsDir(projectDir: string, root: string): string | undefined {
  const candidates = [path.join(projectDir, 'kind'), path.join(root, 'kind', path.basename(projectDir))];
  return candidates.find((d) => existsSync(d) && statSync(d).isDirectory());
}

function commonAncestor(a: string, b: string): string {
  const pa = path.resolve(a).split(path.sep);
  const pb = path.resolve(b).split(path.sep);
  let i = 0;
  while (i < pa.length && i < pb.length && pa[i] === pb[i]) i++;
  return pa.slice(0, i).join(path.sep) || path.sep;
}

export interface ProjectLayout {
  root: string;
  inRepo: boolean;
  manifestsDir?: string;
}

export function projectLayout(project: ProjectSpec, manifestsDir?: string): ProjectLayout {
  const top = findGitTop(project.projectDir, existsSync);
  const provisional = top ?? project.projectDir;
  const dir = manifestsDir
    ? path.resolve(project.projectDir, manifestsDir)
    : findManifestsDir(project.projectDir, provisional);
  const root = top ?? (dir ? commonAncestor(project.projectDir, dir) : project.projectDir);
  return { root, inRepo: top !== undefined, ...(dir ? { manifestsDir: dir } : {}) };
}

export function defaultStateDir(project: ProjectSpec): string {
  return path.join(project.projectDir, '.devenv', project.name, 'k8s');
}

/** Digest of every file under a directory (a project's own manifests feed the spec hash). */
export async function dirDigest(dir: string): Promise<string> {
  const h = createHash('sha256');
  const walk = async (d: string, rel: string): Promise<void> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const abs = path.join(d, e.name);
      if (e.isDirectory()) await walk(abs, `${rel}${e.name}/`);
      else if (e.isFile())
        h.update(`${rel}${e.name}\0`)
          .update(await readFile(abs))
          .update('\0');
    }
  };
  await walk(dir, '');
  return h.digest('hex').slice(0, 16);
}

/**
 * What defines a service's instance on Kubernetes: its generated base (or the digest of the
 * project's own manifests) and its dev overlay, with the image id. Equal input, equal spec hash,
 * nothing recreated.
 */
export function serviceHashInput(
  plan: ServicePlan,
  project: ProjectSpec,
  analysis: ProjectAnalysis,
  ctx: {
    namespace: string;
    toolsImage: string;
    imageId?: string;
    imageConfig?: ImageConfig;
    /** The service as the file writes it (`project` has it as `up` runs it). */
    original?: ServiceSpec;
    projectManifestsDigest?: string;
  },
): unknown {
  const base = plan.projectBase
    ? { projectManifests: ctx.projectManifestsDigest ?? null }
    : baseObjects(plan, { project, namespace: ctx.namespace, analysis, toolsImage: ctx.toolsImage });
  const overlay = devOverlay({
    plan,
    svc: project.services[plan.service]!,
    ...(ctx.original ? { original: ctx.original } : {}),
    project: project.name,
    namespace: ctx.namespace,
    image: 'image',
    specHash: '',
    replicas: project.services[plan.service]?.replicas ?? 1,
    basePath: '',
    ...(ctx.imageConfig ? { imageConfig: ctx.imageConfig } : {}),
  }).kustomization;
  return { base, overlay, imageId: ctx.imageId ?? null };
}

/** Digests of the project's own manifests, per service that has them. */
export async function projectManifestDigests(analysis: ProjectAnalysis): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const plan of analysis.services) if (plan.projectBase) out[plan.service] = await dirDigest(plan.projectBase);
  return out;
}

export async function planKubernetes(project: ProjectSpec, opts: KubernetesPlanOptions): Promise<KubernetesPlan> {
  const stateDir = opts.stateDir ?? defaultStateDir(project);
  const layout = projectLayout(project, opts.manifestsDir);
  const cluster = ownClusterSpec(opts);
  const context = cluster?.context ?? opts.context ?? 'default';
  const namespace = projectNamespace(project.name);
  const target = imageTarget(cluster, opts.imageRegistry);
  const toolsTag = toolsImageTag();
  const toolsImage = toolsImageRef(target, toolsTag);
  const analysis = analyseProject(project, {
    ...(layout.manifestsDir ? { manifestsDir: layout.manifestsDir } : {}),
    ...(opts.imageConfigs ? { imageConfigs: opts.imageConfigs } : {}),
  });
  const problems: Problem[] = [...analysis.problems];
  if (!target && Object.values(project.services).some((s) => s.build)) {
    problems.push({
      code: 'kubernetes.no-registry',
      message: `the cluster of context ${context} cannot see images built here`,
      hint: 'name a registry it can pull from (imageRegistry / DEVENV_K8S_REGISTRY)',
    });
  }
  const argo: ArgoContext = { project: project.name, namespace, repoURL: inClusterRepoURL(project.name) };

  const desired: Record<string, DesiredService> = {};
  const digests = await projectManifestDigests(analysis);
  for (const plan of analysis.services) {
    const imageId = opts.imageIds?.[plan.service];
    const hash = specHash({
      runtime: 'kubernetes',
      spec: serviceHashInput(plan, project, analysis, {
        namespace,
        toolsImage,
        ...(imageId ? { imageId } : {}),
        ...(opts.imageConfigs?.[plan.service] ? { imageConfig: opts.imageConfigs[plan.service] } : {}),
        ...(opts.originals?.[plan.service] ? { original: opts.originals[plan.service] } : {}),
        ...(digests[plan.service] ? { projectManifestsDigest: digests[plan.service] } : {}),
      }),
    });
    desired[plan.service] = {
      specHash: hash,
      image: serviceImageRef(
        target,
        project.name,
        plan.service,
        imageId ? imageId.replace(/^sha256:/, '').slice(0, 12) : 'dry-run',
      ),
      replicas: project.services[plan.service]?.replicas ?? 1,
    };
  }
  const tree = repoTree({
    project,
    ...(opts.originals ? { originals: opts.originals } : {}),
    analysis,
    argo,
    toolsImage,
    root: layout.root,
    desired,
    ...(opts.imageConfigs ? { imageConfigs: opts.imageConfigs } : {}),
  });
  problems.push(...tree.problems);

  const bootstrap = bootstrapObjects(cluster, namespace, argo, toolsImage);
  const steps = procedureSteps({
    project,
    cluster,
    context,
    stateDir,
    layout,
    target,
    toolsImage,
    analysis,
    desired,
    installManifest: opts.installManifest ?? path.join(cacheDir(), 'install.yaml'),
    ...(opts.devenvDir ? { devenvDir: opts.devenvDir } : {}),
  });
  const rendered = opts.render === false ? [] : await renderTree(tree.files, layout, analysis, project, opts.runner);
  return {
    ...(cluster ? { cluster } : {}),
    context,
    namespace,
    steps,
    commands: steps.flatMap((s) => (s.kind === 'command' ? [s.command.argv] : [])),
    bootstrap: bootstrap.all,
    applications: tree.applications,
    rendered,
    manifests: [...bootstrap.all, ...tree.applications, ...rendered],
    files: tree.files,
    analysis,
    problems,
    root: layout.root,
    inRepo: layout.inRepo,
    ...(layout.manifestsDir ? { manifestsDir: layout.manifestsDir } : {}),
  };
}

export interface BootstrapObjects {
  registryHosting?: K8sObject;
  namespaces: K8sObject[];
  argocdPatch: K8sObject;
  gitServer: K8sObject[];
  project: K8sObject[];
  all: K8sObject[];
}

export function bootstrapObjects(
  cluster: ClusterSpec | undefined,
  namespace: string,
  argo: ArgoContext,
  toolsImage: string,
): BootstrapObjects {
  const ns = (name: string): K8sObject => ({
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: {
      name,
      labels: { [LABEL.managedBy]: MANAGED_BY, ...(name === namespace ? { [LABEL.project]: argo.project } : {}) },
    },
  });
  const registryHosting =
    cluster?.provider === 'kind' && cluster.registry
      ? (localRegistryHosting(cluster.registry) as K8sObject)
      : undefined;
  const namespaces = [ns(ARGOCD_NAMESPACE), ns(SYSTEM_NAMESPACE), ns(namespace)];
  const argocdPatch: K8sObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'argocd-cm', namespace: ARGOCD_NAMESPACE },
    ...argocdConfigPatch(),
  };
  const gitServer = gitServerObjects(toolsImage);
  const project = [appProject(argo), rootApplication(argo)];
  return {
    ...(registryHosting ? { registryHosting } : {}),
    namespaces,
    argocdPatch,
    gitServer,
    project,
    all: [...(registryHosting ? [registryHosting] : []), ...namespaces, argocdPatch, ...gitServer, ...project],
  };
}

interface ProcedureInput {
  project: ProjectSpec;
  cluster: ClusterSpec | undefined;
  context: string;
  stateDir: string;
  layout: ProjectLayout;
  target: ImageTarget | undefined;
  toolsImage: string;
  analysis: ProjectAnalysis;
  desired: Record<string, DesiredService>;
  installManifest: string;
  /** The project's devenv state directory (kept out of the snapshot). */
  devenvDir?: string;
}

/**
 * The cold path: nothing exists yet. The runtime skips what it finds in place, runs read-only
 * probes first (not listed: `kind get clusters`, `docker inspect`, `kubectl get`), and commits one
 * snapshot per group of services the engine starts together rather than this single one.
 */
function procedureSteps(input: ProcedureInput): PlanStep[] {
  const { cluster, context, stateDir, project } = input;
  const steps: PlanStep[] = [];
  const cmd = (command: Command) => steps.push({ kind: 'command', command });
  const note = (text: string) => steps.push({ kind: 'note', text });
  if (cluster) {
    if (cluster.registry && cluster.provider === 'kind') cmd(kindRegistryRun(cluster.registry));
    if (cluster.registry && cluster.provider === 'k3d') {
      // A registry container left by a deleted cluster would block `registries.create` (its images stay in the volume).
      cmd({ argv: ['docker', 'rm', '-f', cluster.registry.container] });
    }
    cmd(clusterCreateCommand(cluster, stateDir));
    if (cluster.provider === 'kind') {
      for (const c of kindRegistryNodeSteps(cluster, [`${cluster.name}-control-plane`], stateDir)) cmd(c);
    }
  }
  if (cluster) {
    for (const c of argocdInstallSteps(context, stateDir, input.installManifest)) cmd(c);
    note('wait until every Argo CD Deployment and StatefulSet is ready (through the API, with progress)');
  } else {
    // A cluster devenv did not create: Argo CD is used as found (`devenv argocd install` changes it).
    cmd(kubectl(context, 'apply', '-f', bootstrapPath(stateDir, 'namespaces')));
    note(
      `use the Argo CD running in namespace argocd as it is; \`devenv --runtime kubernetes --context ${context} argocd install\` lists what it would change, then asks`,
    );
  }
  const publish = (source: string, ref: string) => {
    if (input.target?.kind === 'load' && input.cluster) {
      cmd({ argv: ['docker', 'tag', source, ref] });
      cmd(imageLoadCommand(input.cluster, ref));
    } else for (const c of imagePushSteps(source, ref)) cmd(c);
  };
  note(`build devenv-tools:${input.toolsImage.split(':').pop()} (git server, curl) with the image builder`);
  publish(`devenv-tools:${input.toolsImage.split(':').pop()}`, input.toolsImage);
  for (const c of gitServerSteps(context, stateDir)) cmd(c);
  for (const plan of input.analysis.services) {
    const svc = project.services[plan.service]!;
    const image = input.desired[plan.service]!.image;
    note(
      svc.build
        ? `build ${plan.service} with the image builder (${svc.build.context}, ${svc.build.dockerfile})`
        : `pull ${svc.image ?? '?'} with the image builder`,
    );
    publish(svc.build ? `<${plan.service} image id>` : (svc.image ?? ''), image);
  }
  const layout = snapshotLayout(input.layout.root, input.layout.inRepo, stateDir, input.devenvDir);
  note(`write the generated tree to ${layout.generatedTree}/${generatedRoot(project.name)}`);
  if (input.layout.inRepo)
    note(`copy the repository's index to ${layout.indexFile} (its stat cache makes \`add -A\` fast)`);
  const snap = snapshotSteps(layout, project.name, { hasHead: input.layout.inRepo, seededIndex: input.layout.inRepo });
  for (const c of snap.prepare) cmd(c);
  cmd(snap.writeTree);
  cmd(snap.commitTree);
  cmd(snap.updateRef);
  cmd(snapshotPushCommand(layout, context, project.name));
  for (const c of projectApplySteps(context, stateDir, rootAppName(project.name))) cmd(c);
  note('wait until each Application is Synced and Healthy at the snapshot (through the API, with progress)');
  return steps;
}

/** Renders every service's overlay with `kubectl kustomize`, as Argo CD's repo server would. */
async function renderTree(
  files: Record<string, string>,
  layout: ProjectLayout,
  analysis: ProjectAnalysis,
  project: ProjectSpec,
  runner: CommandRunner = new ExecaRunner(),
): Promise<K8sObject[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'devenv-kustomize-'));
  try {
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
      await writeFile(path.join(dir, rel), content);
    }
    if (layout.manifestsDir) {
      await cp(layout.manifestsDir, path.join(dir, path.relative(layout.root, layout.manifestsDir)), {
        recursive: true,
      });
    }
    const out: K8sObject[] = [];
    for (const plan of analysis.services) {
      const overlay = path.join(dir, generatedRoot(project.name), 'services', plan.name);
      if (!existsSync(overlay)) continue;
      const result = await runner.run({ argv: ['kubectl', 'kustomize', overlay] });
      out.push(...parseManifests(result.stdout));
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function parseManifests(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** The dry-run text: `$ command` lines (stdin as a here-document, builds as `#` notes), then every manifest. */
export function formatPlan(plan: KubernetesPlan): string {
  const lines: string[] = [];
  for (const step of plan.steps) {
    if (step.kind === 'note') {
      lines.push(`# ${step.text}`);
      continue;
    }
    const c = step.command;
    if (c.stdin === undefined) lines.push(`$ ${formatCommand(c)}`);
    else lines.push(`$ ${formatCommand(c)} <<'EOF'`, c.stdin.replace(/\n$/, ''), 'EOF');
  }
  for (const p of plan.problems) lines.push(`# ${p.code}: ${p.message}${p.hint ? ` (${p.hint})` : ''}`);
  return `${lines.join('\n')}\n---\n${toYaml(plan.manifests)}`;
}
