// `devenv config [--json]`: the resolved config (interpolated, merged, defaults applied).

import { ExitCode, formatProblem } from '@devenv/engine';
import { stringify } from 'yaml';
import { type GlobalOptions, projectContext } from '../context.js';

export async function configCommand(opts: GlobalOptions & { json?: boolean; services?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const { loadProject } = await import('@devenv/engine/engine');
  const { resolved, warnings, project } = await loadProject({
    files: ctx.identity.files,
    projectDir: ctx.identity.projectDir,
    projectName: ctx.identity.name,
    ...(opts.profile?.length ? { profiles: opts.profile } : {}),
  });
  for (const w of warnings) process.stderr.write(`${formatProblem(w).replace(' error: ', ' warning: ')}\n`);
  if (opts.services) process.stdout.write(`${Object.keys(project.services).join('\n')}\n`);
  else process.stdout.write(opts.json ? `${JSON.stringify(resolved, null, 2)}\n` : stringify(resolved));
  return ExitCode.ok;
}
