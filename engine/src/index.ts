// Public surface of the engine package: the model and the error types, nothing heavy (the CLI
// loads this on every start). The config loader and the engine are in `@devenv/engine/engine`;
// what clients need to reach a daemon is in `@devenv/engine/protocol`.

export * from './errors.js';
export * from './model/critical-path.js';
export * from './model/events.js';
export * from './model/spec.js';
export * from './model/status.js';
export * from './model/timeline.js';
export * from './model/timeline-fixture.js';
export type * from './runtime-interface/runtime.js';
export * from './shared/read-bounded.js';
export { shellQuote } from './shared/shell-words.js';
