// The command lines of each phase of bringing a project up on a cluster. The runtime runs
// exactly these (through a CommandRunner) and `--dry-run` prints them, so what a person reads
// in a plan is what happens; golden tests pin them.

import path from 'node:path';
import { type ClusterSpec, kindRegistryDir, kindRegistryHostsToml, type RegistrySpec } from './cluster-config.js';
import type { Command } from './command-runner.js';
import { pushRemote } from './git-server.js';
import {
  ARGOCD_NAMESPACE,
  GENERATED_DIR,
  GIT_SERVER_NAME,
  SYSTEM_NAMESPACE,
  snapshotBranch,
  snapshotRef,
} from './names.js';
import { REGISTRY_IMAGE } from './versions.js';

/** Files the bootstrap commands apply, under `<stateDir>/bootstrap/`. */
export const BOOTSTRAP_FILES = {
  registryHosting: 'registry-hosting.yaml',
  namespaces: 'namespaces.yaml',
  argocdPatch: 'argocd-cm-patch.yaml',
  gitServer: 'git-server.yaml',
  project: 'project.yaml',
} as const;

export function bootstrapPath(stateDir: string, file: keyof typeof BOOTSTRAP_FILES): string {
  return path.join(stateDir, 'bootstrap', BOOTSTRAP_FILES[file]);
}

export function kubectl(context: string, ...args: string[]): Command {
  return { argv: ['kubectl', '--context', context, ...args] };
}

// ---- registry and cluster -------------------------------------------------------------------

/** kind's local-registry guide, step 1: the registry container, its images in a named volume. */
export function kindRegistryRun(registry: RegistrySpec): Command {
  return {
    argv: [
      'docker',
      'run',
      '-d',
      '--restart=always',
      '-p',
      `127.0.0.1:${registry.hostPort}:5000`,
      '--network',
      'bridge',
      '--name',
      registry.container,
      '-v',
      `${registry.volume}:/var/lib/registry`,
      REGISTRY_IMAGE,
    ],
  };
}

/** Containers publishing the registry's host port (another registry, e.g. kind's guide's `kind-registry` on 5001). */
export function portHolderProbe(hostPort: number): Command {
  return {
    argv: ['docker', 'ps', '--filter', `publish=${hostPort}`, '--format', '{{.Names}}\t{{.Image}}\t{{.Ports}}'],
  };
}

export function registryRunningProbe(registry: RegistrySpec): Command {
  return { argv: ['docker', 'inspect', '-f', '{{.State.Running}}', registry.container] };
}

export function clusterListCommand(cluster: ClusterSpec): Command {
  return cluster.provider === 'kind'
    ? { argv: ['kind', 'get', 'clusters'] }
    : { argv: ['k3d', 'cluster', 'list', '-o', 'json'] };
}

export function clusterCreateCommand(cluster: ClusterSpec, stateDir: string): Command {
  const config = path.join(stateDir, cluster.configFile);
  return cluster.provider === 'kind'
    ? { argv: ['kind', 'create', 'cluster', '--name', cluster.name, '--config', config, '--wait', '120s'] }
    : { argv: ['k3d', 'cluster', 'create', '--config', config] };
}

export function clusterDeleteCommand(cluster: ClusterSpec): Command {
  return cluster.provider === 'kind'
    ? { argv: ['kind', 'delete', 'cluster', '--name', cluster.name] }
    : { argv: ['k3d', 'cluster', 'delete', cluster.name] };
}

/** Whether the running cluster was made from this config: its node carries the config hash. */
export function clusterMatchProbe(cluster: ClusterSpec): Command {
  return kubectl(cluster.context, 'get', 'nodes', '-l', `dev.devenv/config-hash=${cluster.configHash}`, '-o', 'name');
}

/** kind's guide, steps 3–5: alias the registry on every node, join it to the cluster network, document it. */
export function kindRegistryNodeSteps(cluster: ClusterSpec, nodes: string[], stateDir: string): Command[] {
  const registry = cluster.registry;
  if (!registry) return [];
  const dir = kindRegistryDir(registry);
  const out: Command[] = [];
  for (const node of nodes) {
    out.push({ argv: ['docker', 'exec', node, 'mkdir', '-p', dir] });
    out.push({
      argv: ['docker', 'exec', '-i', node, 'cp', '/dev/stdin', `${dir}/hosts.toml`],
      stdin: kindRegistryHostsToml(registry),
    });
  }
  out.push({ argv: ['docker', 'network', 'connect', 'kind', registry.container] });
  out.push(kubectl(cluster.context, 'apply', '-f', bootstrapPath(stateDir, 'registryHosting')));
  return out;
}

export function kindNodesCommand(cluster: ClusterSpec): Command {
  return { argv: ['kind', 'get', 'nodes', '--name', cluster.name] };
}

/** Whether the registry already joined kind's network (kind's guide, step 4). */
export function kindRegistryNetworkProbe(registry: RegistrySpec): Command {
  return { argv: ['docker', 'inspect', '-f', '{{json .NetworkSettings.Networks.kind}}', registry.container] };
}

