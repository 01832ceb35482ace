// `devenv doctor` on the process runtime as root: where the services' state (DEVENV_STATE_DIR)
// will live, and what devenv hands over to a service user who cannot reach the project.

import type { ProjectSpec } from '../model/spec.js';
import { unreachableFor } from '../runtimes/process/handover.js';
import { isRoot, resolveRunAs } from '../runtimes/process/run-as.js';
import { firstBlockedUser, placeServicesState } from '../runtimes/process/services-state-dir.js';
import type { Finding } from './doctor.js';

const check = 'services state';

export async function servicesState(project: ProjectSpec, stateDir: string, explicit: boolean): Promise<Finding[]> {
  let placed: Awaited<ReturnType<typeof placeServicesState>>;
  try {
    placed = await placeServicesState({ project, stateDir, explicit, dryRun: true });
  } catch (err) {
    return [{ check, status: 'fail', detail: err instanceof Error ? err.message : String(err) }];
  }
  const out: Finding[] = [];
  if (placed.moved) {
    out.push({
      check,
      status: 'info',
      detail: `${placed.moved.reason}: devenv keeps the services' state (DEVENV_STATE_DIR) in ${placed.dir} (0711, each service's data 0700 and its user's); records and logs stay in ${stateDir}`,
    });
  } else {
    const blocked = explicit && isRoot() ? await firstBlockedUser(project, placed.dir) : undefined;
    out.push(
      blocked
        ? {
            check,
            status: 'fail',
            detail: `${blocked.service} runs as ${blocked.user.name}, who cannot enter ${blocked.path} on the way to DEVENV_STATE_DIR=${placed.dir} (set by you)`,
            fix: `chmod o+x ${blocked.path}, or unset DEVENV_STATE_DIR so devenv chooses a directory ${blocked.user.name} can reach`,
          }
        : { check, status: 'ok', detail: `the services' state (DEVENV_STATE_DIR): ${placed.dir}` },
    );
  }
  if (!isRoot()) return out;
  for (const svc of Object.values(project.services)) {
    const proc = svc.devenv.process;
    if (!proc?.user) continue;
    const who = await resolveRunAs(proc.user, svc.name).catch(() => undefined);
    if (!who || who.uid === 0) continue;
    const found = await unreachableFor(proc, who, placed.dir).catch(() => undefined);
    if (!found) continue;
    // Data in the project's state directory is given to the user, never copied.
    const need = { ...found, paths: found.paths.filter((p) => !p.startsWith(`${stateDir}/`)) };
    if (need.paths.length === 0 && !need.cwd) continue;
    const what = [
      need.paths.length > 0
        ? `copies ${need.paths.join(', ')} into ${placed.dir}/.devenv-files/${svc.name} at each start`
        : '',
      need.cwd ? `runs it in that directory instead of ${proc.cwd}` : '',
    ].filter(Boolean);
    out.push({
      check,
      status: 'info',
      detail: `${svc.name} runs as ${who.name}, who cannot reach ${need.paths.length > 0 ? 'files it names' : proc.cwd}: devenv ${what.join(' and ')}`,
    });
  }
  return out;
}
