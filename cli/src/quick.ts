// The one command a person (or a script, or a shell prompt) runs many times a minute — `devenv
// status` while a daemon runs — without loading the full CLI. esbuild bundles this file into
// cli/dist/quick.cjs (cli/bundle.mjs): one file to parse instead of ~45 modules to resolve, read
// and link, which is most of what `status` cost on top of Node's own start.
//
// It takes only the plain spellings the full CLI documents. Anything else (help, an unknown flag,
// a second command, no project, no daemon, any error) returns undefined and bin/devenv.js runs
// the full CLI, which answers the same question the slow way and reports errors the one way.

import { Methods } from '@devenv/engine/protocol';
import { environmentContext, findDaemon, type GlobalOptions } from './context.js';
import { formatStatus } from './output/status-table.js';

const RUNTIMES = new Set(['auto', 'docker', 'process', 'kind', 'k3d']);

interface QuickArgs {
  globals: GlobalOptions;
  command: 'status';
  json: boolean;
}

/** The arguments of `devenv [global options] status|ps [--json]`, or undefined for anything else. */
export function parseQuickArgs(argv: string[]): QuickArgs | undefined {
  const globals: GlobalOptions = {};
  let command: 'status' | undefined;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i] as string;
    let value: string | undefined;
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    if (eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const takeValue = (): string | undefined => {
      if (value !== undefined) return value;
      const next = argv[i + 1];
      if (next === undefined || next.startsWith('-')) return undefined;
      i++;
      return next;
    };
    if (command) {
      if (arg === '--json' && value === undefined) json = true;
      else return undefined;
      continue;
    }
    switch (arg) {
      case 'status':
      case 'ps':
        if (value !== undefined) return undefined;
        command = 'status';
        break;
      case '-f':
      case '--file':
      case '--profile': {
        const v = takeValue();
        if (v === undefined) return undefined;
        const key = arg === '--profile' ? 'profile' : 'file';
        globals[key] = [...(globals[key] ?? []), v];
        break;
      }
      case '--project-dir': {
        const v = takeValue();
        if (v === undefined) return undefined;
        globals.projectDir = v;
        break;
      }
      case '-p':
      case '--project-name': {
        const v = takeValue();
        if (v === undefined) return undefined;
        globals.projectName = v;
        break;
      }
      case '--runtime': {
        const v = takeValue();
        if (v === undefined || !RUNTIMES.has(v)) return undefined;
        globals.runtime = v;
        break;
      }
      default:
        return undefined;
    }
  }
  return command ? { globals, command, json } : undefined;
}

/** Answer from a running daemon: the exit code, or undefined when the full CLI must take over. */
export async function quick(argv: string[]): Promise<number | undefined> {
  const args = parseQuickArgs(argv);
  if (!args) return undefined;
  try {
    const daemon = await findDaemon(environmentContext(args.globals, 'status'));
    if (!daemon) return undefined;
    try {
      const status = await daemon.connection.sendRequest(Methods.status);
      process.stdout.write(formatStatus(status, args.json));
    } finally {
      daemon.close();
    }
    return 0;
  } catch {
    return undefined;
  }
}