// ---- Argo CD and the git server -------------------------------------------------------------

/** `installManifest` undefined: Argo CD of the pinned version is already there (only settings are applied). */
export function argocdInstallSteps(context: string, stateDir: string, installManifest: string | undefined): Command[] {
  return [
    kubectl(context, 'apply', '-f', bootstrapPath(stateDir, 'namespaces')),
    // Server-side: the CRDs are too large for the last-applied annotation of a client-side apply.
    ...(installManifest
      ? [kubectl(context, 'apply', '--server-side', '--force-conflicts', '-n', ARGOCD_NAMESPACE, '-f', installManifest)]
      : []),
    kubectl(
      context,
      '-n',
      ARGOCD_NAMESPACE,
      'patch',
      'configmap',
      'argocd-cm',
      '--type',
      'merge',
      '--patch-file',
      bootstrapPath(stateDir, 'argocdPatch'),
    ),
  ];
}

/** The image the running Argo CD server uses (its tag is the installed version). */
export function argocdVersionProbe(context: string): Command {
  return kubectl(
    context,
    '-n',
    ARGOCD_NAMESPACE,
    'get',
    'deployment',
    'argocd-server',
    '-o',
    'jsonpath={.spec.template.spec.containers[0].image}',
  );
}

/** argocd-cm's settings (`data`, as JSON), to compare with what devenv would set. */
export function argocdSettingsProbe(context: string): Command {
  return kubectl(context, '-n', ARGOCD_NAMESPACE, 'get', 'configmap', 'argocd-cm', '-o', 'jsonpath={.data}');
}

export function imagePushSteps(source: string, target: string): Command[] {
  return [{ argv: ['docker', 'tag', source, target] }, { argv: ['docker', 'push', target] }];
}

/** Without a registry: copy the image into the nodes (kind load / k3d image import). */
export function imageLoadCommand(cluster: ClusterSpec, ref: string): Command {
  return cluster.provider === 'kind'
    ? { argv: ['kind', 'load', 'docker-image', ref, '--name', cluster.name] }
    : { argv: ['k3d', 'image', 'import', ref, '--cluster', cluster.name] };
}

export function gitServerSteps(context: string, stateDir: string): Command[] {
  return [
    kubectl(context, 'apply', '-f', bootstrapPath(stateDir, 'gitServer')),
    kubectl(context, '-n', SYSTEM_NAMESPACE, 'rollout', 'status', `deployment/${GIT_SERVER_NAME}`, '--timeout', '180s'),
  ];
}

// ---- the snapshot -----------------------------------------------------------------------------

export interface SnapshotLayout {
  /** Root of the snapshot: the repository's top level, or the project directory outside git. */
  root: string;
  /** True when `root` is a git work tree (the snapshot lives on a private ref of that repository). */
  inRepo: boolean;
  /** Directory holding the generated `.devenv-k8s/…` tree to add. */
  generatedTree: string;
  /** A private index, so the user's staging area is never touched. */
  indexFile: string;
  /** Outside git: a private bare repository. */
  gitDir?: string;
  /** Root-relative directories never snapshotted: devenv's own state (logs, the index above). */
  exclude: string[];
}

/**
 * `devenvDir`: the project's devenv state (`<project>/.devenv/<name>`); when it lies inside the
 * root it stays out of the snapshot even if no .gitignore names it, and so does the `.devenv`
 * folder holding it.
 */
export function snapshotLayout(root: string, inRepo: boolean, stateDir: string, devenvDir?: string): SnapshotLayout {
  const exclude: string[] = [];
  if (devenvDir) {
    const dir = path.basename(path.dirname(devenvDir)) === '.devenv' ? path.dirname(devenvDir) : devenvDir;
    const rel = path.relative(root, dir);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) exclude.push(rel.split(path.sep).join('/'));
  }
  return {
    root,
    inRepo,
    generatedTree: path.join(stateDir, 'tree'),
    indexFile: path.join(stateDir, 'snapshot.index'),
    ...(inRepo ? {} : { gitDir: path.join(stateDir, 'snapshot.git') }),
    exclude,
  };
}

function git(layout: SnapshotLayout, workTree: string | undefined, ...args: string[]): Command {
  const repo = layout.gitDir
    ? ['--git-dir', layout.gitDir, '--work-tree', workTree ?? layout.root]
    : ['-C', layout.root];
  const tree = layout.gitDir || !workTree ? [] : ['--work-tree', workTree];
  return { argv: ['git', ...repo, ...tree, ...args], env: { GIT_INDEX_FILE: layout.indexFile } };
}

/**
 * The snapshot: HEAD's tree, plus every change in the working tree (tracked edits, deletions,
 * untracked files that are not ignored), plus the generated tree, committed on a private ref
 * with the previous snapshot as parent. The user's branch, index and files are never touched.
 * `tree`/`commit`/`parent`: values of earlier steps (placeholders in a dry run).
 */
