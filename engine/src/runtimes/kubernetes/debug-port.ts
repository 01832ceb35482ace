// Where a service's debugger listens in its pod. Which services get a debugger, and how their
// command is rewritten, is decided once for every runtime by the engine (engine/src/debug): the
// spec the runtime receives already runs under debugpy or --inspect, publishes the debug port on
// 127.0.0.1 at the host port the engine reports, and names it with DEBUG_PORT_LABEL. Here that
// port only gets Skaffold's names (`dap`, `devtools`), so editors that look for them find it.

import { DEBUG_PORT_LABEL, type DebugKind, type ServiceSpec } from '../../model/spec.js';

export const DEBUG_PORT_NAME = { python: 'dap', node: 'devtools' } as const satisfies Record<DebugKind, string>;

export interface DebugPort {
  type: DebugKind;
  /** Port in the pod. */
  port: number;
}

/** The debugger the engine injected into this (prepared) spec, if any. */
export function debugPortOf(svc: ServiceSpec): DebugPort | undefined {
  const port = Number(svc.labels[DEBUG_PORT_LABEL]);
  if (!Number.isInteger(port) || port <= 0) return undefined;
  const configured = svc.devenv.debug;
  if (configured) return { type: configured.type, port };
  const words = [...(svc.entrypoint ?? []), ...(svc.command ?? []), ...Object.values(svc.environment)].join(' ');
  return { type: /debugpy/.test(words) ? 'python' : 'node', port };
}
