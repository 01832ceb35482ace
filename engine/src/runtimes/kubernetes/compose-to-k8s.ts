// Compose service → Kubernetes objects, for services whose project ships no manifests of its own
// (kind/<stack>/<service>/). One Deployment (1 replica) per long-running service, a PreSync hook
// Job per one-shot that others wait for (`service_completed_successfully`), a Service for its
// ports, a ConfigMap and a Secret for its environment (password-like values go to the Secret), a
// PVC per named volume, the healthcheck as a readinessProbe, `depends_on` as sync waves
// (topological depth) and, where the healthcheck names an HTTP URL, a PostSync smoke-test Job.
// Pure apart from reading Dockerfiles (for EXPOSE) and the manifests directory.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Problem } from '../../errors.js';
import type { PortSpec, ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { builtImageTag } from '../shared/image-labels.js';
import { type DebugPort, debugPortOf } from './debug-port.js';
import { fileObjects } from './file-objects.js';
import type { K8sObject } from './k8s-object.js';
import { ANNOTATION, dnsLabel, objectName, selectorLabels, serviceAppName, serviceLabels } from './names.js';
import { podSettings } from './pod-settings.js';

/** What an image says about itself (from `docker image inspect`), when it is known. */
export interface ImageConfig {
  entrypoint?: string[];
  cmd?: string[];
  exposedPorts?: { port: number; protocol: 'tcp' | 'udp' }[];
}

export interface ContainerPort {
  port: number;
  protocol: 'tcp' | 'udp';
}

export interface ServicePlan {
  /** Compose service name. */
  service: string;
  /** Kubernetes object name (Deployment/Job, Service, `<name>-env`). */
  name: string;
  workload: 'Deployment' | 'Job';
  /** Jobs only: the Argo CD hook phase that runs them. */
  hook?: 'PreSync';
  /** Topological depth in the `depends_on` graph: the Argo CD sync wave. */
  wave: number;
  appName: string;
  /** Image reference as the base manifests write it (the dev overlay points it at the registry). */
  baseImage: string;
  containerPorts: ContainerPort[];
  /** Compose `ports:`: forwarded from 127.0.0.1 (or the address the file names) to the pod. */
  forwards: PortSpec[];
  /** The debugger the engine injected (its port is also in `forwards`, at the host port the engine reports). */
  debug?: DebugPort;
  /** Container directories `develop.watch` syncs into. */
  syncTargets: string[];
  /** The project's own kustomization for this service (absolute directory), when it has one. */
  projectBase?: string;
  /** PVCs (named volumes) created by this service's Application. */
  ownedClaims: string[];
  /** PostSync check through the Service: the healthcheck's URL with the service's name as host. */
  smoke?: { url: string; hostHeader: string };
}

export interface ProjectAnalysis {
  services: ServicePlan[];
  /** Volume name → PVC name. */
  claims: Record<string, string>;
  problems: Problem[];
}

export interface AnalyseOptions {
  /** Directory holding `<service>/kustomization.yaml` the project provides. */
  manifestsDir?: string;
  imageConfigs?: Record<string, ImageConfig>;
}

const kustomizationFiles = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];