export function snapshotSteps(
  layout: SnapshotLayout,
  project: string,
  values: {
    /** The private index starts as a copy of the user's (its stat cache makes `add -A` fast). */
    seededIndex?: boolean;
    hasHead: boolean;
    tree?: string;
    parent?: string;
    commit?: string;
    head?: string;
  },
): { prepare: Command[]; writeTree: Command; commitTree: Command; updateRef: Command } {
  const prepare: Command[] = [];
  if (layout.gitDir) prepare.push({ argv: ['git', 'init', '-q', '--bare', layout.gitDir] });
  if (!values.seededIndex) {
    prepare.push(git(layout, undefined, 'read-tree', values.hasHead ? 'HEAD' : '--empty'));
  }
  const excluded = layout.exclude.map((dir) => `:(exclude)${dir}`);
  prepare.push(git(layout, undefined, 'add', '-A', ...(excluded.length > 0 ? ['--', '.', ...excluded] : [])));
  prepare.push(
    git(layout, undefined, 'rm', '-r', '-q', '--cached', '--ignore-unmatch', '--', ...layout.exclude, GENERATED_DIR),
  );
  prepare.push(git(layout, layout.generatedTree, 'add', '-A', '-f', '--', GENERATED_DIR));
  const message = `devenv snapshot of ${project}${values.head ? ` at ${values.head.slice(0, 12)}` : ''} with working-tree changes`;
  return {
    prepare,
    writeTree: git(layout, undefined, 'write-tree'),
    commitTree: withIdentity(
      git(
        layout,
        undefined,
        'commit-tree',
        values.tree ?? '<tree>',
        ...(values.parent ? ['-p', values.parent] : []),
        '-m',
        message,
      ),
    ),
    // No hooks of the user's run for devenv's private ref (reference-transaction).
    updateRef: git(
      layout,
      undefined,
      '-c',
      'core.hooksPath=/dev/null',
      'update-ref',
      snapshotRef(project),
      values.commit ?? '<commit>',
    ),
  };
}

/** Snapshot commits are devenv's, not the user's: a fixed identity (and none needs configuring). */
function withIdentity(cmd: Command): Command {
  return {
    ...cmd,
    env: {
      ...cmd.env,
      GIT_AUTHOR_NAME: 'devenv',
      GIT_AUTHOR_EMAIL: 'devenv@localhost',
      GIT_COMMITTER_NAME: 'devenv',
      GIT_COMMITTER_EMAIL: 'devenv@localhost',
    },
  };
}

export function snapshotPushCommand(layout: SnapshotLayout, context: string, project: string): Command {
  const base = git(layout, undefined);
  return {
    argv: [
      ...base.argv,
      '-c',
      'protocol.ext.allow=always',
      'push',
      // The snapshot is devenv's, not the user's: their pre-push hooks (tests, linters) are not for it.
      '--no-verify',
      '--force',
      '--quiet',
      pushRemote(context, project),
      `${snapshotRef(project)}:refs/heads/${snapshotBranch(project)}`,
    ],
  };
}

// ---- the project ------------------------------------------------------------------------------

export function projectApplySteps(context: string, stateDir: string, rootApp: string): Command[] {
  return [kubectl(context, 'apply', '-f', bootstrapPath(stateDir, 'project')), refreshCommand(context, rootApp)];
}

/**
 * Ends an Application's running sync operation (Argo CD's `terminate-op`) that a newer commit of
 * its own files supersedes (see `supersedable` in application-status.ts for when). The
 * Application's resourceVersion is a precondition: if the operation moved on since it was read
 * (a hook started), the API server refuses the patch with a conflict and nothing is ended.
 */
export function terminateOperationCommand(context: string, app: string, resourceVersion: string): Command {
  return kubectl(
    context,
    '-n',
    ARGOCD_NAMESPACE,
    'patch',
    'application',
    app,
    '--type',
    'merge',
    '-p',
    JSON.stringify({ metadata: { resourceVersion }, status: { operationState: { phase: 'Terminating' } } }),
  );
}

/** Makes Argo CD look at the branch now instead of at its next poll (automated sync follows). */
export function refreshCommand(context: string, app: string): Command {
  return kubectl(
    context,
    '-n',
    ARGOCD_NAMESPACE,
    'annotate',
    'application',
    app,
    'argocd.argoproj.io/refresh=normal',
    '--overwrite',
  );
}

/**
 * `down`: the Applications go (and with them every workload); volumes stay unless asked. A soft
 * reset is `down` with volumes: the namespace goes too.
 */
export function downSteps(
  context: string,
  rootApp: string,
  appProject: string,
  namespace: string,
  volumes: boolean,
): Command[] {
  return [
    kubectl(
      context,
      '-n',
      ARGOCD_NAMESPACE,
      'delete',
      'application',
      rootApp,
      '--ignore-not-found',
      '--wait',
      '--timeout',
      '300s',
    ),
    kubectl(context, '-n', ARGOCD_NAMESPACE, 'delete', 'appproject', appProject, '--ignore-not-found'),
    ...(volumes
      ? [kubectl(context, 'delete', 'namespace', namespace, '--ignore-not-found', '--wait', '--timeout', '300s')]
      : []),
  ];
}
