// The process runtime's public surface: the runtime, and what `devenv doctor` asks of it.

export { isLoopback } from '../../platform/host-processes.js';
export { findMissingBinaries, installHint, type MissingBinary } from './binaries.js';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.js';
