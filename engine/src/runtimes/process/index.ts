// The process runtime's public surface: the runtime, and what `devenv doctor` asks of it.
export { findMissingBinaries, installHint, type MissingBinary } from './binaries.js';
export { isLoopback } from './listening-sockets.js';
export { ProcessRuntime, type ProcessRuntimeOptions } from './process-runtime.js';
