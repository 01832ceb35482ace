// How to change one command line so its program starts under a debugger: a list of token edits
// plus environment variables. Pure; the same plan applies to an argv (Compose `command`,
// `x-devenv.process.command`) and to one command inside a `sh -c` script. A command that already
// starts a debugger is left alone, except for a listen address that is wrong for the runtime.

import type { DebugKind, RuntimeKind } from '../model/spec.js';
import type { Launcher } from './launcher.js';
import {
  correctedHost,
  formatListenAddress,
  hostProblem,
  type ListenAddress,
  listenHostFor,
  parseListenAddress,
} from './listen-address.js';

/** Replace `remove` tokens at `index` with `insert`; a `{ shell }` item is raw shell text (scripts only). */
export interface Edit {
  index: number;
  remove: number;
  insert: (string | { shell: string })[];
}

export interface CommandPlan {
  edits: Edit[];
  /** Variables to set (merged values: they already include what the service had). */
  env: Record<string, string>;
  /** Port the debugger listens on inside the service. */
  listenPort: number;
  /** True when the command already started a debugger (devenv's own injection, or the user's). */
  already: boolean;
  /** The interpreter that must carry the debugger (`python3`, `/venv/bin/python`, `node`); unset when `already`. */
  interpreter?: string;
  warnings: string[];
}

export interface DebugTarget {
  kind: DebugKind;
  runtime: RuntimeKind;
  /** Port to listen on when the command names none. */
  port: number;
  wait: boolean;
}

export type PlanResult = CommandPlan | { error: string };

/** Plan the debugger for the program `launcher` found in `argv`. `env` is the service's environment. */
export function planCommand(
  argv: readonly string[],
  launcher: Launcher,
  target: DebugTarget,
  env: Readonly<Record<string, string>>,
  context: 'argv' | 'shell',
): PlanResult {
  if (launcher.kind !== target.kind) {
    return { error: `the command runs ${launcher.name} (${launcher.kind}), not a ${target.kind} program` };
  }
  return launcher.kind === 'python'
    ? planPython(argv, launcher, target, env)
    : planNode(argv, launcher, target, env, context);
}

// ---- Python (debugpy) -------------------------------------------------------------------------

/** pydevd warns about frozen stdlib modules on Python ≥ 3.11 in every process; the warning is noise here. */
const PYDEVD_ENV = { PYDEVD_DISABLE_FILE_VALIDATION: '1' };

function planPython(
  argv: readonly string[],
  launcher: Launcher,
  target: DebugTarget,
  env: Readonly<Record<string, string>>,
): PlanResult {
  const pyEnv = env.PYDEVD_DISABLE_FILE_VALIDATION === undefined ? PYDEVD_ENV : {};
  const host = listenHostFor(target.runtime);
  const debugpyArgs = (port: number) => [
    '-m',
    'debugpy',
    '--listen',
    formatListenAddress(host, port),
    ...(target.wait ? ['--wait-for-client'] : []),
  ];

  if (launcher.style === 'python-script') {
    const edit: Edit = {
      index: launcher.index,
      remove: 1,
      insert: ['python3', ...debugpyArgs(target.port), '-m', launcher.module!],
    };
    return { edits: [edit], env: pyEnv, listenPort: target.port, already: false, interpreter: 'python3', warnings: [] };
  }

  // python [interpreter options] (-m module | -c code | script | -) args…
  let j = launcher.index + 1;
  for (; j < argv.length; j++) {
    const t = argv[j]!;
    if (t === '-W' || t === '-X' || t === '--check-hash-based-pycs') {
      j++;
      continue;
    }
    if (t === '-m' || (t.startsWith('-m') && !t.startsWith('--'))) break;
    if (t === '-' || !t.startsWith('-') || (t.startsWith('-c') && !t.startsWith('--'))) break;
  }
  const moduleName = argv[j] === '-m' ? argv[j + 1] : argv[j]?.startsWith('-m') ? argv[j]!.slice(2) : undefined;
  if (moduleName === 'debugpy') {
    const first = argv[j] === '-m' ? j + 2 : j + 1;
    return planExistingDebugpy(argv, first, target, pyEnv);
  }
  if (argv[j] === undefined) return { error: 'the Python command runs no program (an interactive interpreter)' };
  if (argv[j] === '-') return { error: 'debugpy cannot run a program read from standard input (`python -`)' };
  return {
    edits: [{ index: j, remove: 0, insert: debugpyArgs(target.port) }],
    env: pyEnv,
    listenPort: target.port,
    already: false,
    interpreter: argv[launcher.index]!,
    warnings: [],
  };
}

