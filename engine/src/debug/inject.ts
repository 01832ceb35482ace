// injectDebugger: a service spec in, the same service started under its debugger out, plus the
// endpoint a client attaches to. Pure and deterministic (the result feeds the spec hash: the same
// inputs must give the same spec, and injecting twice changes nothing).
//
// Containers (docker, kubernetes): Compose `entrypoint`/`command` are rewritten (or the image's
// ENTRYPOINT/CMD, when the file leaves them to the image and their values are known); the debugger
// listens on 0.0.0.0 inside the container and its port is published on 127.0.0.1 only.
// Processes: `x-devenv.process.command` is rewritten and the debugger listens on 127.0.0.1:hostPort.

import { DEBUG_PORT_LABEL, type PortSpec, type RuntimeKind, type ServiceSpec } from '../model/spec.js';
import type { DebugEndpoint } from '../model/status.js';
import type { ImageDefaults } from '../runtime-interface/runtime.js';
import { applyEdits, type CommandPlan, planCommand } from './command-plan.js';
import { isLoopback } from './listen-address.js';
import { debugPathMappings } from './path-mappings.js';
import { findLauncher, type ResolvedDebug, resolveDebugSpec } from './resolve.js';
import { entrypointGrowth, rewriteServiceCommand } from './service-command.js';
import { applyScriptEdits } from './shell-script.js';

export type { ImageDefaults };

export interface InjectOptions {
  runtime: RuntimeKind;
  /** Host port for the debugger (from allocateDebugPorts): published on 127.0.0.1, or listened on by a process. */
  hostPort: number;
  /** The image's defaults, for services whose file leaves the command to the image. */
  image?: ImageDefaults | undefined;
  /** Where the build context lands in the image (defaults to image.workingDir). */
  workdir?: string | undefined;
  /** The debugger to inject, decided by the plan; resolved from the service (resolveDebugSpec) when unset. */
  debug?: ResolvedDebug;
}

export interface InjectResult {
  service: ServiceSpec;
  endpoint: DebugEndpoint;
  /** Things a person should know (a rewritten listen address, a port published on every interface). */
  warnings: string[];
  /** The interpreter that runs the debugger, when devenv added it (see CommandPlan.interpreter). */
  interpreter?: string;
}

/** The service under its debugger; undefined when it gets none (see planInjection for why). */
export function injectDebugger(service: ServiceSpec, opts: InjectOptions): InjectResult | undefined {
  return planInjection(service, opts).result;
}

export interface InjectionPlan {
  result?: InjectResult;
  /** Set when a debugger was asked for (or inferred) but cannot be injected: the reason and the fix. */
  skipped?: string;
}

export function planInjection(service: ServiceSpec, opts: InjectOptions): InjectionPlan {
  const debug = opts.debug ?? resolveDebugSpec(service, opts.runtime);
  if (!debug) return {};
  const containerish = opts.runtime !== 'process';
  const target = {
    kind: debug.type,
    runtime: opts.runtime,
    port: containerish ? debug.port : opts.hostPort,
    wait: debug.wait,
  };

  const rewritten = rewriteCommand(service, debug, target, opts.image);
  if ('skipped' in rewritten) return { skipped: rewritten.skipped };

  const { plan } = rewritten;
  const out = rewritten.service;
  const warnings = [...plan.warnings];
  let hostPort = containerish ? opts.hostPort : plan.listenPort;
  if (containerish) {
    const published = publishDebugPort(out.ports, plan.listenPort, opts.hostPort);
    out.ports = published.ports;
    out.labels = { ...out.labels, [DEBUG_PORT_LABEL]: String(plan.listenPort) };
    hostPort = published.hostPort;
    if (published.warning) warnings.push(published.warning);
  }
  if (debug.wait && service.restart.name === 'no') {
    warnings.push(
      `${service.name} is a one-shot job that waits for a debugger: it runs once you attach to 127.0.0.1:${hostPort}; until then, whatever waits for it (\`up\`, dependent services) waits too`,
    );
  }
  const endpoint: DebugEndpoint = {
    type: debug.type,
    protocol: debug.type === 'python' ? 'dap' : 'cdp',
    hostIp: '127.0.0.1',
    hostPort,
    pathMappings: debugPathMappings(service, {
      runtime: opts.runtime,
      workdir: opts.workdir ?? opts.image?.workingDir,
    }),
  };
  return {
    result: { service: out, endpoint, warnings, ...(plan.interpreter ? { interpreter: plan.interpreter } : {}) },
  };
}

