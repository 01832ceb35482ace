// `devenv debug-info [--vscode] [--json]`: where each service's debugger listens (always on
// 127.0.0.1) and how local files map to the service's; with --vscode, attach configurations
// for .vscode/launch.json.

import { ExitCode } from '@devenv/engine';
import { environmentContext, type GlobalOptions } from '../context.js';
import { currentStatus } from '../local-engine.js';
import { withCommands } from '../output/hints.js';

export async function debugInfoCommand(opts: GlobalOptions & { vscode?: boolean; json?: boolean }): Promise<number> {
  const ctx = environmentContext(opts, 'debug-info');
  const { debugInfo, vscodeLaunchConfigs } = await import('@devenv/engine/engine');
  const status = await currentStatus(ctx, ctx.runtime);
  const rows = debugInfo(status);
  if (opts.vscode) {
    process.stdout.write(`${JSON.stringify(vscodeLaunchConfigs(rows, { workspaceFolder: process.cwd() }), null, 2)}\n`);
    return ExitCode.ok;
  }
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    return ExitCode.ok;
  }
  const absent = status.services.filter((s) => !s.debug && s.debugAbsent);
  for (const s of absent) {
    const a = s.debugAbsent!;
    const fix = withCommands(a.fix);
    process.stdout.write(
      a.kind === 'unavailable'
        ? `${s.name}: ${a.type} debugger unavailable: ${a.reason}\n  fix: ${fix}\n`
        : `${s.name}: ${a.type} debugger on request: ${a.reason}\n  attach: ${fix}\n`,
    );
  }
  if (rows.length === 0) {
    if (absent.length === 0)
      process.stdout.write(withCommands('no service runs under a debugger (is the environment up? `devenv up`)\n'));
    return ExitCode.ok;
  }
  const cwd = `${process.cwd()}/`;
  for (const r of rows) {
    const how = r.protocol === 'dap' ? 'Debug Adapter Protocol (debugpy)' : 'Chrome DevTools Protocol (node --inspect)';
    process.stdout.write(`${r.service}: ${r.type} at ${r.host}:${r.port}, ${how}\n`);
    for (const m of r.pathMappings) {
      process.stdout.write(
        `  ${m.localRoot.startsWith(cwd) ? m.localRoot.slice(cwd.length) : m.localRoot} → ${m.remoteRoot}\n`,
      );
    }
  }
  process.stdout.write(
    withCommands('\n`devenv debug-info --vscode` prints attach configurations for .vscode/launch.json\n'),
  );
  return ExitCode.ok;
}
