// Argo CD: the pinned install manifest (downloaded, checked against a SHA-256, cached), the
// settings devenv needs, and the project's AppProject, root Application (app of apps) and one
// child Application per service. Pure except for the download and the cache.

import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { devenvCacheDir } from '../../cache-dir.js';
import { RuntimeFailure, UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { ServicePlan } from './compose-to-k8s.js';
import type { K8sObject } from './k8s-object.js';
import {
  ANNOTATION,
  ARGOCD_NAMESPACE,
  appProjectName,
  GENERATED_DIR,
  LABEL,
  labelValue,
  MANAGED_BY,
  rootAppName,
  snapshotBranch,
} from './names.js';
import { ARGOCD_INSTALL_SHA256, ARGOCD_INSTALL_URL, ARGOCD_VERSION } from './versions.js';

export const IN_CLUSTER = 'https://kubernetes.default.svc';
const finalizer = 'resources-finalizer.argocd.argoproj.io';

/**
 * argocd-cm additions. Annotation tracking leaves `app.kubernetes.io/instance` to the project.
 * Argo CD reads this setting live. Deliberately absent:
 * - `timeout.reconciliation`: the application controller reads it only when it starts (from its
 *   environment), and devenv asks for a refresh of every Application it pushes to, so Argo CD's
 *   poll interval only matters for changes devenv did not make;
 * - the Application health check Argo CD's docs give for app-of-apps. With it the root's sync
 *   would wait for a child's health between waves, and one crashing service would hold the root's
 *   operation (and every later change) until it recovered. Waves order the creation of child
 *   Applications; devenv's engine waits for `depends_on` conditions itself before it adds a
 *   dependent's Application.
 */
export function argocdConfigPatch(): { data: Record<string, string> } {
  return {
    data: {
      'application.resourceTrackingMethod': 'annotation',
    },
  };
}

export interface ArgoContext {
  project: string;
  namespace: string;
  repoURL: string;
}

function labels(project: string): Record<string, string> {
  return { [LABEL.project]: labelValue(project), [LABEL.managedBy]: MANAGED_BY };
}

export function generatedRoot(project: string): string {
  return `${GENERATED_DIR}/${labelValue(project)}`;
}

export function appProject(ctx: ArgoContext): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'AppProject',
    metadata: { name: appProjectName(ctx.project), namespace: ARGOCD_NAMESPACE, labels: labels(ctx.project) },
    spec: {
      description: `devenv project ${ctx.project}`,
      sourceRepos: [ctx.repoURL],
      // The project's namespace for its services, argocd for the child Applications; nothing
      // cluster-scoped (devenv creates the namespace itself).
      destinations: [
        { server: IN_CLUSTER, namespace: ctx.namespace },
        { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      ],
      clusterResourceWhitelist: [],
      namespaceResourceWhitelist: [{ group: '*', kind: '*' }],
    },
  };
}

const syncPolicy = {
  automated: { prune: true, selfHeal: true },
  retry: { limit: 5, backoff: { duration: '5s', factor: 2, maxDuration: '1m' } },
};

/** The app of apps: tracks `<generated>/apps`, which holds one Application per service. */
export function rootApplication(ctx: ArgoContext): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: rootAppName(ctx.project),
      namespace: ARGOCD_NAMESPACE,
      labels: { ...labels(ctx.project), [LABEL.role]: 'root' },
      finalizers: [finalizer],
    },
    spec: {
      project: appProjectName(ctx.project),
      source: {
        repoURL: ctx.repoURL,
        targetRevision: snapshotBranch(ctx.project),
        path: `${generatedRoot(ctx.project)}/apps`,
      },
      destination: { server: IN_CLUSTER, namespace: ARGOCD_NAMESPACE },
      syncPolicy,
    },
  };
}

/** The desired state of the service rides on its Application, so a later render can keep it. */
export interface AppDesired {
  specHash: string;
  image: string;
  replicas: number;
}

export function serviceApplication(ctx: ArgoContext, plan: ServicePlan, desired: AppDesired): K8sObject {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: {
      name: plan.appName,
      namespace: ARGOCD_NAMESPACE,
      labels: { ...labels(ctx.project), [LABEL.service]: labelValue(plan.service), [LABEL.role]: 'service' },
      annotations: {
        [ANNOTATION.syncWave]: String(plan.wave),
        [ANNOTATION.specHash]: desired.specHash,
        [ANNOTATION.image]: desired.image,
        [ANNOTATION.replicas]: String(desired.replicas),
      },
      // Deleting the Application (the root prunes it when the service leaves the config)
      // deletes what it deployed.
      finalizers: [finalizer],
    },
    spec: {
      project: appProjectName(ctx.project),
      source: {
        repoURL: ctx.repoURL,
        targetRevision: snapshotBranch(ctx.project),
        path: `${generatedRoot(ctx.project)}/services/${plan.name}`,
      },
      destination: { server: IN_CLUSTER, namespace: ctx.namespace },
      syncPolicy,
    },
  };
}

