// Every devenv command a message suggests ("`devenv down` stops it", "run `devenv up` first")
// must run as printed, where it is printed. This module is the one place that makes it so:
//  - the same project selection the user typed (-f …, --project-dir, -p, --profile, --runtime),
//    so `devenv -f a.yaml -f b.yaml up` suggests `devenv -f a.yaml -f b.yaml down`;
//  - the same devenv: `devenv` when that name on PATH is this very CLI, `npx devenv` inside a
//    project that has it in node_modules/.bin, else `node /path/to/bin/devenv.js`;
//  - under an npm script (npm run up), where npm changed directory first, relative paths are
//    rewritten for the directory the user ran npm in (INIT_CWD), where they read the message.
// The engine and daemon write their suggestions plainly (`devenv logs`); the CLI, the TUI and the
// language server pass every text they show through `withCommands`.

import { existsSync, realpathSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type EngineEvent, shellQuote } from '@devenv/engine';
import type { ErrorData } from '@devenv/engine/protocol';
import { ResponseError } from 'vscode-jsonrpc';

export interface HintSelection {
  file?: string[];
  projectDir?: string;
  projectName?: string;
  profile?: string[];
  runtime?: string;
}

export interface HintSetting {
  selection: HintSelection;
  /** Where the CLI runs (relative paths in the selection are relative to it). */
  cwd: string;
  env: Record<string, string | undefined>;
  /** This CLI's bin/devenv.js. */
  bin: string;
}

/** Commands that take no project selection, or only some of it. */
const NO_SELECTION = new Set(['lsp', 'daemon', 'ls', 'help', 'version']);
const DIR_ONLY = new Set(['init']);

const defaultBin = () => join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'devenv.js');

let setting: HintSetting | undefined;
let invocationCache: string | undefined;

/** Called once per process with the global options the user gave (main.ts, the language server). */
export function configureHints(selection: HintSelection, more: Partial<Omit<HintSetting, 'selection'>> = {}): void {
  setting = { selection, cwd: more.cwd ?? process.cwd(), env: more.env ?? process.env, bin: more.bin ?? defaultBin() };
  invocationCache = undefined;
}

function current(): HintSetting {
  setting ??= { selection: {}, cwd: process.cwd(), env: process.env, bin: defaultBin() };
  return setting;
}

/** The directory where the person reading the message types: npm's INIT_CWD under an npm script. */
function readerDir(s: HintSetting): string {
  const init = s.env.INIT_CWD;
  return init && s.env.npm_lifecycle_event && isAbsolute(init) ? init : s.cwd;
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** How the reader starts this CLI from their directory (see the header). */
export function invocation(s: HintSetting = current()): string {
  if (s === setting && invocationCache) return invocationCache;
  let found: string | undefined;
  // npm puts node_modules/.bin on PATH only while its scripts run: not where the reader types.
  for (const dir of (s.env.PATH ?? '').split(delimiter)) {
    if (!dir || /node_modules[/\\]\.bin$/.test(dir)) continue;
    const candidate = join(dir, 'devenv');
    if (existsSync(candidate)) {
      if (sameFile(candidate, s.bin)) found = 'devenv';
      break;
    }
  }
  if (!found) {
    for (let dir = readerDir(s); ; dir = dirname(dir)) {
      if (sameFile(join(dir, 'node_modules', '.bin', 'devenv'), s.bin)) {
        found = 'npx devenv';
        break;
      }
      if (dirname(dir) === dir) break;
    }
  }
  found ??= `node ${shellQuote(s.bin)}`;
  if (s === setting) invocationCache = found;
  return found;
}

/** The selection as arguments, paths made right for the reader's directory. */
export function selectionArgs(command: string | undefined, s: HintSetting = current()): string[] {
  if (command && NO_SELECTION.has(command)) return [];
  const reader = readerDir(s);
  const path = (p: string) => {
    if (isAbsolute(p) || reader === s.cwd) return p;
    const rel = relative(reader, resolve(s.cwd, p));
    return rel === '' ? '.' : rel;
  };
  const sel = s.selection;
  const args: string[] = [];
  if (sel.projectDir) args.push('--project-dir', path(sel.projectDir));
  if (command && DIR_ONLY.has(command)) return args;
  for (const f of sel.file ?? []) args.push('-f', path(f));
  if (sel.projectName) args.push('-p', sel.projectName);
  for (const p of sel.profile ?? []) args.push('--profile', p);
  if (sel.runtime && sel.runtime !== 'auto') args.push('--runtime', sel.runtime);
  return args;
}

/** `devenv <args>` as the reader runs it, e.g. devenvCommand('down') → `devenv -f a.yaml down`. */
export function devenvCommand(...args: string[]): string {
  const s = current();
  return [invocation(s), ...[...selectionArgs(args[0], s), ...args].map(shellQuote)].join(' ');
}

/** The commands main.ts defines: a word after `devenv` that is none of these is prose, not a command. */
const COMMANDS = new Set([
  'up',
  'down',
  'status',
  'ps',
  'ls',
  'logs',
  'config',
  'init',
  'restart',
  'rebuild',
  'debug',
  'debug-info',
  'timeline',
  'ci',
  'argocd',
  'reset',
  'doctor',
  'shutdown',
  'lsp',
  'daemon',
  'version',
  'help',
]);

/**
 * Rewrites every devenv command in a message: each `devenv …` in backquotes, and a message that
 * is itself a command (a next step such as "devenv doctor"). Other text is left as it is.
 */
export function withCommands(text: string): string {
  if (!text.includes('devenv')) return text;
  const whole = /^devenv((?: [^\n]*)?)$/.exec(text);
  if (whole) return rewrite(whole[1]!) ?? text;
  return text.replace(/`devenv((?: [^`]*)?)`/g, (m, rest: string) => {
    const done = rewrite(rest);
    return done === undefined ? m : `\`${done}\``;
  });
}

