// `devenv doctor [--json]`: check everything `up` needs and say how to fix what is missing.
// Exit 1 when a check fails (something the user must fix), 0 otherwise.

import { ExitCode, type ProjectStatus } from '@devenv/engine';
import { Methods } from '@devenv/engine/protocol';
import { findDaemon, type GlobalOptions, projectContext } from '../context.js';
import { localEngine } from '../local-engine.js';
import { withCommands } from '../output/hints.js';

const marks = { ok: '✓', info: '·', warn: '!', fail: '✗' } as const;

export async function doctorCommand(opts: GlobalOptions & { json?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const { runDoctor, parseRuntimeChoice } = await import('@devenv/engine/engine');
  const { engine, project } = await localEngine(ctx, 'process');
  // What runs already: its ports are this environment's own, not conflicts.
  let status: ProjectStatus | undefined;
  const daemon = await findDaemon(ctx);
  if (daemon) {
    status = await daemon.connection.sendRequest(Methods.status);
    daemon.close();
  }
  await engine.close();
  const ownPorts = new Map<number, string>();
  for (const s of status?.services ?? []) for (const p of s.ports) ownPorts.set(p.hostPort, s.name);
  const findings = await runDoctor({
    project,
    identity: ctx.identity,
    runtime: parseRuntimeChoice(opts.runtime ?? project.devenv.runtime ?? 'auto'),
    ownPorts,
  });
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(findings, null, 2)}\n`);
  } else {
    for (const f of findings) {
      process.stdout.write(`${marks[f.status]} ${f.check.padEnd(16)} ${f.detail}\n`);
      if (f.fix && f.status !== 'ok') process.stdout.write(`  ${''.padEnd(16)} fix: ${f.fix}\n`);
    }
    const failed = findings.filter((f) => f.status === 'fail').length;
    process.stdout.write(
      withCommands(failed ? `\n${failed} problem(s) to fix before \`devenv up\`\n` : '\nready for `devenv up`\n'),
    );
  }
  return findings.some((f) => f.status === 'fail') ? ExitCode.userError : ExitCode.ok;
}
