// Public surface of the engine package. UIs (CLI, TUI, extension) import from here or from
// `@devenv/engine/protocol`; nothing here imports UI code.

export * from './config/index.js';
export * from './errors.js';
export * from './model/events.js';
export * from './model/spec.js';
export * from './model/status.js';
export type * from './runtime/runtime.js';