/** `python -m debugpy …` already: keep it, fixing only a listen host that is wrong for the runtime. */
function planExistingDebugpy(
  argv: readonly string[],
  first: number,
  target: DebugTarget,
  env: Record<string, string>,
): PlanResult {
  for (let k = first; k < argv.length; k++) {
    const t = argv[k]!;
    if (t === '--connect' || t.startsWith('--connect=')) {
      return {
        error:
          'the command runs `debugpy --connect`: the program dials out to a waiting debugger, so there is no port to publish; use `--listen` (or drop debugpy from the command and let devenv add it)',
      };
    }
    const inline = t.startsWith('--listen=');
    if (t !== '--listen' && !inline) {
      if (!t.startsWith('-') || t === '-m' || t === '-c') break; // the program: debugpy's own options are over
      continue;
    }
    const valueIndex = inline ? k : k + 1;
    const value = inline ? t.slice('--listen='.length) : argv[k + 1];
    const addr = parseListenAddress(value);
    const port = addr.port ?? target.port;
    const fixed = correctedHost(target.runtime, addr.host);
    if (fixed === undefined) return { edits: [], env, listenPort: port, already: true, warnings: [] };
    const replacement = formatListenAddress(fixed, port);
    return {
      edits: [{ index: valueIndex, remove: 1, insert: [inline ? `--listen=${replacement}` : replacement] }],
      env,
      listenPort: port,
      already: true,
      warnings: [
        `the command's debugpy ${hostProblem(target.runtime, addr.host)}: devenv rewrote \`--listen ${value}\` to \`--listen ${replacement}\``,
      ],
    };
  }
  return { error: 'the command runs debugpy without `--listen`' };
}

// ---- Node (inspector) -------------------------------------------------------------------------

const INSPECT_FLAG = /^--inspect(-brk|-wait)?(?:=(.*))?$/;

