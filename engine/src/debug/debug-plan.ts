// The engine's two calls into debugger injection, so its own code stays a few lines:
//   planDebug   once per `up`, after observing the runtime and before any hashing: which services
//               get a debugger, and their host ports (stable: see ports.ts);
//   injectPlanned  per service, once its artifact is ready and before `hashInput`: the spec to
//               hash and create, and the endpoint for its status.
// plus observedEndpoint, for re-adopting running instances without an `up` (daemon restart).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DebugKind, ProjectSpec, RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { DebugAbsence, DebugEndpoint, PublishedPort } from '../model/status.js';
import { allocateDebugPorts, type DebugPortRequest, isPortFree } from './debug-ports.js';
import { type ImageDefaults, planInjection } from './inject.js';
import { isLoopback } from './listen-address.js';
import { dockerfileWorkdir } from './path-mappings.js';
import { type ResolvedDebug, resolveDebugSpec } from './resolve.js';

export interface PlannedDebugger {
  debug: ResolvedDebug;
  hostPort: number;
  /** The Dockerfile's WORKDIR, the fallback for the build context's place in the image. */
  workdir?: string;
}

export interface DebugPlan {
  runtime: RuntimeKind;
  services: Record<string, PlannedDebugger>;
  /** One-shot jobs others wait for, whose debugger was inferred: left off the critical path of `up`. */
  onRequest: Record<string, DebugAbsence>;
}

/** What planDebug needs to know of an instance the runtime already holds. */
export interface ObservedDebugInstance {
  service: string;
  state: { status: string; ports: readonly PublishedPort[] };
}

export interface PlanDebugOptions {
  /**
   * Host ports from the engine's last known statuses, used when no observed instance publishes one
   * (the process runtime); `held` when that instance runs, so its port looks busy.
   */
  previous?: Record<string, { port: number; held: boolean }>;
  isFree?: (port: number) => Promise<boolean>;
  readFile?: (path: string) => string;
  /** False disables injection for the whole project (`devenv up --no-debug`). */
  enabled?: boolean;
  /**
   * Services to start under their debugger now, whatever the defaults say (`devenv debug SERVICE`);
   * a one-shot job among them waits for a client to attach.
   */
  requested?: readonly string[];
}

export async function planDebug(
  project: ProjectSpec,
  runtime: RuntimeKind,
  observed: readonly ObservedDebugInstance[],
  opts: PlanDebugOptions = {},
): Promise<DebugPlan> {
  const plan: DebugPlan = { runtime, services: {}, onRequest: {} };
  const requested = new Set(opts.requested ?? []);
  if (opts.enabled === false && requested.size === 0) return plan;
  const awaited = awaitedJobs(project);
  const readFile = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const requests: DebugPortRequest[] = [];
  const resolved: Record<string, ResolvedDebug> = {};
  const taken = new Set<number>();
  for (const svc of Object.values(project.services)) {
    for (const p of svc.ports) if (p.published !== undefined) taken.add(p.published);
    const debug = requested.has(svc.name)
      ? requestedDebug(svc, runtime)
      : opts.enabled === false
        ? undefined
        : resolveDebugSpec(svc, runtime);
    if (typeof debug === 'string' || !debug) continue;
    const waitedBy = awaited.get(svc.name);
    if (debug.inferred && waitedBy && !requested.has(svc.name)) {
      plan.onRequest[svc.name] = onRequestAbsence(svc.name, debug.type, waitedBy);
      continue;
    }
    resolved[svc.name] = debug;
    const request: DebugPortRequest = { service: svc.name, type: debug.type };
    // A debug port the file publishes itself is that service's host port (see publishDebugPort).
    const own = svc.ports.find((p) => p.target === debug.port && p.published !== undefined);
    if (debug.hostPort !== undefined) request.hostPort = debug.hostPort;
    else if (own && runtime !== 'process') request.hostPort = own.published!;
    const previous = previousPort(observed, svc.name, debug, runtime) ?? fromStatus(opts.previous, svc.name);
    if (previous) request.previous = previous;
    requests.push(request);
  }
  for (const r of requests) {
    if (r.hostPort !== undefined) taken.delete(r.hostPort);
    if (r.previous) taken.delete(r.previous.port);
  }
  const ports = await allocateDebugPorts(requests, taken, { isFree: opts.isFree ?? isPortFree });
  for (const [name, debug] of Object.entries(resolved)) {
    const entry: PlannedDebugger = { debug, hostPort: ports[name]! };
    const workdir = runtime === 'process' ? undefined : dockerfileWorkdirOf(project.services[name]!, readFile);
    if (workdir) entry.workdir = workdir;
    plan.services[name] = entry;
  }
  return plan;
}

export interface PlannedInjection {
  /** The spec to hash and create: the original when the service gets no debugger. */
  service: ServiceSpec;
  endpoint?: DebugEndpoint;
  /** Why a service that could be debugged has no debugger (on request; unavailable, see interpreter-check). */
  absent?: DebugAbsence;
  /** The interpreter that runs the injected debugger, when devenv added it. */
  interpreter?: string;
  /** Lines for the service's log (a rewritten listen address, why no debugger could be injected). */
  notes: string[];
}