/** Plans every active service: workload kind, wave, ports, debugger, hooks, owned volumes. */
export function analyseProject(project: ProjectSpec, opts: AnalyseOptions = {}): ProjectAnalysis {
  const problems: Problem[] = [];
  const names = Object.keys(project.services);
  const depth = dependencyDepths(project);
  const order = [...names].sort((a, b) => depth[a]! - depth[b]! || a.localeCompare(b));
  const completionDeps = new Set<string>();
  for (const svc of Object.values(project.services)) {
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (d.condition === 'service_completed_successfully') completionDeps.add(dep);
    }
  }
  const claims: Record<string, string> = {};
  const owner: Record<string, string> = {};
  for (const name of order) {
    for (const m of project.services[name]!.volumes) {
      if (m.type !== 'volume' || !m.source) continue;
      const spec = project.volumes[m.source];
      if (!spec) continue;
      claims[m.source] = spec.external ? spec.name : dnsLabel(m.source);
      if (!spec.external && !owner[m.source]) owner[m.source] = name;
    }
  }

  const services: ServicePlan[] = [];
  for (const name of order) {
    const svc = project.services[name]!;
    const image = opts.imageConfigs?.[name];
    const isHook = svc.restart.name === 'no' && completionDeps.has(name);
    const objName = objectName(name);
    if (objName !== name) {
      problems.push({
        code: 'kubernetes.renamed-service',
        message: `service ${name} is named ${objName} in the cluster (Kubernetes names are DNS labels); other services must reach it as ${objName}`,
        ...(svc.source ? { location: svc.source } : {}),
      });
    }
    const plan: ServicePlan = {
      service: name,
      name: objName,
      workload: isHook ? 'Job' : 'Deployment',
      ...(isHook ? { hook: 'PreSync' as const } : {}),
      wave: depth[name]!,
      appName: serviceAppName(project.name, name),
      baseImage: svc.image ?? imageName(builtImageTag(project.name, name)),
      containerPorts: containerPorts(svc, image, debugPortOf(svc)?.port),
      forwards: svc.ports,
      syncTargets: [
        ...new Set(
          (svc.develop?.watch ?? []).filter((r) => r.target && r.action.startsWith('sync')).map((r) => r.target!),
        ),
      ],
      ownedClaims: Object.entries(owner)
        .filter(([, o]) => o === name)
        .map(([volume]) => claims[volume]!),
    };
    const debug = debugPortOf(svc);
    if (debug) plan.debug = debug;
    const base = opts.manifestsDir ? path.join(opts.manifestsDir, name) : undefined;
    if (base && kustomizationFiles.some((f) => existsSync(path.join(base, f)))) plan.projectBase = base;
    const smoke = smokeCheck(svc, objName, plan.containerPorts);
    if (smoke && !isHook) plan.smoke = smoke;
    for (const m of svc.volumes) {
      if (m.type === 'bind') {
        problems.push({
          code: 'kubernetes.bind-mount',
          message: `service ${name}: the bind mount ${m.source} → ${m.target} does not exist in a cluster and is left out`,
          hint: 'sync the directory with `develop.watch` (action: sync) instead',
          ...(svc.source ? { location: svc.source } : {}),
        });
      }
    }
    problems.push(
      ...podSettings(svc, undefined).problems,
      ...fileObjects(svc, objName, { labels: {}, annotations: {} }).problems,
    );
    for (const alias of extraServiceNames(svc)) {
      if (alias !== dnsLabel(alias) || names.some((n) => objectName(n) === alias)) {
        problems.push({
          code: 'kubernetes.alias-left-out',
          message: `service ${name}: the name \`${alias}\` it is also reached by cannot be a Service of its own in the cluster (not a DNS label, or taken by a service)`,
          hint: 'use a lowercase alias of letters, digits and `-` that no service is named',
          ...(svc.source ? { location: svc.source } : {}),
        });
      }
    }
    if (svc.user && !/^\d+(:\d+)?$/.test(svc.user)) {
      problems.push({
        code: 'kubernetes.user-name',
        message: `service ${name}: user ${svc.user} is a name; Kubernetes needs a numeric uid, so the image's user is kept`,
        hint: 'write `user: "1000"` (or uid:gid) to choose the user in the cluster too',
      });
    }
    services.push(plan);
  }
  return { services, claims, problems };
}

/** 0 for a service without dependencies, else one more than its deepest dependency. */
export function dependencyDepths(project: ProjectSpec): Record<string, number> {
  const out: Record<string, number> = {};
  const visiting = new Set<string>();
  const visit = (name: string): number => {
    const known = out[name];
    if (known !== undefined) return known;
    if (visiting.has(name)) return 0; // the config loader rejects cycles; stay finite anyway
    visiting.add(name);
    let d = 0;
    for (const dep of Object.keys(project.services[name]?.dependsOn ?? {})) {
      if (project.services[dep]) d = Math.max(d, visit(dep) + 1);
    }
    visiting.delete(name);
    out[name] = d;
    return d;
  };
  for (const name of Object.keys(project.services)) visit(name);
  return out;
}

