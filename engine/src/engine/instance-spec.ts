// The spec an instance is created from, and its hash: the config's spec rewritten to run under
// the fork reloader, then under its debugger (which wraps the reloader and follows its forks),
// and only then hashed, so the same inputs give the same hash and a second `up` keeps it.

import type { DebugPlan } from '../debug/index.js';
import type { ProjectSpec, ServiceSpec } from '../model/spec.js';
import { specHash } from '../model/spec-hash.js';
import type { DebugAbsence, DebugEndpoint } from '../model/status.js';
import type { Artifact, Runtime } from '../runtime-interface/runtime.js';
import { prepareChecked } from './prepare-service.js';

export interface InstanceSpec {
  spec: ServiceSpec;
  hash: string;
  /** Lines for the service's log: what the reloader and the debugger injection did, or why not. */
  notes: string[];
  debug?: DebugEndpoint;
  /** Why it runs without the debugger it could have had (on request, or its interpreter lacks one). */
  debugAbsent?: DebugAbsence;
}

export async function instanceSpec(
  spec: ServiceSpec,
  ctx: { runtime: Runtime; project: ProjectSpec; artifact: Artifact | undefined; debugPlan: DebugPlan },
): Promise<InstanceSpec> {
  const { runtime, project, artifact } = ctx;
  const prepared = await prepareChecked(spec, { runtime, project, artifact, debugPlan: ctx.debugPlan });
  const hash = specHash({ runtime: runtime.kind, spec: runtime.hashInput(prepared.service, project, artifact) });
  return {
    spec: prepared.service,
    hash,
    notes: prepared.notes,
    ...(prepared.endpoint ? { debug: prepared.endpoint } : {}),
    ...(prepared.absent ? { debugAbsent: prepared.absent } : {}),
  };
}