function planNode(
  argv: readonly string[],
  launcher: Launcher,
  target: DebugTarget,
  env: Readonly<Record<string, string>>,
  context: 'argv' | 'shell',
): PlanResult {
  const host = listenHostFor(target.runtime);
  const flag = (port: number) => `--inspect${target.wait ? '-brk' : ''}=${formatListenAddress(host, port)}`;

  if (launcher.style === 'npm' || launcher.style === 'node-options') {
    // npm/pnpm pass `node-options` to the scripts they run but not to themselves, so the port goes
    // to the program, not to npm; yarn and next only read NODE_OPTIONS.
    const name = launcher.style === 'npm' ? 'npm_config_node_options' : 'NODE_OPTIONS';
    const current = env[name] ?? (launcher.style === 'npm' ? env.NODE_OPTIONS : undefined) ?? '';
    const existing = findInspectInOptions(current);
    if (existing) return fixInspectInEnv(name, current, existing, target);
    const warnings =
      launcher.name === 'yarn'
        ? [
            'yarn reads the inspector flag from NODE_OPTIONS like every Node program, so yarn itself may take the debug port first: write the command as `node …` for a precise attach',
          ]
        : [];
    return {
      edits: [],
      env: { [name]: [current, flag(target.port)].filter(Boolean).join(' ') },
      listenPort: target.port,
      already: false,
      interpreter: 'node',
      warnings,
    };
  }

  // An inspector flag already in the command: node's own options, or anywhere for wrappers that forward.
  const end = launcher.style === 'node' ? nodeOptionsEnd(argv, launcher.index) : argv.length;
  for (let k = launcher.index + 1; k < end; k++) {
    const m = INSPECT_FLAG.exec(argv[k]!);
    if (!m) continue;
    const addr = parseListenAddress(m[2]);
    const port = addr.port ?? 9229;
    const fixed = correctedHost(target.runtime, addr.host);
    if (fixed === undefined) return { edits: [], env: {}, listenPort: port, already: true, warnings: [] };
    const replacement = `--inspect${m[1] ?? ''}=${formatListenAddress(fixed, port)}`;
    return {
      edits: [{ index: k, remove: 1, insert: [replacement] }],
      env: {},
      listenPort: port,
      already: true,
      warnings: [
        `the command's inspector ${hostProblem(target.runtime, addr.host)}: devenv rewrote \`${argv[k]}\` to \`${replacement}\``,
      ],
    };
  }
  const fromOptions = findInspectInOptions(env.NODE_OPTIONS ?? '');
  if (fromOptions) return fixInspectInEnv('NODE_OPTIONS', env.NODE_OPTIONS!, fromOptions, target);

  if (launcher.style === 'node' || launcher.style === 'node-forwarding') {
    return {
      edits: [{ index: launcher.index + 1, remove: 0, insert: [flag(target.port)] }],
      env: {},
      listenPort: target.port,
      already: false,
      interpreter: launcher.style === 'node' ? argv[launcher.index]! : 'node',
      warnings: [],
    };
  }
  // node-bin (vite, ts-node…): the bin runs in its own node process; start that process with the flag.
  const bin = argv[launcher.index]!;
  const insert: Edit['insert'] = bin.includes('/')
    ? ['node', flag(target.port), bin]
    : context === 'shell'
      ? ['node', flag(target.port), { shell: `"$(command -v ${bin})"` }]
      : ['sh', '-c', `exec node ${flag(target.port)} "$(command -v "$0")" "$@"`, bin];
  return {
    edits: [{ index: launcher.index, remove: 1, insert }],
    env: {},
    listenPort: target.port,
    already: false,
    interpreter: 'node',
    warnings: [],
  };
}

/** Node options end at the script (or `-e`/`-p` code, or `--`). Options that take a value skip it. */
function nodeOptionsEnd(argv: readonly string[], index: number): number {
  const withValue = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '--conditions', '-C']);
  for (let k = index + 1; k < argv.length; k++) {
    const t = argv[k]!;
    if (t === '--' || !t.startsWith('-')) return k;
    if (t === '-e' || t === '--eval' || t === '-p' || t === '--print') return k;
    if (withValue.has(t)) k++;
  }
  return argv.length;
}

interface InspectInOptions {
  token: string;
  variant: string;
  addr: ListenAddress;
}

function findInspectInOptions(options: string): InspectInOptions | undefined {
  for (const token of options.split(/\s+/)) {
    const m = INSPECT_FLAG.exec(token);
    if (m) return { token, variant: m[1] ?? '', addr: parseListenAddress(m[2]) };
  }
  return undefined;
}

function fixInspectInEnv(name: string, value: string, found: InspectInOptions, target: DebugTarget): CommandPlan {
  const port = found.addr.port ?? 9229;
  const fixed = correctedHost(target.runtime, found.addr.host);
  if (fixed === undefined) return { edits: [], env: {}, listenPort: port, already: true, warnings: [] };
  const replacement = `--inspect${found.variant}=${formatListenAddress(fixed, port)}`;
  return {
    edits: [],
    env: { [name]: value.replace(found.token, replacement) },
    listenPort: port,
    already: true,
    warnings: [
      `${name}'s inspector ${hostProblem(target.runtime, found.addr.host)}: devenv rewrote \`${found.token}\` to \`${replacement}\``,
    ],
  };
}

/** Apply edits to an argv (`{ shell }` items are not allowed there). */
export function applyEdits(argv: readonly string[], edits: readonly Edit[]): string[] {
  const out = [...argv];
  for (const e of [...edits].sort((a, b) => b.index - a.index)) {
    out.splice(
      e.index,
      e.remove,
      ...e.insert.map((x) => {
        if (typeof x !== 'string') throw new Error('raw shell text in an argv edit');
        return x;
      }),
    );
  }
  return out;
}