// ---- the install manifest -------------------------------------------------------------------

export interface InstallManifest {
  path: string;
  sha256: string;
  /** True when the digest was checked against a pinned value; false on first use without one. */
  verified: boolean;
}

export function cacheDir(): string {
  return path.join(devenvCacheDir(), 'argocd', ARGOCD_VERSION);
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The digest every download must have: this build's pin, the override, or what was seen first. */
export async function expectedDigest(dir = cacheDir()): Promise<{ sha256?: string; source: string }> {
  const fromEnv = process.env.DEVENV_ARGOCD_SHA256?.trim().toLowerCase();
  if (fromEnv) return { sha256: fromEnv, source: 'DEVENV_ARGOCD_SHA256' };
  if (ARGOCD_INSTALL_SHA256) return { sha256: ARGOCD_INSTALL_SHA256, source: 'pinned in this build' };
  const recorded = await readFile(path.join(dir, 'install.yaml.sha256'), 'utf8').catch(() => '');
  const digest = recorded.trim().split(/\s+/)[0];
  return digest ? { sha256: digest, source: 'recorded on first download' } : { source: 'none' };
}

/**
 * The install manifest of the pinned release: from the cache when its digest matches, else
 * downloaded and checked. With no pin (see versions.ts), the first download is recorded and
 * reported as a warning; a later mismatch is an error either way.
 */
export async function fetchInstallManifest(
  sink: EventSink,
  opts: { dir?: string; fetchFn?: typeof fetch; url?: string } = {},
): Promise<InstallManifest> {
  const dir = opts.dir ?? cacheDir();
  const file = path.join(dir, 'install.yaml');
  const expected = await expectedDigest(dir);
  const cached = await readFile(file).catch(() => undefined);
  if (cached && expected.sha256 && sha256(cached) === expected.sha256) {
    return { path: file, sha256: expected.sha256, verified: expected.source !== 'recorded on first download' };
  }
  const url = opts.url ?? ARGOCD_INSTALL_URL;
  const id = 'argocd:download';
  sink({ kind: 'progress', ts: now(), id, title: `Argo CD ${ARGOCD_VERSION}`, message: `downloading ${url}` });
  let body: Buffer;
  try {
    const res = await (opts.fetchFn ?? fetch)(url, { signal: AbortSignal.timeout(60_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = Buffer.from(await res.arrayBuffer());
  } catch (err) {
    sink({ kind: 'progress', ts: now(), id, title: `Argo CD ${ARGOCD_VERSION}`, done: true, failed: true });
    throw new UserError(
      {
        code: 'kubernetes.argocd-download',
        message: `cannot download the Argo CD ${ARGOCD_VERSION} install manifest from ${url}: ${err instanceof Error ? err.message : String(err)}`,
        hint: `download it where the network allows and put it at ${file} (its SHA-256 is checked)`,
      },
      ['devenv doctor'],
    );
  }
  const digest = sha256(body);
  if (expected.sha256 && digest !== expected.sha256) {
    sink({ kind: 'progress', ts: now(), id, title: `Argo CD ${ARGOCD_VERSION}`, done: true, failed: true });
    throw new RuntimeFailure(
      'kubernetes.argocd-checksum',
      `the Argo CD ${ARGOCD_VERSION} install manifest has SHA-256 ${digest}, expected ${expected.sha256} (${expected.source})`,
      { hint: `refusing to apply it; check ${url} and your network (a proxy rewriting it?)` },
    );
  }
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, body);
  await rename(tmp, file);
  if (!expected.sha256) {
    await writeFile(path.join(dir, 'install.yaml.sha256'), `${digest}  install.yaml\n`);
    sink({
      kind: 'diagnostic',
      ts: now(),
      severity: 'warning',
      code: 'kubernetes.argocd-unpinned',
      message: `Argo CD ${ARGOCD_VERSION}: this build pins no checksum for the install manifest; recorded SHA-256 ${digest} on first download, later downloads must match it`,
      hint: 'compare it with the digest of the release file, or set DEVENV_ARGOCD_SHA256',
    });
  }
  sink({
    kind: 'progress',
    ts: now(),
    id,
    title: `Argo CD ${ARGOCD_VERSION}`,
    message: `sha256 ${digest.slice(0, 12)}`,
    done: true,
  });
  return {
    path: file,
    sha256: digest,
    verified: Boolean(expected.sha256) && expected.source !== 'recorded on first download',
  };
}
