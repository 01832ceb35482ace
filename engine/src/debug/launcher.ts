// Which program a command line really runs, and whether it is one devenv knows how to debug.
// Wrappers (env, tini, gosu, entrypoint scripts that exec their arguments) are looked through.

import type { DebugKind } from '../model/spec.js';

export type LauncherStyle =
  /** python, python3, python3.11, /venv/bin/python: debugpy goes between interpreter options and the program. */
  | 'python'
  /** uvicorn, celery, …: run as `python3 -m debugpy … -m <module>`. */
  | 'python-script'
  /** node, nodejs: `--inspect=…` right after the interpreter. */
  | 'node'
  /** nodemon, tsx: forward node flags to the program they run, so `--inspect=…` goes right after them. */
  | 'node-forwarding'
  /** vite, ts-node, webpack: run the program in their own process, so `node --inspect=… <bin>`. */
  | 'node-bin'
  /** npm, npx, pnpm: `npm_config_node_options` reaches the scripts they run and not npm itself. */
  | 'npm'
  /** yarn, next: only NODE_OPTIONS reaches them (next documents it; yarn itself is inspected too). */
  | 'node-options';

export interface Launcher {
  kind: DebugKind;
  style: LauncherStyle;
  /** Index of the program in the argv. */
  index: number;
  /** The program's basename, e.g. `uvicorn`. */
  name: string;
  /** For python-script: the module to run with `-m`. */
  module?: string;
  /** A one-shot job (alembic, `npm ci`): inferred without `wait`, and not inferred at all for installers. */
  oneShot: boolean;
}

const PYTHON_INTERPRETER = /^python(\d+(\.\d+)*)?$/;
/** Console scripts that are thin wrappers around `python -m <module>`. */
const PYTHON_SCRIPTS: Record<string, string> = {
  uvicorn: 'uvicorn',
  gunicorn: 'gunicorn',
  celery: 'celery',
  flask: 'flask',
  alembic: 'alembic',
  hypercorn: 'hypercorn',
  daphne: 'daphne',
  'django-admin': 'django',
};
const PYTHON_ONE_SHOT = new Set(['alembic']);

const NODE_INTERPRETERS = new Set(['node', 'nodejs']);
const NODE_FORWARDING = new Set(['nodemon', 'tsx']);
const NODE_BINS = new Set(['vite', 'ts-node', 'webpack', 'webpack-dev-server']);
const NPM_LIKE = new Set(['npm', 'npx', 'pnpm']);
const NODE_OPTIONS_ONLY = new Set(['yarn', 'next']);
/** Package-manager subcommands that install rather than run: never a service worth debugging. */
const INSTALL_SUBCOMMANDS = new Set(['ci', 'install', 'i', 'add', 'update', 'prune', 'rebuild', 'audit']);

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh']);

export function basename(token: string): string {
  const slash = token.lastIndexOf('/');
  return slash < 0 ? token : token.slice(slash + 1);
}

/** The index of the program a command line runs, looking through wrappers; undefined when none is left. */
export function programIndex(argv: readonly string[], start = 0): number | undefined {
  let i = start;
  while (i < argv.length) {
    const token = argv[i]!;
    const name = basename(token);
    if (name === 'env') {
      i++;
      while (i < argv.length && (argv[i]!.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i]!))) {
        i += ['-u', '--unset', '-C', '--chdir'].includes(argv[i]!) ? 2 : 1;
      }
      continue;
    }
    if (name === 'tini' || name === 'tini-static' || name === 'dumb-init' || name === 'catatonit') {
      i++;
      while (i < argv.length && argv[i]!.startsWith('-')) {
        if (argv[i++] === '--') break;
      }
      continue;
    }
    if (name === 'gosu' || name === 'su-exec') {
      i += 2;
      continue;
    }
    if (token === 'exec' || token === 'nohup' || token === '--') {
      i++;
      continue;
    }
    // An entrypoint script (`docker-entrypoint.sh node app.js`) is assumed to exec its arguments.
    if (/entrypoint/.test(name) || (name.endsWith('.sh') && !SHELLS.has(name))) {
      i++;
      continue;
    }
    return i;
  }
  return undefined;
}

/** The program at `index`, when it is a Python or Node launcher devenv can inject into. */
export function launcherAt(argv: readonly string[], index: number): Launcher | undefined {
  const token = argv[index];
  if (token === undefined) return undefined;
  const name = basename(token);
  if (PYTHON_INTERPRETER.test(name)) {
    const module = moduleOf(argv, index);
    return {
      kind: 'python',
      style: 'python',
      index,
      name,
      oneShot: module !== undefined && PYTHON_ONE_SHOT.has(module),
    };
  }
  const module = PYTHON_SCRIPTS[name];
  if (module)
    return { kind: 'python', style: 'python-script', index, name, module, oneShot: PYTHON_ONE_SHOT.has(name) };
  if (NODE_INTERPRETERS.has(name)) return { kind: 'node', style: 'node', index, name, oneShot: false };
  if (NODE_FORWARDING.has(name)) return { kind: 'node', style: 'node-forwarding', index, name, oneShot: false };
  if (NODE_BINS.has(name)) return { kind: 'node', style: 'node-bin', index, name, oneShot: false };
  const sub = argv[index + 1];
  const installs = sub !== undefined && INSTALL_SUBCOMMANDS.has(sub);
  if (NPM_LIKE.has(name)) return { kind: 'node', style: 'npm', index, name, oneShot: installs };
  if (NODE_OPTIONS_ONLY.has(name)) return { kind: 'node', style: 'node-options', index, name, oneShot: installs };
  return undefined;
}

/** `python -m X …` → X (for one-shot detection); undefined for scripts and `-c`. */
function moduleOf(argv: readonly string[], index: number): string | undefined {
  for (let j = index + 1; j < argv.length; j++) {
    const t = argv[j]!;
    if (t === '-m') return argv[j + 1];
    if (t.startsWith('-m') && !t.startsWith('--')) return t.slice(2);
    if (t === '-W' || t === '-X' || t === '--check-hash-based-pycs') {
      j++;
      continue;
    }
    if (!t.startsWith('-') || t === '-' || t.startsWith('-c')) return undefined;
  }
  return undefined;
}

/** `sh -c 'script' …` at the program position: the index of the script argument. */
export function shellScriptIndex(argv: readonly string[], index: number): number | undefined {
  if (!SHELLS.has(basename(argv[index] ?? ''))) return undefined;
  for (let j = index + 1; j < argv.length; j++) {
    const t = argv[j]!;
    if (!t.startsWith('-')) return undefined;
    // -c, -ec, -lc, -xec …: the script is the first operand after the options.
    if (/^-[a-z]*c[a-z]*$/.test(t)) return j + 1 < argv.length ? j + 1 : undefined;
  }
  return undefined;
}
