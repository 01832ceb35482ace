// Live file sync: watcher, sessions, the agent channel. Docker's transport is a separate entry
// (`@devenv/engine/sync/docker`, docker-transport.ts) so that nothing else loads dockerode.
export * from './agent-binary.js';
export * from './agent-channel.js';
export * from './fake-transport.js';
export * from './framing.js';
export * from './host-tree.js';
export * from './ignore.js';
export * from './paths.js';
export * from './pending.js';
export * from './project-sync.js';
export * from './session.js';
export * from './transport.js';
export * from './tree-diff.js';
export * from './watcher.js';
