// `devenv config [--json]`: the resolved config (interpolated, merged, defaults applied).

import { ExitCode, formatProblem, UserError } from '@devenv/engine';
import { stringify } from 'yaml';
import { type GlobalOptions, projectContext } from '../context.js';

export async function configCommand(opts: GlobalOptions & { json?: boolean; services?: boolean }): Promise<number> {
  const ctx = projectContext(opts);
  const { checkKeysForRuntime, loadProject, runtimeKindOf } = await import('@devenv/engine/engine');
  const { resolved, warnings, project, keyUses } = await loadProject({
    files: ctx.identity.files,
    projectDir: ctx.identity.projectDir,
    projectName: ctx.identity.name,
    ...(opts.profile?.length ? { profiles: opts.profile } : {}),
  });
  // A runtime named on the command line or in the file: check the keys it refuses, as `up` would.
  const kind = runtimeKindOf(opts.runtime && opts.runtime !== 'auto' ? opts.runtime : project.devenv.runtime);
  const forRuntime = kind ? checkKeysForRuntime(keyUses, { kind }, project.projectDir) : { errors: [], warnings: [] };
  for (const w of [...warnings, ...forRuntime.warnings])
    process.stderr.write(`${formatProblem(w).replace(' error: ', ' warning: ')}\n`);
  if (forRuntime.errors.length > 0)
    throw new UserError(forRuntime.errors, ['fix the problems above, then run the command again']);
  if (opts.services) process.stdout.write(`${Object.keys(project.services).join('\n')}\n`);
  else process.stdout.write(opts.json ? `${JSON.stringify(resolved, null, 2)}\n` : stringify(resolved));
  return ExitCode.ok;
}
