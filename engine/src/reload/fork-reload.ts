// The fork reloader: `uvicorn APP … --reload` rewritten to run under devenv's reloader
// (engine/agent/devenv-reload.py), which keeps the libraries imported in one process and forks a
// server per change instead of starting a new interpreter. Pure and deterministic like debugger
// injection (its result is hashed); applied before it, so the debugger wraps the reloader.
// `x-devenv.reload: native` keeps uvicorn's own reloader.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyEdits, type Edit } from '../debug/command-plan.js';
import { basename } from '../debug/launcher.js';
import { findLauncher } from '../debug/resolve.js';
import { entrypointGrowth, rewriteServiceCommand } from '../debug/service-command.js';
import { applyScriptEdits } from '../debug/shell-script.js';
import type { RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { ImageDefaults } from '../runtime/runtime.js';

/** engine/ (this file is engine/src/reload/*.ts or engine/dist/reload/*.js). */
const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RELOADER_PATH = path.join(engineDir, 'agent', 'devenv-reload.py');
export const RELOADER_ENV = 'DEVENV_RELOADER';

/**
 * What `python3 -c` runs: the reloader from the environment (popped, so the server's own children
 * do not carry it), or plain uvicorn when the variable is missing (the command run by hand).
 */
export const RELOADER_BOOT = `import os,sys;s=os.environ.pop('${RELOADER_ENV}',None);exec(compile(s,'<devenv-reload>','exec')) if s else os.execv(sys.executable,[sys.executable,'-m','uvicorn']+sys.argv[1:])`;

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

/** Run the service's `uvicorn … --reload` under the fork reloader, when it has one and may. */
export function planForkReload(service: ServiceSpec, opts: ForkReloadOptions): ForkReloadPlan {
  if (service.devenv.reload === 'native') return { service };
  const platform = opts.platform ?? process.platform;
  const rewritten = rewriteServiceCommand(
    service,
    opts.runtime,
    opts.image,
    (argv, boundary) => {
      const found = findLauncher(argv, 'python');
      if (!found) return { skipped: 'no python program' };
      if (found.script) {
        const words = found.script.words.map((w) => w.value);
        const edits = uvicornEdits(words, found.launcher.index, found.launcher.style);
        if (!edits) return { skipped: 'no uvicorn --reload' };
        const out = [...argv];
        out[found.script.argIndex] = applyScriptEdits(argv[found.script.argIndex]!, found.script.words, edits);
        return { argv: out, entrypointDelta: 0, env: { [RELOADER_ENV]: opts.source ?? reloaderSource() } };
      }
      const edits = uvicornEdits(argv, found.launcher.index, found.launcher.style);
      if (!edits) return { skipped: 'no uvicorn --reload' };
      const out = applyEdits(argv, edits);
      return {
        argv: out,
        entrypointDelta: entrypointGrowth(edits, boundary, found.launcher.index < boundary),
        env: { [RELOADER_ENV]: opts.source ?? reloaderSource() },
      };
    },
    'run under the fork reloader',
  );
  if ('skipped' in rewritten) return { service };
  if (opts.runtime === 'kubernetes') {
    // The Kubernetes runtime renders its workloads from the project (the GitOps overlay), not from this spec.
    return { service, note: "reload: uvicorn's own reloader (the Kubernetes overlay does not run the fork reloader)" };
  }
  if (opts.runtime === 'process' && platform !== 'linux') {
    return {
      service,
      note: `reload: uvicorn's own reloader (devenv's fork reloader needs Linux's inotify; this host is ${platform})`,
    };
  }
  return {
    service: rewritten.service,
    note: "reload: devenv's fork reloader (libraries stay imported; a change forks a new server process). `x-devenv.reload: native` runs uvicorn's own",
  };
}

/**
 * The edits that turn uvicorn at `index` into `python3 -c BOOT`, keeping every argument; undefined
 * when the program is not uvicorn or runs without `--reload`.
 */
function uvicornEdits(argv: readonly string[], index: number, style: string): Edit[] | undefined {
  if (style === 'python-script') {
    if (basename(argv[index]!) !== 'uvicorn' || !argv.slice(index + 1).includes('--reload')) return undefined;
    // The console script's own interpreter sits beside it (a virtualenv's bin, /usr/local/bin).
    const token = argv[index]!;
    const python = token.includes('/') ? `${token.slice(0, token.lastIndexOf('/'))}/python3` : 'python3';
    return [{ index, remove: 1, insert: [python, '-c', RELOADER_BOOT] }];
  }
  // python [interpreter options] -m uvicorn args…
  for (let j = index + 1; j < argv.length; j++) {
    const t = argv[j]!;
    if (t === '-W' || t === '-X' || t === '--check-hash-based-pycs') {
      j++;
      continue;
    }
    const module = t === '-m' ? argv[j + 1] : t.startsWith('-m') && !t.startsWith('--') ? t.slice(2) : undefined;
    if (module !== undefined) {
      const width = t === '-m' ? 2 : 1;
      if (module !== 'uvicorn' || !argv.slice(j + width).includes('--reload')) return undefined;
      return [{ index: j, remove: width, insert: ['-c', RELOADER_BOOT] }];
    }
    if (!t.startsWith('-') || t === '-' || t.startsWith('-c')) return undefined;
  }
  return undefined;
}