function rewriteCommand(
  service: ServiceSpec,
  debug: ResolvedDebug,
  target: Parameters<typeof planCommand>[2],
  image: ImageDefaults | undefined,
): { service: ServiceSpec; plan: CommandPlan } | { skipped: string } {
  const env = target.runtime === 'process' ? (service.devenv.process?.env ?? {}) : service.environment;
  let plan: CommandPlan | undefined;
  const rewritten = rewriteServiceCommand(
    service,
    target.runtime,
    image,
    (argv, boundary) => {
      const edited = editArgv(argv, debug, target, env, boundary);
      if ('skipped' in edited) return edited;
      plan = edited.plan;
      return { argv: edited.argv, entrypointDelta: edited.entrypointDelta, env: edited.plan.env };
    },
    'start under a debugger',
  );
  if ('skipped' in rewritten) return rewritten;
  return { service: rewritten.service, plan: plan! };
}

type EditedArgv = { argv: string[]; plan: CommandPlan; entrypointDelta: number } | { skipped: string };

/**
 * Plan and apply the edits to one argv. `entrypointDelta` is how much the first `boundary` tokens
 * grew: edits at or before the program's own segment stay in it (an insertion right after an
 * entrypoint `python3` belongs to the entrypoint).
 */
function editArgv(
  argv: readonly string[],
  debug: ResolvedDebug,
  target: Parameters<typeof planCommand>[2],
  env: Readonly<Record<string, string>>,
  boundary = 0,
): EditedArgv {
  const found = findLauncher(argv, debug.type);
  if (!found) {
    return {
      skipped: `cannot find a ${debug.type} program to debug in \`${argv.join(' ')}\`: start it as ${debug.type === 'python' ? '`python3 …` (or uvicorn, celery, gunicorn, flask)' : '`node …` (or npm, npx, vite)'} in \`command:\`, or set \`x-devenv.debug: false\``,
    };
  }
  if (found.script) {
    const { argIndex, words } = found.script;
    const plan = planCommand(
      words.map((w) => w.value),
      found.launcher,
      target,
      env,
      'shell',
    );
    if ('error' in plan) return { skipped: plan.error };
    const script = applyScriptEdits(argv[argIndex]!, words, plan.edits);
    const out = [...argv];
    out[argIndex] = script;
    return { argv: out, plan, entrypointDelta: 0 };
  }
  const plan = planCommand(argv, found.launcher, target, env, 'argv');
  if ('error' in plan) return { skipped: plan.error };
  const entrypointDelta = entrypointGrowth(plan.edits, boundary, found.launcher.index < boundary);
  return { argv: applyEdits(argv, plan.edits), plan, entrypointDelta };
}

/** Publish the debug port on 127.0.0.1, or keep the user's own publication of it. */
function publishDebugPort(
  ports: readonly PortSpec[],
  listenPort: number,
  hostPort: number,
): { ports: PortSpec[]; hostPort: number; warning?: string } {
  const existing = ports.findIndex((p) => p.target === listenPort && p.protocol === 'tcp');
  if (existing < 0) {
    return {
      ports: [
        ...ports,
        { hostIp: '127.0.0.1', published: hostPort, target: listenPort, protocol: 'tcp', hostIpExplicit: false },
      ],
      hostPort,
    };
  }
  const p = ports[existing]!;
  const out = [...ports];
  if (p.published === undefined) out[existing] = { ...p, published: hostPort };
  const used = p.published ?? hostPort;
  return {
    ports: out,
    hostPort: used,
    ...(isLoopback(p.hostIp)
      ? {}
      : {
          warning: `the debug port ${listenPort} is published on ${p.hostIp || 'every interface'}: anyone who can reach this machine can run code in the service; publish it as \`127.0.0.1:${used}:${listenPort}\` (or drop it and let devenv publish it)`,
        }),
  };
}
