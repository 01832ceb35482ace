// The config loader: Compose files (the spec, unchanged) plus `x-devenv`, to a ProjectSpec.
export { ConfigCode, type ConfigCodeValue } from './codes.js';
export { setSchemaCacheFile } from './compose-schema.js';
export type { ConfigFs } from './config-fs.js';
export type { ConfigDiagnostic } from './diagnostics.js';
export { durationHint, parseDuration } from './durations.js';
export { CONFIG_FILE_NAMES, findConfigFile } from './find-config-file.js';
export { checkKeysForRuntime, type KeyUse, type RuntimeTarget, runtimeKindOf } from './key-uses.js';
export { type LoadOptions, type LoadResult, loadProject } from './load-project.js';
export { activeServices } from './profiles.js';
export { validateDocument } from './validate-document.js';
