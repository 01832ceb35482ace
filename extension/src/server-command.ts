// Which `devenv` the extension runs as its language server (and so which daemon it starts), and
// why. In order:
//  1. the `devenv.path` setting (a .js entry runs under the editor's Node; anything else is executed);
//  2. the workspace's own: this repository's cli/bin/devenv.js, or node_modules/.bin/devenv of a
//     project that has devenv as a dependency (the version the project pinned);
//  3. `devenv` on PATH, if it speaks the daemon protocol this extension speaks (`devenv version
//     --json`); PATH is the extension host's, which VS Code takes from the login shell;
//  4. the devenv bundled inside the extension (dist/devenv), so F5 works with nothing installed.

import { isAbsolute, join } from 'node:path';

export type ServerCommand =
  | { kind: 'node'; script: string; args: string[] }
  | { kind: 'exec'; command: string; args: string[] };

export interface ServerChoice {
  command: ServerCommand;
  source: 'setting' | 'workspace' | 'path' | 'bundled';
  /** One line for the output channel: which one runs and why the ones before it did not. */
  why: string;
}

export interface Lookup {
  exists(path: string): boolean;
  /** Absolute path of an executable on PATH, if any. */
  which(name: string): string | undefined;
  /** The real file behind a path (symlinks resolved); the path itself when it cannot be resolved. */
  realpath(path: string): string;
  /** The daemon protocol a devenv speaks (`devenv version --json`); undefined when it cannot say. */
  protocolOf(command: ServerCommand): Promise<number | undefined>;
}

const WORKSPACE_ENTRIES = ['cli/bin/devenv.js', 'node_modules/.bin/devenv'];

/** A .js entry (or a link to one, as npm makes in .bin) runs under Node: no `node` on PATH needed. */
function commandFor(path: string, lookup: Lookup, args: string[]): ServerCommand {
  const target = lookup.realpath(path);
  return /\.[cm]?js$/.test(target) ? { kind: 'node', script: target, args } : { kind: 'exec', command: path, args };
}

export async function chooseServer(
  setting: string | undefined,
  folder: string | undefined,
  lookup: Lookup,
  bundled: { script: string; protocol: number } | undefined,
): Promise<ServerChoice | undefined> {
  // The language client appends `--stdio` itself.
  const args = ['lsp'];
  const configured = setting?.trim();
  if (configured) {
    const path = isAbsolute(configured) || !folder ? configured : join(folder, configured);
    const target = lookup.exists(path) ? path : (lookup.which(configured) ?? path);
    return {
      command: commandFor(target, lookup, args),
      source: 'setting',
      why: `the devenv.path setting (${configured})`,
    };
  }
  if (folder) {
    for (const entry of WORKSPACE_ENTRIES) {
      const path = join(folder, entry);
      if (lookup.exists(path)) {
        return {
          command: commandFor(path, lookup, args),
          source: 'workspace',
          why: `the workspace's own devenv (${entry})`,
        };
      }
    }
  }
  const skipped: string[] = [];
  const onPath = lookup.which('devenv');
  if (onPath) {
    const command = commandFor(onPath, lookup, args);
    const protocol = await lookup.protocolOf(command);
    if (bundled === undefined || protocol === bundled.protocol) {
      return { command, source: 'path', why: `devenv on PATH (${onPath}, protocol ${protocol ?? 'unknown'})` };
    }
    skipped.push(
      protocol === undefined
        ? `devenv on PATH (${onPath}) does not say which protocol it speaks (older than \`devenv version --json\`)`
        : `devenv on PATH (${onPath}) speaks protocol ${protocol}, this extension ${bundled.protocol}`,
    );
  } else {
    skipped.push('no devenv in the workspace or on PATH');
  }
  if (!bundled || !lookup.exists(bundled.script)) return undefined;
  return {
    command: { kind: 'node', script: bundled.script, args },
    source: 'bundled',
    why: `the devenv bundled with this extension (${skipped.join('; ')})`,
  };
}

/**
 * The same `devenv`, as a shell command line for a terminal (Open TUI). A .js entry runs under
 * the editor's own runtime (`node`: the editor host's), so no Node on the terminal's PATH is needed.
 */
export function terminalCommandLine(
  command: ServerCommand,
  args: string[],
  host: { execPath: string; electron: boolean } = { execPath: 'node', electron: false },
): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const runtime = host.electron ? ['ELECTRON_RUN_AS_NODE=1', quote(host.execPath)] : [quote(host.execPath)];
  const head = command.kind === 'node' ? [...runtime, quote(command.script)] : [quote(command.command)];
  return [...head, ...args.map(quote)].join(' ');
}
