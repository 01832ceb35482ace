// Names and ownership marks of everything the Kubernetes runtime creates. Labels carry project,
// service and role; annotations carry the spec hash, so `observe` finds instances again from the
// cluster alone (no state file) and `up` twice in a row changes nothing.

export const LABEL = {
  project: 'dev.devenv/project',
  service: 'dev.devenv/service',
  /** `service` (the instance the engine tracks), `hook` (PreSync one-shot), `smoke` (PostSync check). */
  role: 'dev.devenv/role',
  managedBy: 'app.kubernetes.io/managed-by',
  name: 'app.kubernetes.io/name',
  partOf: 'app.kubernetes.io/part-of',
  configHash: 'dev.devenv/config-hash',
} as const;

export const ANNOTATION = {
  specHash: 'dev.devenv/spec-hash',
  /** Container directories files are synced into (comma-separated), for people and tools reading the cluster. */
  syncTargets: 'dev.devenv/sync-targets',
  /** `python:5678` / `node:9229`: the debugger the engine injected, on the pod template. */
  debug: 'dev.devenv/debug',
  image: 'dev.devenv/image',
  /** `in-place` on a pod template whose container runs under the restart wrapper (in-place-restart.ts). */
  restart: 'dev.devenv/restart',
  /** `127.0.0.1:8000:8000/tcp,…` on a workload: the ports devenv forwards to its pods (see dev-overlay.ts). */
  forwards: 'dev.devenv/forwards',
  replicas: 'dev.devenv/replicas',
  syncWave: 'argocd.argoproj.io/sync-wave',
  hook: 'argocd.argoproj.io/hook',
  hookDeletePolicy: 'argocd.argoproj.io/hook-delete-policy',
  syncOptions: 'argocd.argoproj.io/sync-options',
  refresh: 'argocd.argoproj.io/refresh',
} as const;

export const MANAGED_BY = 'devenv';
export const ARGOCD_NAMESPACE = 'argocd';
export const SYSTEM_NAMESPACE = 'devenv-system';
export const GIT_SERVER_NAME = 'devenv-git';
/** Directory, at the root of the snapshot commit, that holds everything devenv generates. */
export const GENERATED_DIR = '.devenv-k8s';
export const DEFAULT_CLUSTER_NAME = 'devenv';

const reserved = new Set([
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  ARGOCD_NAMESPACE,
  SYSTEM_NAMESPACE,
]);

/**
 * A DNS-1123 label: lowercase alphanumerics and `-`, starting with a letter (so it is also a
 * DNS-1035 label, which Service names must be), at most `max` characters.
 */
export function dnsLabel(value: string, max = 63): string {
  let s = value
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (!/^[a-z]/.test(s)) s = `s-${s}`;
  if (s.length > max) s = s.slice(0, max).replace(/-+$/, '');
  return s || 'x';
}

/** The project's namespace: its name, unless that is a namespace someone else owns. */
export function projectNamespace(project: string): string {
  const ns = dnsLabel(project);
  return reserved.has(ns) || ns.startsWith('kube-') ? `devenv-${ns}`.slice(0, 63) : ns;
}

/** Kubernetes object name of a Compose service (Deployment, Service, Job). */
export function objectName(service: string): string {
  return dnsLabel(service);
}

export function rootAppName(project: string): string {
  return dnsLabel(`${project}`, 63);
}

export function serviceAppName(project: string, service: string): string {
  return dnsLabel(`${project}-${service}`, 63);
}

export function appProjectName(project: string): string {
  return dnsLabel(`devenv-${project}`, 63);
}

/** Branch the snapshot is pushed to on the in-cluster git server; Argo CD tracks it. */
export function snapshotBranch(project: string): string {
  return `devenv/${dnsLabel(project)}`;
}

/** Local ref holding the snapshot commits in the user's repository (never a branch). */
export function snapshotRef(project: string): string {
  return `refs/devenv/${dnsLabel(project)}`;
}

/** Label values: at most 63 characters of [A-Za-z0-9._-], alphanumeric at both ends. */
export function labelValue(value: string): string {
  const s = value.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 63);
  return s.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '') || 'x';
}

export function kubeContext(provider: 'kind' | 'k3d', cluster: string): string {
  return `${provider}-${cluster}`;
}

/** Labels every object devenv generates for a service carries. */
export function serviceLabels(project: string, service: string, role = 'service'): Record<string, string> {
  return {
    [LABEL.project]: labelValue(project),
    [LABEL.service]: labelValue(service),
    [LABEL.role]: role,
    [LABEL.managedBy]: MANAGED_BY,
    [LABEL.name]: labelValue(service),
    [LABEL.partOf]: labelValue(project),
  };
}

/**
 * The selector of a service's pods: stable across specs, so a Deployment's selector never
 * changes; the role keeps a service's smoke-test pods out of its Deployment's selector.
 */
export function selectorLabels(project: string, service: string, role = 'service'): Record<string, string> {
  return { [LABEL.project]: labelValue(project), [LABEL.service]: labelValue(service), [LABEL.role]: role };
}
