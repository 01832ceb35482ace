// The generated dev overlay: a kustomization per service, on top of the project's manifests or
// the generated base, that makes the cluster a development environment. It points the image at
// the local registry, stamps the spec hash, sets one replica (zero when stopped), names the
// debugger's port, mounts a scratch directory for the sync agent, records the sync targets and
// the forwarded ports, and wraps services that `sync+restart` so they restart in place. All of it
// is in git, in the manifests Argo CD syncs, so self-heal keeps it.

import path from 'node:path';
import { stringify } from 'yaml';
import type { PortSpec, ServiceSpec } from '../../model/spec.js';
import { type ImageConfig, imageName, type ServicePlan } from './compose-to-k8s.js';
import { DEBUG_PORT_NAME } from './debug-port.js';
import { wrapForRestart } from './in-place-restart.js';
import { ANNOTATION, LABEL, labelValue, MANAGED_BY } from './names.js';

/** Where the sync agent is copied in every pod: an emptyDir, so it is writable and executable. */
export const AGENT_DIR = '/.devenv';
export const AGENT_VOLUME = 'devenv-agent';

export interface OverlayInput {
  plan: ServicePlan;
  /** The service as `up` runs it (debugger and reloader already in its command and environment). */
  svc: ServiceSpec;
  /** The service as the Compose file writes it: what the engine added is the difference. */
  original?: ServiceSpec;
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
  /** Something the overlay could not do, for a diagnostic. */
  problem?: string;
}

/** `127.0.0.1:8000:8000/tcp,…`: the ports forwarded from this machine, read back by `observe`. */
export function formatForwards(forwards: readonly PortSpec[]): string {
  return forwards.map((p) => `${p.hostIp}:${p.published ?? 0}:${p.target}/${p.protocol}`).join(',');
}

export function parseForwards(text: string | undefined): PortSpec[] {
  const out: PortSpec[] = [];
  for (const item of (text ?? '').split(',')) {
    const m = /^(.*):(\d+):(\d+)\/(tcp|udp)$/.exec(item.trim());
    if (!m) continue;
    const published = Number(m[2]);
    out.push({
      hostIp: m[1]!,
      target: Number(m[3]),
      protocol: m[4] as 'tcp' | 'udp',
      hostIpExplicit: true,
      ...(published > 0 ? { published } : {}),
    });
  }
  return out;
}

export function devOverlay(input: OverlayInput): Overlay {
  const { plan, svc } = input;
  const container: Record<string, unknown> = { name: plan.name };
  const problems: string[] = [];
  const templateAnnotations: Record<string, string> = {};
  const isJob = plan.workload === 'Job';
  // A project's own manifests carry their own command and environment: what the engine changed
  // (the debugger, the reloader) is patched onto them. A generated base has it already.
  if (plan.projectBase && plan.debug) {
    if (svc.entrypoint) {
      container.command = svc.entrypoint;
      container.args = svc.command ?? [];
    } else if (svc.command) {
      container.args = svc.command;
    }
    const added = Object.entries(svc.environment).filter(([k, v]) => input.original?.environment[k] !== v);
    if (added.length > 0) container.env = added.map(([name, value]) => ({ name, value }));
  }
  if (plan.debug) {
    const { type, port } = plan.debug;
    container.ports = [{ name: DEBUG_PORT_NAME[type], containerPort: port, protocol: 'TCP' }];
    templateAnnotations[ANNOTATION.debug] = `${type}:${port}`;
  }
  if (!isJob && (svc.develop?.watch ?? []).some((r) => r.action === 'sync+restart')) {
    const argv = runArgv(svc, input.imageConfig, Boolean(plan.projectBase));
    if (argv.length > 0) {
      container.command = wrapForRestart(argv, Math.ceil((svc.stopGracePeriodMs ?? 10_000) / 1000));
      container.args = [];
      templateAnnotations[ANNOTATION.restart] = 'in-place';
    } else {
      problems.push(
        'its command is not known here (write `command:` in the Compose file), so `sync+restart` replaces the pod: the new pod runs the image until the synced files arrive',
      );
    }
  }
  container.volumeMounts = [{ name: AGENT_VOLUME, mountPath: AGENT_DIR }];
  if (plan.syncTargets.length > 0) templateAnnotations[ANNOTATION.syncTargets] = plan.syncTargets.join(',');

  const role = isJob ? 'hook' : 'service';
  const patch = {
    apiVersion: isJob ? 'batch/v1' : 'apps/v1',
    kind: plan.workload,
    // The role goes on the workload too, not only its pods: `observe` finds instances by it,
    // including in a project's own manifests that do not carry it.
    metadata: {
      name: plan.name,
      labels: { [LABEL.role]: role },
      ...(plan.forwards.length > 0 ? { annotations: { [ANNOTATION.forwards]: formatForwards(plan.forwards) } } : {}),
    },
    spec: {
      ...(isJob ? {} : { replicas: input.replicas }),
      template: {
        metadata: {
          labels: { [LABEL.role]: role },
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
  return problems.length > 0 ? { kustomization, problem: problems.join('; ') } : { kustomization };
}

/**
 * What the container runs: the spec's entrypoint and command, else the image's (a command left to
 * the image is known once it is built). A project's own manifests may set their own command, so
 * there only what the Compose file writes counts.
 */
function runArgv(svc: ServiceSpec, image: ImageConfig | undefined, ownManifests: boolean): string[] {
  if (ownManifests) return [...(svc.entrypoint ?? []), ...(svc.command ?? [])];
  const entrypoint = svc.entrypoint ?? image?.entrypoint ?? [];
  const command = svc.command ?? (svc.entrypoint ? [] : (image?.cmd ?? []));
  return [...entrypoint, ...command];
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
