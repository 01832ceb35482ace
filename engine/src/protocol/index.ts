// What clients (CLI, TUI, VS Code extension) import to talk to a daemon: the typed protocol,
// addressing (which project, which socket) and connecting. Nothing heavy, nothing UI.
export * from './client.js';
export * from './config-variables.js';
export * from './environment-registry.js';
export * from './project-identity.js';
export * from './protocol.js';
export * from './socket-trust.js';
export * from './timeline-file.js';