/** Global options that take a value, by the name selectionArgs writes them with. */
const VALUE_OPTIONS: Record<string, string> = {
  '-f': '-f',
  '--file': '-f',
  '-p': '-p',
  '--project-name': '-p',
  '--project-dir': '--project-dir',
  '--profile': '--profile',
  '--runtime': '--runtime',
};

/** `rest` is what follows "devenv" (empty, or a space and arguments); undefined when it is not a command. */
function rewrite(rest: string): string | undefined {
  // A hint may put global options before its command (`devenv --runtime docker up`): those it
  // names win over the user's, the rest of the user's selection is added.
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const given = new Set<string>();
  let i = 0;
  while (i < words.length && words[i]!.startsWith('-')) {
    const name = VALUE_OPTIONS[words[i]!];
    if (name) given.add(name);
    i += name ? 2 : 1;
  }
  const first = words[i] ?? '';
  const command = /^[a-z]/.test(first) ? first : undefined;
  if (command !== undefined && !COMMANDS.has(command)) return undefined;
  const s = current();
  const selection: string[] = [];
  const all = command === undefined ? [] : selectionArgs(command, s);
  for (let j = 0; j < all.length; j += 2) {
    if (!given.has(all[j]!)) selection.push(all[j]!, shellQuote(all[j + 1]!));
  }
  return [invocation(s), ...selection].join(' ') + rest;
}

/** An engine event with every text it carries passed through `withCommands` (renderers, TUI, language server). */
export function eventWithCommands(e: EngineEvent): EngineEvent {
  switch (e.kind) {
    case 'log':
      return e.stream === 'system' ? { ...e, line: withCommands(e.line) } : e;
    case 'diagnostic':
      return { ...e, message: withCommands(e.message), ...(e.hint ? { hint: withCommands(e.hint) } : {}) };
    case 'progress':
    case 'project':
      return e.message ? { ...e, message: withCommands(e.message) } : e;
    case 'status':
      return e.status.message ? { ...e, status: { ...e.status, message: withCommands(e.status.message) } } : e;
    case 'span':
      return e.message ? { ...e, message: withCommands(e.message) } : e;
    case 'cluster':
    case 'sync':
      return e;
  }
}

/** A daemon's error answer with its message, hints and next steps passed through `withCommands`. */
export function errorWithCommands(err: unknown): unknown {
  if (!(err instanceof ResponseError)) return err;
  const data = err.data as ErrorData | undefined;
  const rewritten: ErrorData | undefined = data && {
    ...data,
    ...(data.hint ? { hint: withCommands(data.hint) } : {}),
    ...(data.nextSteps ? { nextSteps: data.nextSteps.map(withCommands) } : {}),
    ...(data.problems
      ? {
          problems: data.problems.map((p) => ({
            ...p,
            message: withCommands(p.message),
            ...(p.hint ? { hint: withCommands(p.hint) } : {}),
          })),
        }
      : {}),
  };
  return new ResponseError(err.code, withCommands(err.message), rewritten);
}
