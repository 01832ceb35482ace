// A service as `up` runs it, for every runtime: the fork reloader, then the debugger wrapped
// around it (the debugger follows the reloader's forks). Used by the engine before it hashes a
// spec, and by `up --dry-run`, so the plan shows what `up` would run.

import { type DebugPlan, injectPlanned } from '../debug/index.js';
import type { RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { DebugEndpoint } from '../model/status.js';
import { planForkReload } from '../reload/fork-reload.js';
import type { ImageDefaults } from '../runtime/runtime.js';

export interface PreparedService {
  service: ServiceSpec;
  endpoint?: DebugEndpoint;
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
    notes: [...(reload.note ? [reload.note] : []), ...debug.notes],
  };
}