/** `repo/name:tag` → `repo/name` (what kustomize's `images:` matches on). */
export function imageName(ref: string): string {
  const at = ref.indexOf('@');
  const noDigest = at >= 0 ? ref.slice(0, at) : ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

function containerPorts(svc: ServiceSpec, image: ImageConfig | undefined, debugPort?: number): ContainerPort[] {
  const seen = new Map<string, ContainerPort>();
  const add = (port: number, protocol: 'tcp' | 'udp') => seen.set(`${port}/${protocol}`, { port, protocol });
  // The debugger's port is forwarded to 127.0.0.1 only, never put behind a Service.
  for (const p of svc.ports) if (p.target !== debugPort) add(p.target, p.protocol);
  for (const e of svc.container?.expose ?? []) if (e.protocol !== 'sctp') add(e.port, e.protocol);
  // Compose reaches any port of a service by its name; a Service needs them listed. The image
  // says which (EXPOSE): from `docker inspect` when known, else from the Dockerfile.
  for (const p of image?.exposedPorts ?? dockerfileExposedPorts(svc)) add(p.port, p.protocol);
  return [...seen.values()].sort((a, b) => a.port - b.port || a.protocol.localeCompare(b.protocol));
}

/** `EXPOSE` lines of the service's Dockerfile (literal ports only). */
export function dockerfileExposedPorts(svc: ServiceSpec): ContainerPort[] {
  if (!svc.build) return [];
  let text: string;
  try {
    text = readFileSync(path.resolve(svc.build.context, svc.build.dockerfile), 'utf8');
  } catch {
    return [];
  }
  const out: ContainerPort[] = [];
  for (const line of text.replace(/\\\r?\n/g, ' ').split(/\r?\n/)) {
    const m = /^\s*EXPOSE\s+(.+)$/i.exec(line);
    if (!m) continue;
    for (const word of m[1]!.trim().split(/\s+/)) {
      const p = /^(\d+)(?:\/(tcp|udp))?$/i.exec(word);
      if (p) out.push({ port: Number(p[1]), protocol: (p[2]?.toLowerCase() as 'tcp' | 'udp') ?? 'tcp' });
    }
  }
  return out;
}

function smokeCheck(
  svc: ServiceSpec,
  name: string,
  ports: ContainerPort[],
): { url: string; hostHeader: string } | undefined {
  const test = svc.healthcheck?.test;
  if (!test || test[0] === 'NONE') return undefined;
  const m = /https?:\/\/(127\.0\.0\.1|localhost|0\.0\.0\.0)(?::(\d+))?(\/[^\s'"`)]*)?/.exec(test.slice(1).join(' '));
  if (!m) return undefined;
  const port = Number(m[2] ?? 80);
  if (!ports.some((p) => p.port === port && p.protocol === 'tcp')) return undefined;
  // Dev servers that check the Host header (Vite) accept the address the healthcheck used.
  return { url: `http://${name}:${port}${m[3] ?? '/'}`, hostHeader: `${m[1]}:${port}` };
}

// ---- environment ----------------------------------------------------------------------------

const secretKey = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY|_PASS$|^PASS$)/i;
const urlWithPassword = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** Whether a variable looks like a secret: its name says so, or it is a URL carrying a password. */
export function looksSecret(key: string, value: string): boolean {
  return secretKey.test(key) || urlWithPassword.test(value);
}

export function splitEnvironment(env: Record<string, string>): {
  config: Record<string, string>;
  secret: Record<string, string>;
} {
  const config: Record<string, string> = {};
  const secret: Record<string, string> = {};
  for (const key of Object.keys(env).sort()) {
    const value = env[key]!;
    if (looksSecret(key, value)) secret[key] = value;
    else config[key] = value;
  }
  return { config, secret };
}

// ---- objects --------------------------------------------------------------------------------

export interface BaseContext {
  project: ProjectSpec;
  namespace: string;
  analysis: ProjectAnalysis;
  /** Image of devenv's tools (curl, git) used by smoke-test Jobs. */
  toolsImage: string;
}

/** The base manifests of one service (before the dev overlay), in apply order. */
export function baseObjects(plan: ServicePlan, ctx: BaseContext): K8sObject[] {
  const svc = ctx.project.services[plan.service]!;
  const labels = serviceLabels(ctx.project.name, plan.service, plan.hook ? 'hook' : 'service');
  const wave = String(plan.wave);
  const regular = { [ANNOTATION.syncWave]: wave };
  const out: K8sObject[] = [];
  const { config, secret } = splitEnvironment(svc.environment);
  // A hook runs before the Application's regular resources exist, so what it reads must be a
  // hook too (an earlier wave of the same phase), recreated on each sync.
  const envAnnotations = plan.hook
    ? {
        [ANNOTATION.hook]: plan.hook,
        [ANNOTATION.hookDeletePolicy]: 'BeforeHookCreation',
        [ANNOTATION.syncWave]: '-1',
      }
    : regular;
  if (Object.keys(config).length > 0) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${plan.name}-env`, labels, annotations: envAnnotations },
      data: config,
    });
  }
  if (Object.keys(secret).length > 0) {
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${plan.name}-env`, labels, annotations: envAnnotations },
      type: 'Opaque',
      stringData: secret,
    });
  }
  const files = fileObjects(svc, plan.name, { labels, annotations: envAnnotations });
  out.push(...files.objects);
  for (const claim of plan.ownedClaims) {
    out.push({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        name: claim,
        labels,
        // Data outlives the Application: `down` keeps volumes, as Compose does; `down --volumes`
        // and a soft reset delete them explicitly.
        annotations: { ...regular, [ANNOTATION.syncOptions]: 'Prune=false,Delete=false' },
      },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    });
  }
  const settings = podSettings(svc, undefined);
  const pod = podSpec(svc, plan, ctx, Object.keys(config).length > 0, Object.keys(secret).length > 0, {
    volumes: [...files.volumes, ...settings.volumes],
    mounts: [...files.mounts, ...settings.mounts],
  });
  const template = (extra: Record<string, unknown>) => ({
    metadata: { labels, ...(Object.keys(settings.annotations).length ? { annotations: settings.annotations } : {}) },
    spec: { ...pod, ...extra },
  });
  if (plan.workload === 'Job') {
    out.push({
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: plan.name,
        labels,
        annotations: {
          [ANNOTATION.hook]: plan.hook ?? 'PreSync',
          [ANNOTATION.hookDeletePolicy]: 'BeforeHookCreation',
          [ANNOTATION.syncWave]: '0',
        },
      },
      spec: {
        backoffLimit: 0,
        template: template({ restartPolicy: 'Never' }),
      },
    });
    // Hooks do not count for sync status: this regular object changes with the spec (the dev
    // overlay stamps the spec hash on it), which makes the Application OutOfSync, so automated
    // sync runs the hook again.
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${plan.name}-run`, labels, annotations: regular },
      data: { service: plan.service, runs: `Job/${plan.name} (Argo CD ${plan.hook ?? 'PreSync'} hook)` },
    });
    return out;
  }
  const hasClaim = svc.volumes.some((m) => m.type === 'volume' && m.source && ctx.analysis.claims[m.source]);
  out.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: plan.name, labels, annotations: regular },
    spec: {
      replicas: svc.replicas ?? 1,
      revisionHistoryLimit: 2,
      // A ReadWriteOnce volume cannot be mounted by the old and the new pod at once.
      strategy: hasClaim ? { type: 'Recreate' } : { type: 'RollingUpdate' },
      selector: { matchLabels: selectorLabels(ctx.project.name, plan.service) },
      template: template({ restartPolicy: 'Always' }),
    },
  });
  if (plan.containerPorts.length > 0) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: plan.name, labels, annotations: regular },
      spec: {
        selector: selectorLabels(ctx.project.name, plan.service),
        ports: plan.containerPorts.map((p) => ({
          name: portName(p),
          port: p.port,
          targetPort: p.port,
          protocol: p.protocol.toUpperCase(),
        })),
      },
    });
  }
  out.push(...aliasServices(plan, ctx, labels, regular));
  if (plan.smoke) out.push(smokeJob(plan, ctx));
  return out;
}

/** The other names a service is reached by: `container_name`, its network aliases. */
function extraServiceNames(svc: ServiceSpec): string[] {
  const names = [
    ...(svc.container?.containerName ? [svc.container.containerName] : []),
    ...Object.values(svc.networkAttachments ?? {}).flatMap((a) => a.aliases),
  ];
  return [...new Set(names)].filter((n) => n !== svc.name);
}

/**
 * A Service per other name the service is reached by (its `container_name`, network aliases, and
 * the aliases others give it with `links`), selecting its pods with its ports.
 */
function aliasServices(
  plan: ServicePlan,
  ctx: BaseContext,
  labels: Record<string, string>,
  annotations: Record<string, string>,
): K8sObject[] {
  const svc = ctx.project.services[plan.service]!;
  const wanted: { name: string; target: ServicePlan }[] = extraServiceNames(svc).map((name) => ({
    name,
    target: plan,
  }));
  for (const link of svc.container?.links ?? []) {
    const target = ctx.analysis.services.find((p) => p.service === link.service);
    if (target && link.alias !== link.service) wanted.push({ name: link.alias, target });
  }
  const taken = new Set(ctx.analysis.services.map((p) => p.name));
  const out: K8sObject[] = [];
  for (const { name, target } of wanted) {
    if (name !== dnsLabel(name) || taken.has(name) || target.containerPorts.length === 0) continue;
    taken.add(name);
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, labels, annotations },
      spec: {
        selector: selectorLabels(ctx.project.name, target.service),
        ports: target.containerPorts.map((p) => ({
          name: portName(p),
          port: p.port,
          targetPort: p.port,
          protocol: p.protocol.toUpperCase(),
        })),
      },
    });
  }
  return out;
}

function portName(p: ContainerPort): string {
  return `${p.protocol}-${p.port}`;
}

function podSpec(
  svc: ServiceSpec,
  plan: ServicePlan,
  ctx: BaseContext,
  hasConfig: boolean,
  hasSecret: boolean,
  extra: { volumes: Record<string, unknown>[]; mounts: Record<string, unknown>[] },
): Record<string, unknown> {
  const volumes: Record<string, unknown>[] = [...extra.volumes];
  const mounts: Record<string, unknown>[] = [...extra.mounts];
  svc.volumes.forEach((m, i) => {
    if (m.type === 'bind') return;
    const name = m.type === 'volume' && m.source ? dnsLabel(m.source) : `scratch-${i}`;
    if (!volumes.some((v) => v.name === name)) {
      const claim = m.type === 'volume' && m.source ? ctx.analysis.claims[m.source] : undefined;
      volumes.push(
        claim
          ? { name, persistentVolumeClaim: { claimName: claim } }
          : m.type === 'tmpfs'
            ? { name, emptyDir: { medium: 'Memory', ...(m.tmpfsSize ? { sizeLimit: String(m.tmpfsSize) } : {}) } }
            : { name, emptyDir: {} },
      );
    }
    mounts.push({
      name,
      mountPath: m.target,
      ...(m.readOnly ? { readOnly: true } : {}),
      ...(m.subpath ? { subPath: m.subpath } : {}),
    });
  });
  const container: Record<string, unknown> = {
    name: plan.name,
    image: plan.baseImage,
    imagePullPolicy: 'IfNotPresent',
  };
  if (svc.entrypoint) container.command = svc.entrypoint;
  if (svc.command) container.args = svc.command;
  if (svc.workingDir) container.workingDir = svc.workingDir;
  const envFrom: Record<string, unknown>[] = [];
  if (hasConfig) envFrom.push({ configMapRef: { name: `${plan.name}-env` } });
  if (hasSecret) envFrom.push({ secretRef: { name: `${plan.name}-env` } });
  if (envFrom.length > 0) container.envFrom = envFrom;
  if (plan.containerPorts.length > 0) {
    container.ports = plan.containerPorts.map((p) => ({
      name: portName(p),
      containerPort: p.port,
      protocol: p.protocol.toUpperCase(),
    }));
  }
  const probe = readinessProbe(svc);
  if (probe) container.readinessProbe = probe;
  if (svc.tty) container.tty = true;
  if (svc.stdinOpen) container.stdin = true;
  const user = svc.user ? /^(\d+)(?::(\d+))?$/.exec(svc.user) : null;
  const runAs = user ? { runAsUser: Number(user[1]), ...(user[2] ? { runAsGroup: Number(user[2]) } : {}) } : undefined;
  const settings = podSettings(svc, runAs);
  Object.assign(container, settings.container);
  const signal = svc.stopSignal?.replace(/^SIG/i, '').toUpperCase();
  if (signal && signal !== 'TERM' && /^[A-Z0-9]+$/.test(signal)) {
    // Kubernetes always sends SIGTERM; the Compose stop signal goes first, from a preStop hook
    // (after the service's own pre_stop hooks).
    const preStop = (settings.container.lifecycle as { preStop?: { exec: { command: string[] } } } | undefined)
      ?.preStop;
    const first = preStop ? `${preStop.exec.command.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(' ')}; ` : '';
    container.lifecycle = {
      ...(container.lifecycle as object | undefined),
      preStop: { exec: { command: ['/bin/sh', '-c', `${first}kill -${signal} 1`] } },
    };
  }
  if (mounts.length > 0) container.volumeMounts = mounts;
  return {
    // Compose-like environment: no FOO_SERVICE_HOST / FOO_PORT=tcp://… variables injected.
    enableServiceLinks: false,
    terminationGracePeriodSeconds: Math.ceil((svc.stopGracePeriodMs ?? 10_000) / 1000),
    ...settings.pod,
    containers: [container],
    ...(volumes.length > 0 ? { volumes } : {}),
  };
}

/**
 * Compose healthcheck → readinessProbe (never a livenessProbe: a process paused at a breakpoint
 * would be killed by one). `start_period` needs no equivalent: failed readiness kills nothing.
 */
export function readinessProbe(svc: ServiceSpec): Record<string, unknown> | undefined {
  const h = svc.healthcheck;
  if (!h || h.test.length === 0 || h.test[0] === 'NONE') return undefined;
  const [kind, ...rest] = h.test;
  const command = kind === 'CMD-SHELL' ? ['/bin/sh', '-c', rest.join(' ')] : kind === 'CMD' ? rest : h.test;
  return {
    exec: { command },
    periodSeconds: Math.max(1, Math.ceil(h.intervalMs / 1000)),
    timeoutSeconds: Math.max(1, Math.ceil(h.timeoutMs / 1000)),
    failureThreshold: Math.max(1, h.retries),
    successThreshold: 1,
  };
}

function smokeJob(plan: ServicePlan, ctx: BaseContext): K8sObject {
  const labels = serviceLabels(ctx.project.name, plan.service, 'smoke');
  const smoke = plan.smoke!;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${plan.name}-smoke`.slice(0, 63),
      labels,
      annotations: {
        [ANNOTATION.hook]: 'PostSync',
        [ANNOTATION.hookDeletePolicy]: 'BeforeHookCreation',
      },
    },
    spec: {
      backoffLimit: 2,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'Never',
          containers: [
            {
              name: 'smoke',
              image: ctx.toolsImage,
              imagePullPolicy: 'IfNotPresent',
              command: [
                'curl',
                '--fail',
                '--silent',
                '--show-error',
                '--max-time',
                '10',
                '--retry',
                '10',
                '--retry-connrefused',
                '--retry-delay',
                '2',
                '--header',
                `Host: ${smoke.hostHeader}`,
                smoke.url,
              ],
            },
          ],
        },
      },
    },
  };
}

/** The labels `observe` and the pod lookups use for a service's instance pod. */
export function instanceSelector(project: string, service: string): string {
  return Object.entries(selectorLabels(project, service))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
