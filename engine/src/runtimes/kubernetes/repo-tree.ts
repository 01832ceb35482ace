// The generated tree committed with each snapshot, under `.devenv-k8s/<project>/`:
//   apps/                 one Application per service (the root Application tracks this)
//   services/<name>/      the dev overlay of each service (its Application tracks this)
//   base/<name>/          manifests generated from Compose, for services the project has none for

import path from 'node:path';
import { stringify } from 'yaml';
import type { Problem } from '../../errors.js';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { type ArgoContext, generatedRoot, serviceApplication } from './argocd.js';
import { baseObjects, type ImageConfig, type ProjectAnalysis, type ServicePlan } from './compose-to-k8s.js';
import { devOverlay } from './dev-overlay.js';
import type { K8sObject } from './k8s-object.js';

/** What the cluster should run for one service. */
export interface DesiredService {
  specHash: string;
  /** Image reference for the pods. */
  image: string;
  replicas: number;
}

export interface TreeInput {
  /** The services as `up` runs them (debugger, reloader). */
  project: ProjectSpec;
  /** The services as the Compose file writes them (what a project's own manifests get patched with is the difference). */
  originals?: Record<string, ServiceSpec>;
  analysis: ProjectAnalysis;
  argo: ArgoContext;
  toolsImage: string;
  /** Absolute root of the snapshot (repository top level), for paths to the project's manifests. */
  root: string;
  /** Services in the tree, by Compose name; others are absent (not created, or removed). */
  desired: Record<string, DesiredService>;
  imageConfigs?: Record<string, ImageConfig>;
}

export interface RepoTree {
  /** Repository-relative path → file content. */
  files: Record<string, string>;
  applications: K8sObject[];
  /** Objects of generated bases (before the overlay), per service. */
  bases: Record<string, K8sObject[]>;
  problems: Problem[];
}

export function toYaml(objects: readonly object[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

export function repoTree(input: TreeInput): RepoTree {
  const { project, analysis, argo } = input;
  const top = generatedRoot(project.name);
  const files: Record<string, string> = {};
  const applications: K8sObject[] = [];
  const bases: Record<string, K8sObject[]> = {};
  const problems: Problem[] = [];
  const appFiles: string[] = [];
  for (const plan of analysis.services) {
    const desired = input.desired[plan.service];
    if (!desired) continue;
    const overlayDir = `${top}/services/${plan.name}`;
    let basePath: string;
    if (plan.projectBase) {
      basePath = path.posix.relative(overlayDir, toPosix(path.relative(input.root, plan.projectBase)));
    } else {
      const objects = baseObjects(plan, { project, namespace: argo.namespace, analysis, toolsImage: input.toolsImage });
      bases[plan.service] = objects;
      files[`${top}/base/${plan.name}/manifests.yaml`] = toYaml(objects);
      files[`${top}/base/${plan.name}/kustomization.yaml`] = toYaml([
        { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: ['manifests.yaml'] },
      ]);
      basePath = `../../base/${plan.name}`;
    }
    const overlay = devOverlay({
      plan,
      svc: project.services[plan.service]!,
      ...(input.originals?.[plan.service] ? { original: input.originals[plan.service] } : {}),
      project: project.name,
      namespace: argo.namespace,
      image: desired.image,
      specHash: desired.specHash,
      replicas: desired.replicas,
      basePath,
      ...(input.imageConfigs?.[plan.service] ? { imageConfig: input.imageConfigs[plan.service] } : {}),
    });
    if (overlay.problem) {
      problems.push({ code: 'kubernetes.overlay', message: `service ${plan.service}: ${overlay.problem}` });
    }
    files[`${overlayDir}/kustomization.yaml`] = toYaml([overlay.kustomization]);
    const app = serviceApplication(argo, plan, desired);
    applications.push(app);
    files[`${top}/apps/${plan.name}.yaml`] = toYaml([app]);
    appFiles.push(`${plan.name}.yaml`);
  }
  files[`${top}/apps/kustomization.yaml`] = toYaml([
    { apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: appFiles },
  ]);
  return { files, applications, bases, problems };
}

/** Per-service plan by Compose name. */
export function planOf(analysis: ProjectAnalysis, service: string): ServicePlan | undefined {
  return analysis.services.find((s) => s.service === service);
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
