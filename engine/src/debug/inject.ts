// injectDebugger: a service spec in, the same service started under its debugger out, plus the
// endpoint a client attaches to. Pure and deterministic (the result feeds the spec hash: the same
// inputs must give the same spec, and injecting twice changes nothing).
//
// Containers (docker, kubernetes): Compose `entrypoint`/`command` are rewritten (or the image's
// ENTRYPOINT/CMD, when the file leaves them to the image and their values are known); the debugger
// listens on 0.0.0.0 inside the container and its port is published on 127.0.0.1 only.
// Processes: `x-devenv.process.command` is rewritten and the debugger listens on 127.0.0.1:hostPort.

import type { PortSpec, RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { DebugEndpoint } from '../model/status.js';
import type { ImageDefaults } from '../runtime/runtime.js';
import { applyEdits, type CommandPlan, planCommand } from './command-plan.js';
import { isLoopback } from './listen-address.js';
import { debugPathMappings } from './path-mappings.js';
import { findLauncher, type ResolvedDebug, resolveDebugSpec } from './resolve.js';
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
}

export interface InjectResult {
  service: ServiceSpec;
  endpoint: DebugEndpoint;
  /** Things a person should know (a rewritten listen address, a port published on every interface). */
  warnings: string[];
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
  const debug = resolveDebugSpec(service, opts.runtime);
  if (!debug) return {};
  const containerish = opts.runtime !== 'process';
  const target = {
    kind: debug.type,
    runtime: opts.runtime,
    port: containerish ? debug.port : opts.hostPort,
    wait: debug.wait,
  };

  let rewritten: { service: ServiceSpec; plan: CommandPlan } | { skipped: string };
  if (containerish) rewritten = rewriteContainer(service, debug, target, opts.image);
  else rewritten = rewriteProcess(service, debug, target);
  if ('skipped' in rewritten) return { skipped: rewritten.skipped };

  const { plan } = rewritten;
  const out = rewritten.service;
  const warnings = [...plan.warnings];
  let hostPort = containerish ? opts.hostPort : plan.listenPort;
  if (containerish) {
    const published = publishDebugPort(out.ports, plan.listenPort, opts.hostPort);
    out.ports = published.ports;
    hostPort = published.hostPort;
    if (published.warning) warnings.push(published.warning);
  }
  if (debug.wait && service.restart.name === 'no') {
    warnings.push(
      `${service.name} is a one-shot job that waits for a debugger: \`up\` blocks until you attach to 127.0.0.1:${hostPort}`,
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
  return { result: { service: out, endpoint, warnings } };
}

function rewriteProcess(
  service: ServiceSpec,
  debug: ResolvedDebug,
  target: Parameters<typeof planCommand>[2],
): { service: ServiceSpec; plan: CommandPlan } | { skipped: string } {
  const process = service.devenv.process;
  if (!process || process.command.length === 0) {
    return { skipped: `${service.name} has no \`x-devenv.process.command\` to start under a debugger` };
  }
  const edited = editArgv(process.command, debug, target, process.env);
  if ('skipped' in edited) return { skipped: `${service.name}: ${edited.skipped}` };
  return {
    service: {
      ...service,
      devenv: {
        ...service.devenv,
        process: { ...process, command: edited.argv, env: { ...process.env, ...edited.plan.env } },
      },
    },
    plan: edited.plan,
  };
}

function rewriteContainer(
  service: ServiceSpec,
  debug: ResolvedDebug,
  target: Parameters<typeof planCommand>[2],
  image: ImageDefaults | undefined,
): { service: ServiceSpec; plan: CommandPlan } | { skipped: string } {
  // What the container runs: Docker drops the image's CMD when the entrypoint is overridden.
  const entrypoint = service.entrypoint ?? image?.entrypoint ?? [];
  const command = service.command ?? (service.entrypoint ? [] : (image?.cmd ?? []));
  const combined = [...entrypoint, ...command];
  if (combined.length === 0) {
    return {
      skipped: `${service.name} runs its image's default command, which devenv does not know here: write \`command:\` in the Compose file`,
    };
  }
  const edited = editArgv(combined, debug, target, service.environment, entrypoint.length);
  if ('skipped' in edited) return { skipped: `${service.name}: ${edited.skipped}` };
  const out: ServiceSpec = {
    ...service,
    ports: [...service.ports],
    environment: { ...service.environment, ...edited.plan.env },
  };
  // Split the edited argv back at the entrypoint boundary (edits never straddle it, see editArgv).
  const newEntrypoint = edited.argv.slice(0, entrypoint.length + edited.entrypointDelta);
  const newCommand = edited.argv.slice(entrypoint.length + edited.entrypointDelta);
  if (!sameArgv(newEntrypoint, entrypoint)) {
    out.entrypoint = newEntrypoint;
    // Setting the entrypoint drops the image's CMD: keep it by writing it out.
    out.command = newCommand;
  } else if (!sameArgv(newCommand, command)) {
    out.command = newCommand;
  }
  return { service: out, plan: edited.plan };
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
  const programInEntrypoint = found.launcher.index < boundary;
  let entrypointDelta = 0;
  for (const e of plan.edits) {
    if (e.index < boundary || (e.index === boundary && e.remove === 0 && programInEntrypoint)) {
      entrypointDelta += e.insert.length - e.remove;
    }
  }
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

function sameArgv(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
