// The generated dev overlay: a kustomization per service, on top of the project's manifests or
// the generated base, that makes the cluster a development environment. It points the image at
// the local registry, stamps the spec hash, sets one replica (zero when stopped), starts the
// debugger and exposes its port, mounts a scratch directory for the sync agent and records the
// sync targets. All of it is in git, in the manifests Argo CD syncs, so self-heal keeps it.

import path from 'node:path';
import { stringify } from 'yaml';
import type { ServiceSpec } from '../../model/spec.js';
import { type ImageConfig, imageName, type ServicePlan } from './compose-to-k8s.js';
import { DEBUG_PORT_NAME, debugRewrite } from './debug-command.js';
import { ANNOTATION, LABEL, labelValue, MANAGED_BY } from './names.js';

/** Where the sync agent is copied in every pod: an emptyDir, so it is writable and executable. */
export const AGENT_DIR = '/.devenv';
export const AGENT_VOLUME = 'devenv-agent';

export interface OverlayInput {
  plan: ServicePlan;
  svc: ServiceSpec;
  project: string;
  namespace: string;
  /** Image for the pods (`localhost:5001/project/service:tag`). */
  image: string;
  specHash: string;
  /** 1 while running, 0 once `stop`ped (Deployments only). */
  replicas: number;
  /** Path of the base kustomization relative to the overlay directory (POSIX). */
  basePath: string;
  imageConfig?: ImageConfig;
}

export interface Overlay {
  kustomization: Record<string, unknown>;
  /** Why the debugger could not be started, if it could not. */
  problem?: string;
}

export function devOverlay(input: OverlayInput): Overlay {
  const { plan, svc } = input;
  const container: Record<string, unknown> = { name: plan.name };
  let problem: string | undefined;
  const templateAnnotations: Record<string, string> = {};
  if (plan.debug) {
    const { type, port, wait } = plan.debug;
    const program = svc.entrypoint
      ? [...svc.entrypoint, ...(svc.command ?? [])]
      : (svc.command ?? input.imageConfig?.cmd ?? undefined);
    const rewrite = debugRewrite(type, program, port, wait);
    if (rewrite.argv) {
      if (svc.entrypoint) {
        container.command = rewrite.argv;
        container.args = [];
      } else {
        container.args = rewrite.argv;
      }
    }
    if (rewrite.env) container.env = Object.entries(rewrite.env).map(([name, value]) => ({ name, value }));
    if (rewrite.argv || rewrite.env) {
      container.ports = [{ name: DEBUG_PORT_NAME[type], containerPort: port, protocol: 'TCP' }];
      templateAnnotations[ANNOTATION.debug] = `${type}:${port}`;
    }
    problem = rewrite.problem;
  }
  container.volumeMounts = [{ name: AGENT_VOLUME, mountPath: AGENT_DIR }];
  if (plan.syncTargets.length > 0) templateAnnotations[ANNOTATION.syncTargets] = plan.syncTargets.join(',');

  const isJob = plan.workload === 'Job';
  const patch = {
    apiVersion: isJob ? 'batch/v1' : 'apps/v1',
    kind: plan.workload,
    metadata: { name: plan.name },
    spec: {
      ...(isJob ? {} : { replicas: input.replicas }),
      template: {
        metadata: {
          labels: { [LABEL.role]: isJob ? 'hook' : 'service' },
          ...(Object.keys(templateAnnotations).length > 0 ? { annotations: templateAnnotations } : {}),
        },
        spec: {
          containers: [container],
          volumes: [{ name: AGENT_VOLUME, emptyDir: {} }],
        },
      },
    },
  };
  const [newName, newTag] = splitRef(input.image);
  const kustomization: Record<string, unknown> = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    namespace: input.namespace,
    resources: [input.basePath],
    labels: [
      {
        pairs: {
          [LABEL.project]: labelValue(input.project),
          [LABEL.service]: labelValue(plan.service),
          [LABEL.managedBy]: MANAGED_BY,
          [LABEL.partOf]: labelValue(input.project),
        },
        includeSelectors: false,
        includeTemplates: true,
      },
    ],
    commonAnnotations: { [ANNOTATION.specHash]: input.specHash },
    images: [
      { name: imageName(plan.baseImage), newName, ...(newTag.startsWith('sha256:') ? { digest: newTag } : { newTag }) },
    ],
    patches: [
      { target: { kind: plan.workload, name: plan.name }, patch: stringify(patch, { lineWidth: 0 }).trimEnd() },
    ],
  };
  return problem ? { kustomization, problem } : { kustomization };
}

/** `host:port/a/b:tag` → [`host:port/a/b`, `tag`]; `…@sha256:x` → [`…`, `sha256:x`]. */
export function splitRef(ref: string): [string, string] {
  const at = ref.indexOf('@');
  if (at >= 0) return [ref.slice(0, at), ref.slice(at + 1)];
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? [ref.slice(0, colon), ref.slice(colon + 1)] : [ref, 'latest'];
}

/** POSIX relative path from one repository directory to another. */
export function relativeDir(from: string, to: string): string {
  return path.posix.relative(from, to) || '.';
}
