// The fork reloader: the Python dev servers that reload (`uvicorn … --reload`, Flask's `flask run`
// in debug mode or with `--reload`, Django's `manage.py runserver`) rewritten to run under
// devenv's reloader (engine/agent/devenv-reload.py), which keeps the libraries imported in one
// process and forks a server per change instead of starting a new interpreter. The command keeps
// every word: `-c BOOT` goes before its program (`python3 -c BOOT -m flask …`). Pure and
// deterministic like debugger injection (its result is hashed); applied before it, so the
// debugger wraps the reloader. `x-devenv.reload: native` keeps the server's own reloader.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdits, type Edit } from '../debug/command-plan.js';
import { basename } from '../debug/launcher.js';
import { findLauncher } from '../debug/resolve.js';
import { entrypointGrowth, rewriteServiceCommand } from '../debug/service-command.js';
import { applyScriptEdits } from '../debug/shell-script.js';
import type { RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { ImageDefaults } from '../runtime-interface/runtime.js';

/** engine/ (this file is engine/src/reload/*.ts or engine/dist/reload/*.js). */
const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RELOADER_PATH = path.join(engineDir, 'agent', 'devenv-reload.py');
export const RELOADER_ENV = 'DEVENV_RELOADER';

/**
 * What `python3 -c` runs: the reloader from the environment (popped, so the server's own children
 * do not carry it), or the command as written when the variable is missing (run by hand): its
 * arguments are the original command after the interpreter (`-m uvicorn …`, `manage.py …`).
 */
export const RELOADER_BOOT = `import os,sys;s=os.environ.pop('${RELOADER_ENV}',None);exec(compile(s,'<devenv-reload>','exec')) if s else os.execv(sys.executable,[sys.executable]+sys.argv[1:])`;

let source: string | undefined;
function reloaderSource(): string {
  source ??= readFileSync(RELOADER_PATH, 'utf8');
  return source;
}

export interface ForkReloadOptions {
  runtime: RuntimeKind;
  image?: ImageDefaults | undefined;
  /** The host's platform, for the process runtime (inotify is Linux's). */
  platform?: NodeJS.Platform;
  /** The reloader's text (tests); read from engine/agent/devenv-reload.py otherwise. */
  source?: string;
}

export interface ForkReloadPlan {
  /** The service to run: rewritten, or the original. */
  service: ServiceSpec;
  /** A line for the service's log when the reloader applies, or why it does not. */
  note?: string;
}

/** Run the service's reloading dev server under the fork reloader, when it has one and may. */
export function planForkReload(service: ServiceSpec, opts: ForkReloadOptions): ForkReloadPlan {
  if (service.devenv.reload === 'native') return { service };
  const platform = opts.platform ?? process.platform;
  const env = opts.runtime === 'process' ? (service.devenv.process?.env ?? {}) : service.environment;
  let server = '';
  const rewritten = rewriteServiceCommand(
    service,
    opts.runtime,
    opts.image,
    (argv, boundary) => {
      const found = findLauncher(argv, 'python');
      if (!found) return { skipped: 'no python program' };
      const words = found.script ? found.script.words.map((w) => w.value) : argv;
      const planned = reloaderEdits(words, found.launcher.index, found.launcher.style, env);
      if (!planned) return { skipped: 'no reloading dev server' };
      server = planned.server;
      const reloaderEnv = { [RELOADER_ENV]: opts.source ?? reloaderSource() };
      if (found.script) {
        const out = [...argv];
        out[found.script.argIndex] = applyScriptEdits(argv[found.script.argIndex]!, found.script.words, planned.edits);
        return { argv: out, entrypointDelta: 0, env: reloaderEnv };
      }
      return {
        argv: applyEdits(argv, planned.edits),
        entrypointDelta: entrypointGrowth(planned.edits, boundary, found.launcher.index < boundary),
        env: reloaderEnv,
      };
    },
    'run under the fork reloader',
  );
  if ('skipped' in rewritten) return { service };
  if (opts.runtime === 'kubernetes') {
    // The Kubernetes runtime renders its workloads from the project (the GitOps overlay), not from this spec.
    return {
      service,
      note: `reload: ${server}'s own reloader (the Kubernetes overlay does not run the fork reloader)`,
    };
  }
  if (opts.runtime === 'process' && platform !== 'linux') {
    return {
      service,
      note: `reload: ${server}'s own reloader (devenv's fork reloader needs Linux's inotify; this host is ${platform})`,
    };
  }
  return {
    service: rewritten.service,
    note: `reload: devenv's fork reloader for ${server} (libraries stay imported; a change forks a new server process). \`x-devenv.reload: native\` runs ${server}'s own`,
  };
}

/** The server modules the reloader runs, by the console script that starts each. */
const SCRIPT_MODULES: Record<string, string> = { uvicorn: 'uvicorn', flask: 'flask', 'django-admin': 'django' };
const SERVER_NAMES: Record<string, string> = { uvicorn: 'uvicorn', flask: 'Flask', django: 'Django' };

/**
 * The edits that put `-c BOOT` before the program at `index` (a console script becomes `python3
 * -c BOOT -m <module>`), keeping every argument; undefined when it is not a dev server that
 * reloads: uvicorn with `--reload`, `flask … run` in debug mode or with `--reload`, Django's
 * `runserver` without `--noreload`.
 */
function reloaderEdits(
  argv: readonly string[],
  index: number,
  style: string,
  env: Readonly<Record<string, string>>,
): { edits: Edit[]; server: string } | undefined {
  if (style === 'python-script') {
    const token = argv[index]!;
    const module = SCRIPT_MODULES[basename(token)];
    if (!module || !reloads(module, argv.slice(index + 1), env)) return undefined;
    // The console script's own interpreter sits beside it (a virtualenv's bin, /usr/local/bin).
    const python = token.includes('/') ? `${token.slice(0, token.lastIndexOf('/'))}/python3` : 'python3';
    return {
      edits: [{ index, remove: 1, insert: [python, '-c', RELOADER_BOOT, '-m', module] }],
      server: SERVER_NAMES[module]!,
    };
  }
  // python [interpreter options] (-m module | manage.py) args…
  for (let j = index + 1; j < argv.length; j++) {
    const t = argv[j]!;
    if (t === '-W' || t === '-X' || t === '--check-hash-based-pycs') {
      j++;
      continue;
    }
    const module = t === '-m' ? argv[j + 1] : t.startsWith('-m') && !t.startsWith('--') ? t.slice(2) : undefined;
    if (module !== undefined) {
      const width = t === '-m' ? 2 : 1;
      if (!SERVER_NAMES[module] || !reloads(module, argv.slice(j + width), env)) return undefined;
      return {
        edits: [{ index: j, remove: width, insert: ['-c', RELOADER_BOOT, '-m', module] }],
        server: SERVER_NAMES[module]!,
      };
    }
    if (t === '-' || t.startsWith('-c')) return undefined;
    if (!t.startsWith('-')) {
      // A script: Django's manage.py.
      if (basename(t) !== 'manage.py' || !reloads('django', argv.slice(j + 1), env)) return undefined;
      return { edits: [{ index: j, remove: 0, insert: ['-c', RELOADER_BOOT] }], server: 'Django' };
    }
  }
  return undefined;
}

/** Whether the server's own reloader is on for these arguments (and environment). */
function reloads(module: string, args: readonly string[], env: Readonly<Record<string, string>>): boolean {
  if (module === 'uvicorn') return args.includes('--reload');
  if (module === 'django') return args[0] === 'runserver' && !args.includes('--noreload');
  if (module !== 'flask') return false;
  // flask [--app X] [--debug] run [--debug] [--reload|--no-reload] …: the reloader follows debug mode.
  const truthy = (v: string | undefined) =>
    v !== undefined && v !== '' && !['0', 'false', 'no'].includes(v.toLowerCase());
  let debug = truthy(env.FLASK_DEBUG);
  let i = 0;
  for (; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--debug') debug = true;
    else if (a === '--no-debug') debug = false;
    else if (['--app', '-A', '--env-file', '-e'].includes(a)) i++;
    else if (!a.startsWith('-')) break;
  }
  if (args[i] !== 'run') return false;
  let reload: boolean | undefined;
  for (const a of args.slice(i + 1)) {
    if (a === '--reload') reload = true;
    else if (a === '--no-reload') reload = false;
    else if (a === '--debug') debug = true;
    else if (a === '--no-debug') debug = false;
  }
  return reload ?? debug;
}
