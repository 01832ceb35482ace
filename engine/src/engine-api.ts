// The in-process engine, for the daemon and for commands that work without one
// (`devenv status`/`logs`/`down` when no daemon runs, `devenv config`). Heavy: import lazily.
export * from './config/index.js';
export { Daemon } from './daemon/daemon.js';
export { type DebugInfo, debugInfo, vscodeLaunchConfigs } from './debug/launch-configs.js';
export { type Finding, type FindingStatus, runDoctor } from './doctor/doctor.js';
export { Engine, type UpOptions, type UpResult } from './engine/engine.js';
export * from './init/index.js';
export { type KubernetesDryRunOptions, kubernetesDryRun } from './kubernetes-dry-run.js';
export {
  parseRuntimeChoice,
  type RuntimeChoice,
  selectRuntime,
  servicesStateDirOf,
} from './runtimes/select-runtime.js';
