// A service as `up` runs it, for every runtime: the fork reloader, then the debugger wrapped
// around it (the debugger follows the reloader's forks). `prepareService` is the plan alone, for
// `up --dry-run`, so the plan shows what `up` would run; `prepareChecked` is what `up` does:
// the same, and an inferred debugger the service's interpreter cannot run is left out (with why
// and the fix) instead of failing the service (debug/interpreter-check.ts).

import { type DebugPlan, injectChecked, injectPlanned } from '../debug/index.js';
import type { ProjectSpec, RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { DebugAbsence, DebugEndpoint } from '../model/status.js';
import { planForkReload } from '../reload/fork-reload.js';
import type { Artifact, ImageDefaults, Runtime } from '../runtime-interface/runtime.js';

export interface PreparedService {
  service: ServiceSpec;
  endpoint?: DebugEndpoint;
  /** Why a service that could be debugged runs without a debugger (on request, or unavailable). */
  absent?: DebugAbsence;
  /** Lines for the service's log: the reloader's choice, the debugger's address or why it has none. */
  notes: string[];
}

export function prepareService(
  spec: ServiceSpec,
  opts: { runtime: RuntimeKind; debugPlan: DebugPlan; image?: ImageDefaults | undefined },
): PreparedService {
  const reload = planForkReload(spec, { runtime: opts.runtime, image: opts.image });
  const debug = injectPlanned(opts.debugPlan, reload.service, opts.image);
  return {
    service: debug.service,
    ...(debug.endpoint ? { endpoint: debug.endpoint } : {}),
    ...(debug.absent ? { absent: debug.absent } : {}),
    notes: [...(reload.note ? [reload.note] : []), ...debug.notes],
  };
}

export async function prepareChecked(
  spec: ServiceSpec,
  ctx: { runtime: Runtime; project: ProjectSpec; debugPlan: DebugPlan; artifact: Artifact | undefined },
): Promise<PreparedService> {
  const image = ctx.artifact?.config;
  const reload = planForkReload(spec, { runtime: ctx.runtime.kind, image });
  const debug = await injectChecked(ctx.debugPlan, reload.service, {
    runtime: ctx.runtime,
    project: ctx.project,
    artifact: ctx.artifact,
  });
  return {
    service: debug.service,
    ...(debug.endpoint ? { endpoint: debug.endpoint } : {}),
    ...(debug.absent ? { absent: debug.absent } : {}),
    notes: [...(reload.note ? [reload.note] : []), ...debug.notes],
  };
}
