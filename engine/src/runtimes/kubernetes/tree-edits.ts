// Edits of the last published tree for operations that change one service's replicas or drop it
// (stop, start, remove). They need no ProjectSpec (`devenv down` without a daemon has only
// instance ids), and they change nothing else, so the next snapshot differs by exactly that.

import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { generatedRoot } from './argocd.js';
import { ANNOTATION, GENERATED_DIR } from './names.js';

export async function readGeneratedTree(treeDir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    let entries: import('node:fs').Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) await walk(abs);
      else if (e.isFile()) out[path.relative(treeDir, abs).split(path.sep).join('/')] = await readFile(abs, 'utf8');
    }
  };
  await walk(path.join(treeDir, GENERATED_DIR));
  return out;
}

const dump = (o: unknown): string => stringify(o, { lineWidth: 0 });

/** Sets a Deployment's replicas in its overlay patch and on its Application. False when absent or already so. */
export function setReplicas(files: Record<string, string>, project: string, name: string, replicas: number): boolean {
  const top = generatedRoot(project);
  const overlayFile = `${top}/services/${name}/kustomization.yaml`;
  const appFile = `${top}/apps/${name}.yaml`;
  const overlayText = files[overlayFile];
  const appText = files[appFile];
  if (!overlayText || !appText) return false;
  const overlay = parse(overlayText) as { patches?: { patch: string }[] };
  let changed = false;
  for (const p of overlay.patches ?? []) {
    const patch = parse(p.patch) as { kind?: string; spec?: { replicas?: number } };
    if (patch.kind !== 'Deployment' || !patch.spec || patch.spec.replicas === replicas) continue;
    patch.spec.replicas = replicas;
    p.patch = dump(patch).trimEnd();
    changed = true;
  }
  // Already so (a start of a running service, a restart in place): nothing to commit.
  if (!changed) return false;
  files[overlayFile] = dump(overlay);
  const app = parse(appText) as { metadata: { annotations?: Record<string, string> } };
  app.metadata.annotations = { ...app.metadata.annotations, [ANNOTATION.replicas]: String(replicas) };
  files[appFile] = dump(app);
  return true;
}

/** Drops a service's Application (the root prunes it, cascading to its objects) and its directories. */
export function removeService(files: Record<string, string>, project: string, name: string): boolean {
  const top = generatedRoot(project);
  const listFile = `${top}/apps/kustomization.yaml`;
  const had = `${top}/apps/${name}.yaml` in files;
  delete files[`${top}/apps/${name}.yaml`];
  for (const key of Object.keys(files)) {
    if (key.startsWith(`${top}/services/${name}/`) || key.startsWith(`${top}/base/${name}/`)) delete files[key];
  }
  if (files[listFile]) rebuildAppList(files, project);
  return had;
}

/**
 * The last published tree with the given services replaced by their fresh rendering. Every other
 * service keeps its files byte for byte, so a change to one service never restarts another
 * (their rendering may depend on facts only known after a build, like the image's command).
 */
export function mergeServices(
  previous: Record<string, string>,
  fresh: Record<string, string>,
  project: string,
  names: readonly string[],
): Record<string, string> {
  const top = generatedRoot(project);
  const files = { ...previous };
  for (const name of names) removeService(files, project, name);
  for (const [key, value] of Object.entries(fresh)) {
    if (key !== `${top}/apps/kustomization.yaml`) files[key] = value;
  }
  rebuildAppList(files, project);
  return files;
}

/** apps/kustomization.yaml lists exactly the Application files present. */
export function rebuildAppList(files: Record<string, string>, project: string): void {
  const top = generatedRoot(project);
  const resources = Object.keys(files)
    .filter((k) => k.startsWith(`${top}/apps/`) && k !== `${top}/apps/kustomization.yaml`)
    .map((k) => k.slice(`${top}/apps/`.length))
    .sort();
  files[`${top}/apps/kustomization.yaml`] = dump({
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources,
  });
}

/** Object names of the services whose generated files (Application, overlay, base) differ. */
export function changedServices(
  previous: Record<string, string>,
  next: Record<string, string>,
  project: string,
): string[] {
  const top = generatedRoot(project);
  const owner = (key: string): string | undefined => {
    if (!key.startsWith(`${top}/`)) return undefined;
    const [dir, name] = key.slice(top.length + 1).split('/');
    if (dir === 'apps') return name === 'kustomization.yaml' ? undefined : name?.replace(/\.yaml$/, '');
    return dir === 'services' || dir === 'base' ? name : undefined;
  };
  const out = new Set<string>();
  for (const key of new Set([...Object.keys(previous), ...Object.keys(next)])) {
    if (previous[key] === next[key]) continue;
    const name = owner(key);
    if (name) out.add(name);
  }
  return [...out].sort();
}
