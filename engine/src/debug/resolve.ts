// Which services get a debugger: `x-devenv.debug` when written, otherwise inferred from the
// command the Compose file (or `x-devenv.process.command`) gives. A service that runs its
// image's default command is never inferred: nothing in the file says what it runs, and
// databases, caches and proxies are exactly those services.

import type { DebugKind, RuntimeKind, ServiceSpec } from '../model/spec.js';
import { type Launcher, launcherAt, programIndex, shellScriptIndex } from './launcher.js';
import { assignmentCount, type ScriptWord, scriptCommands } from './shell-script.js';

export const DEFAULT_DEBUG_PORT: Record<DebugKind, number> = { python: 5678, node: 9229 };

export interface ResolvedDebug {
  type: DebugKind;
  /** Port the debugger listens on inside a container (ignored by the process runtime). */
  port: number;
  /** Fixed host port from `host_port`. */
  hostPort?: number;
  wait: boolean;
  /** True when no `x-devenv.debug` was written and the command decided. */
  inferred: boolean;
}

/** `oneShots`: infer for one-shot steps too (a migration, an installer), for `devenv debug SERVICE`. */
export function resolveDebugSpec(
  service: ServiceSpec,
  runtime: RuntimeKind,
  opts: { oneShots?: boolean } = {},
): ResolvedDebug | undefined {
  const debug = service.devenv.debug;
  if (debug === false) return undefined;
  if (debug) {
    return {
      type: debug.type,
      port: debug.port ?? DEFAULT_DEBUG_PORT[debug.type],
      ...(debug.hostPort !== undefined ? { hostPort: debug.hostPort } : {}),
      wait: debug.wait,
      inferred: false,
    };
  }
  const argv = declaredCommand(service, runtime);
  if (!argv || argv.length === 0) return undefined;
  const found = findLauncher(argv);
  // One-shot steps are not inferred: installers (`npm ci`) are nobody's program, and a migration
  // (alembic) sits on the critical path of every `up`, where debugpy would double its start-up.
  // Write `debug: { type: python, wait: true }` to debug one.
  if (!found || (found.launcher.oneShot && !opts.oneShots)) return undefined;
  return { type: found.launcher.kind, port: DEFAULT_DEBUG_PORT[found.launcher.kind], wait: false, inferred: true };
}

/** The command as the config file writes it: the process command, or Compose entrypoint + command. */
export function declaredCommand(service: ServiceSpec, runtime: RuntimeKind): string[] | undefined {
  if (runtime === 'process') return service.devenv.process?.command;
  if (!service.entrypoint && !service.command) return undefined;
  return [...(service.entrypoint ?? []), ...(service.command ?? [])];
}

export interface FoundLauncher {
  launcher: Launcher;
  /** Set when the program is inside a `sh -c` script: the script's index in the argv and its command's words. */
  script?: { argIndex: number; words: ScriptWord[] };
}

/**
 * The program to debug: at the program position (through wrappers), or else the last command of a
 * `sh -c` script that runs one (of `kind`, when given).
 */
export function findLauncher(argv: readonly string[], kind?: DebugKind): FoundLauncher | undefined {
  const at = programIndex(argv);
  if (at === undefined) return undefined;
  const direct = launcherAt(argv, at);
  if (direct && (!kind || direct.kind === kind)) return { launcher: direct };
  const scriptIndex = shellScriptIndex(argv, at);
  if (scriptIndex === undefined) return undefined;
  const commands = scriptCommands(argv[scriptIndex]!);
  for (let c = commands.length - 1; c >= 0; c--) {
    const words = commands[c]!;
    const offset = assignmentCount(words);
    const values = words.slice(offset).map((w) => w.value);
    const idx = programIndex(values);
    if (idx === undefined) continue;
    const launcher = launcherAt(values, idx);
    if (launcher && (!kind || launcher.kind === kind)) {
      return { launcher, script: { argIndex: scriptIndex, words: words.slice(offset) } };
    }
  }
  return undefined;
}