export function injectPlanned(plan: DebugPlan, service: ServiceSpec, image?: ImageDefaults): PlannedInjection {
  const entry = plan.services[service.name];
  const onRequest = plan.onRequest[service.name];
  if (onRequest) return { service, absent: onRequest, notes: [`debugger on request: ${onRequest.reason}`] };
  if (!entry) return { service, notes: [] };
  const injection = planInjection(service, {
    runtime: plan.runtime,
    debug: entry.debug,
    hostPort: entry.hostPort,
    image,
    workdir: image?.workingDir ?? entry.workdir,
  });
  if (!injection.result) {
    return {
      service,
      notes: injection.skipped ? [`no debugger: ${injection.skipped}`] : [],
    };
  }
  const { result } = injection;
  return {
    service: result.service,
    endpoint: result.endpoint,
    ...(result.interpreter ? { interpreter: result.interpreter } : {}),
    notes: [
      ...result.warnings.map((w) => `debugger: ${w}`),
      `debugger: ${result.endpoint.type} (${result.endpoint.protocol}) on ${result.endpoint.hostIp}:${result.endpoint.hostPort}${entry.debug.wait ? ', waiting for a client' : ''}`,
    ],
  };
}

/**
 * One-shot jobs other services wait for (`depends_on: {job: {condition:
 * service_completed_successfully}}`), each with the services that wait. They run before those
 * services on every `up`, and debugpy roughly doubles a Python program's start-up: measured on the
 * untuned bench stack (docs/benchmarks.md), a seed job under debugpy was what kept `up` slower
 * than Compose.
 */
export function awaitedJobs(project: ProjectSpec): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const svc of Object.values(project.services)) {
    for (const [dep, d] of Object.entries(svc.dependsOn)) {
      if (d.condition !== 'service_completed_successfully' || !project.services[dep]) continue;
      out.set(dep, [...(out.get(dep) ?? []), svc.name]);
    }
  }
  return out;
}

function onRequestAbsence(service: string, type: DebugKind, waitedBy: string[]): DebugAbsence {
  return {
    kind: 'on-request',
    type,
    reason: `${service} is a one-shot job ${listed(waitedBy)} wait${waitedBy.length === 1 ? 's' : ''} for: it runs without a debugger, off the critical path of \`up\``,
    fix: `devenv debug ${service}`,
  };
}

/** Why a re-adopted instance (no `up`: a restarted daemon) has no debugger, when the rule says so. */
export function observedAbsence(
  project: ProjectSpec,
  service: ServiceSpec,
  runtime: RuntimeKind,
): DebugAbsence | undefined {
  const debug = resolveDebugSpec(service, runtime);
  const waitedBy = awaitedJobs(project).get(service.name);
  return debug?.inferred && waitedBy ? onRequestAbsence(service.name, debug.type, waitedBy) : undefined;
}

/** `a`, `a and b`, `a, b and c`. */
function listed(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/**
 * The debugger for `devenv debug SERVICE`: what the file asks or the command implies, even when
 * the file says `debug: false` or the defaults keep it on request; a one-shot job waits for the
 * client, or it would be done before anyone attached. A string says why there is none.
 */
export function requestedDebug(service: ServiceSpec, runtime: RuntimeKind): ResolvedDebug | string {
  const asked =
    service.devenv.debug === false ? { ...service, devenv: { ...service.devenv, debug: undefined } } : service;
  const debug = resolveDebugSpec(asked, runtime) ?? resolveDebugSpec(asked, runtime, { oneShots: true });
  if (!debug) {
    return `${service.name} runs no Python or Node program devenv can start under a debugger: write \`x-devenv.debug: python\` (or node) and a command that runs the program`;
  }
  return { ...debug, inferred: false, wait: debug.wait || service.restart.name === 'no' };
}

/**
 * The endpoint of an instance that already runs, from what it publishes (no `up`, e.g. a restarted
 * daemon re-adopting containers). Undefined when the instance publishes no debug port.
 */
export function observedEndpoint(
  service: ServiceSpec,
  runtime: RuntimeKind,
  ports: readonly PublishedPort[],
  workdir?: string,
): DebugEndpoint | undefined {
  const debug = resolveDebugSpec(service, runtime);
  if (!debug || runtime === 'process') return undefined;
  const port = ports.find((p) => p.containerPort === debug.port && p.protocol === 'tcp');
  if (!port) return undefined;
  const result = planInjection(service, { runtime, hostPort: port.hostPort, workdir }).result;
  return {
    type: debug.type,
    protocol: debug.type === 'python' ? 'dap' : 'cdp',
    hostIp: isLoopback(port.hostIp) || port.hostIp === '' || port.hostIp === '0.0.0.0' ? '127.0.0.1' : port.hostIp,
    hostPort: port.hostPort,
    pathMappings: result?.endpoint.pathMappings ?? [],
  };
}

/**
 * The WORKDIR of the service's Dockerfile (where the build context most likely lands in the
 * image), or undefined without a build or a readable Dockerfile.
 */
export function dockerfileWorkdirOf(
  service: ServiceSpec,
  readFile: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string | undefined {
  const build = service.build;
  if (!build) return undefined;
  try {
    return dockerfileWorkdir(readFile(resolve(build.context, build.dockerfile)), {
      target: build.target,
      args: build.args,
    });
  } catch {
    return undefined;
  }
}

function previousPort(
  observed: readonly ObservedDebugInstance[],
  service: string,
  debug: ResolvedDebug,
  runtime: RuntimeKind,
): DebugPortRequest['previous'] {
  if (runtime === 'process') return undefined;
  for (const inst of observed) {
    if (inst.service !== service) continue;
    const p = inst.state.ports.find((x) => x.containerPort === debug.port && x.protocol === 'tcp');
    if (p) return { port: p.hostPort, held: inst.state.status === 'running' || inst.state.status === 'restarting' };
  }
  return undefined;
}

function fromStatus(previous: PlanDebugOptions['previous'], service: string): DebugPortRequest['previous'] {
  return previous?.[service];
}
