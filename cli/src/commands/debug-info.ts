// `devenv debug-info [--vscode] [--json]`: where each service's debugger listens (always on
// 127.0.0.1) and how local files map to the service's; with --vscode, attach configurations
// for .vscode/launch.json.

import { ExitCode, type ProjectStatus } from '@devenv/engine';
import { Methods } from '@devenv/engine/protocol';
import { findDaemon, type GlobalOptions, projectContext } from '../context.js';
import { localEngine } from '../local-engine.js';

export async function debugInfoCommand(opts: GlobalOptions & { vscode?: boolean; json?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const { debugInfo, vscodeLaunchConfigs } = await import('@devenv/engine/engine');
  let status: ProjectStatus;
  const daemon = await findDaemon(ctx);
  if (daemon) {
    status = await daemon.connection.sendRequest(Methods.status);
    daemon.close();
  } else {
    const { engine, project } = await localEngine(ctx, opts.runtime ?? 'auto');
    status = await engine.attach(project, { watch: false });
    await engine.close();
  }
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
    process.stdout.write(
      a.kind === 'unavailable'
        ? `${s.name}: ${a.type} debugger unavailable: ${a.reason}\n  fix: ${a.fix}\n`
        : `${s.name}: ${a.type} debugger on request: ${a.reason}\n  attach: ${a.fix}\n`,
    );
  }
  if (rows.length === 0) {
    if (absent.length === 0)
      process.stdout.write('no service runs under a debugger (is the environment up? `devenv up`)\n');
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
  process.stdout.write('\n`devenv debug-info --vscode` prints attach configurations for .vscode/launch.json\n');
  return ExitCode.ok;
}
