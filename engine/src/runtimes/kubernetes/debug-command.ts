// The dev overlay starts a service under its debugger: debugpy for Python, --inspect for Node.
// The rewrite is part of the manifests Argo CD syncs, so self-heal keeps it instead of fighting it.

import path from 'node:path';
import type { DebugSpec, ServiceSpec } from '../../model/spec.js';

export const DEFAULT_DEBUG_PORT = { python: 5678, node: 9229 } as const;

/** Port names Skaffold's `debug` uses, so editors that look for them find them. */
export const DEBUG_PORT_NAME = { python: 'dap', node: 'devtools' } as const;

/** Console scripts whose module has the script's name, so `python -m <name>` runs them. */
const pythonScripts = new Set([
  'uvicorn',
  'celery',
  'alembic',
  'flask',
  'gunicorn',
  'pytest',
  'hypercorn',
  'django-admin',
]);

function isPython(file: string): boolean {
  return /^python(\d+(\.\d+)?)?$/.test(path.posix.basename(file));
}

function isNode(file: string): boolean {
  const base = path.posix.basename(file);
  return base === 'node' || base === 'nodejs';
}

export interface ResolvedDebug {
  type: 'python' | 'node';
  /** Port inside the pod. */
  port: number;
  /** Fixed local port; undefined picks a free one. */
  hostPort?: number;
  wait: boolean;
}

/** The service's debugger: as configured, inferred from its command when unset, none when `false`. */
export function resolveDebug(svc: ServiceSpec, imageCommand?: string[]): ResolvedDebug | undefined {
  const configured: DebugSpec | false | undefined = svc.devenv.debug;
  if (configured === false) return undefined;
  if (configured) {
    return {
      type: configured.type,
      port: configured.port ?? DEFAULT_DEBUG_PORT[configured.type],
      wait: configured.wait,
      ...(configured.hostPort === undefined ? {} : { hostPort: configured.hostPort }),
    };
  }
  const first = [...(svc.entrypoint ?? []), ...(svc.command ?? imageCommand ?? [])][0];
  if (!first) return undefined;
  if (isPython(first) || pythonScripts.has(path.posix.basename(first)))
    return { type: 'python', port: 5678, wait: false };
  if (isNode(first)) return { type: 'node', port: 9229, wait: false };
  return undefined;
}

export interface DebugRewrite {
  /** The program with its debugger, or undefined when it cannot be rewritten (see env). */
  argv?: string[];
  /** Environment that starts the debugger instead (Node without a known command). */
  env?: Record<string, string>;
  /** Why neither worked, for a diagnostic. */
  problem?: string;
}

/**
 * `uvicorn app:app …` → `python3 -m debugpy --listen 0.0.0.0:5678 -m uvicorn app:app …`;
 * `python3 x.py` → `python3 -m debugpy --listen 0.0.0.0:5678 x.py`; `node a.js` →
 * `node --inspect=0.0.0.0:9229 a.js`. Node with an unknown program falls back to NODE_OPTIONS.
 * Listening on 0.0.0.0 is safe: the port is only reached through a port-forward on 127.0.0.1.
 */
export function debugRewrite(
  type: 'python' | 'node',
  argv: string[] | undefined,
  port: number,
  wait: boolean,
): DebugRewrite {
  const listen = `0.0.0.0:${port}`;
  const [first, ...rest] = argv ?? [];
  if (type === 'python') {
    if (!first) return { problem: 'no command to run under debugpy (set `command:` in the Compose file)' };
    const debugpy = ['-m', 'debugpy', '--listen', listen, ...(wait ? ['--wait-for-client'] : [])];
    if (isPython(first)) return { argv: [first, ...debugpy, ...rest] };
    const base = path.posix.basename(first);
    if (pythonScripts.has(base) || !first.includes('/')) return { argv: ['python3', ...debugpy, '-m', base, ...rest] };
    return { problem: `cannot run ${first} under debugpy: start it as \`python3 …\` or \`python3 -m …\`` };
  }
  const flag = `${wait ? '--inspect-brk' : '--inspect'}=${listen}`;
  if (first && isNode(first)) return { argv: [first, flag, ...rest] };
  return { env: { NODE_OPTIONS: flag } };
}
