// The spec an instance is created from, and its hash: the config's spec rewritten to run under
// the fork reloader, then under its debugger (which wraps the reloader and follows its forks),
// and only then hashed, so the same inputs give the same hash and a second `up` keeps it.

import { type DebugPlan, injectPlanned } from '../debug/index.js';
import type { ProjectSpec, ServiceSpec } from '../model/spec.js';
import { specHash } from '../model/spec-hash.js';
import type { DebugEndpoint } from '../model/status.js';
import { planForkReload } from '../reload/fork-reload.js';
import type { Artifact, Runtime } from '../runtime/runtime.js';

export interface InstanceSpec {
  spec: ServiceSpec;
  hash: string;
  /** Lines for the service's log: what the reloader and the debugger injection did, or why not. */
  notes: string[];
  debug?: DebugEndpoint;
}

export function instanceSpec(
  spec: ServiceSpec,
  ctx: { runtime: Runtime; project: ProjectSpec; artifact: Artifact | undefined; debugPlan: DebugPlan },
): InstanceSpec {
  const { runtime, project, artifact } = ctx;
  const reload = planForkReload(spec, { runtime: runtime.kind, image: artifact?.config });
  const debug = injectPlanned(ctx.debugPlan, reload.service, artifact?.config);
  const hash = specHash({ runtime: runtime.kind, spec: runtime.hashInput(debug.service, project, artifact) });
  const notes = [...(reload.note ? [reload.note] : []), ...debug.notes];
  return { spec: debug.service, hash, notes, ...(debug.endpoint ? { debug: debug.endpoint } : {}) };
}
