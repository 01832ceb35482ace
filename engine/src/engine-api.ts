// The in-process engine, for the daemon and for commands that work without one
// (`devenv status`/`logs`/`down` when no daemon runs, `devenv config`). Heavy: import lazily.
export * from './config/index.js';
export { Daemon } from './daemon/daemon.js';
export { type DebugInfo, debugInfo, vscodeLaunchConfigs } from './debug/launch-configs.js';
export { type Finding, type FindingStatus, runDoctor } from './doctor/doctor.js';
export { Engine, type UpOptions, type UpResult } from './engine/engine.js';
export * from './init/index.js';
export { type KubernetesDryRunOptions, kubernetesDryRun } from './kubernetes-dry-run.js';
/** An up's timeline as an OTLP/JSON request (the OpenTelemetry SDK loads only when this is called). */
export async function otlpJsonOf(timeline: import('./model/timeline.js').Timeline): Promise<string> {
  return (await import('./telemetry/otlp-spans.js')).otlpJson(timeline, process.env);
}
export {
  parseRuntimeChoice,
  type RuntimeChoice,
  selectRuntime,
  servicesStateDirOf,
} from './runtimes/select-runtime.js';
