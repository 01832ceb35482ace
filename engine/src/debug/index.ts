// Debugger injection: every Python (debugpy) and Node (--inspect) service starts under its
// debugger, with its port on 127.0.0.1 only. See docs/debugging.md.

export {
  awaitedJobs,
  type DebugPlan,
  dockerfileWorkdirOf,
  injectPlanned,
  type ObservedDebugInstance,
  observedAbsence,
  observedEndpoint,
  type PlanDebugOptions,
  type PlannedInjection,
  planDebug,
  requestedDebug,
} from './debug-plan.js';
export { allocateDebugPorts, type DebugPortRequest, isPortFree } from './debug-ports.js';
export { type DebugProblem, diagnoseDebugFailure } from './diagnose.js';
export {
  type ImageDefaults,
  type InjectionPlan,
  type InjectOptions,
  type InjectResult,
  injectDebugger,
  planInjection,
} from './inject.js';
export {
  askInterpreter,
  checkArgv,
  type InterpreterFacts,
  injectChecked,
  parseCheck,
  unavailable,
} from './interpreter-check.js';
export {
  type DebugInfo,
  debugInfo,
  type LaunchJson,
  type LaunchOptions,
  vscodeLaunchConfigs,
} from './launch-configs.js';
export { debugPathMappings, dockerfileWorkdir, type PathMapping } from './path-mappings.js';
export { type ProbeResult, probeDebugger, waitForDebugger } from './probe.js';
export { DEFAULT_DEBUG_PORT, type ResolvedDebug, resolveDebugSpec } from './resolve.js';
