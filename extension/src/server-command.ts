// Which `devenv` the extension runs as its language server: the project's own, so the server,
// the daemon it starts and the CLI in the terminal are one version.
//  1. the `devenv.path` setting (a .js entry runs under node; anything else is executed);
//  2. the workspace's own CLI: cli/bin/devenv.js (this repository) or node_modules/devenv;
//  3. `devenv` on PATH.

import { isAbsolute, join } from 'node:path';

export type ServerCommand =
  | { kind: 'node'; script: string; args: string[] }
  | { kind: 'exec'; command: string; args: string[] };

export interface Lookup {
  exists(path: string): boolean;
  /** Absolute path of an executable on PATH, if any. */
  which(name: string): string | undefined;
}

const WORKSPACE_ENTRIES = ['cli/bin/devenv.js', 'node_modules/devenv/bin/devenv.js'];

export function serverCommand(
  setting: string | undefined,
  folder: string | undefined,
  lookup: Lookup,
): ServerCommand | undefined {
  // The language client appends `--stdio` itself.
  const args = ['lsp'];
  const configured = setting?.trim();
  if (configured) {
    const path = isAbsolute(configured) || !folder ? configured : join(folder, configured);
    const target = lookup.exists(path) ? path : (lookup.which(configured) ?? path);
    return /\.[cm]?js$/.test(target) ? { kind: 'node', script: target, args } : { kind: 'exec', command: target, args };
  }
  if (folder) {
    for (const entry of WORKSPACE_ENTRIES) {
      const script = join(folder, entry);
      if (lookup.exists(script)) return { kind: 'node', script, args };
    }
  }
  const onPath = lookup.which('devenv');
  return onPath ? { kind: 'exec', command: onPath, args } : undefined;
}

/** The same `devenv`, as a shell command line for a terminal (Open TUI). */
export function terminalCommandLine(command: ServerCommand, args: string[]): string {
  const quote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const head = command.kind === 'node' ? ['node', command.script] : [command.command];
  return [...head, ...args].map(quote).join(' ');
}
