// `devenv init`: detect a repository's services and write compose.yaml and the "Run Both"
// launch configuration (docs/init.md).
export { renderCompose } from './compose-document.js';
export { detect, foundNothing } from './detect.js';
export type * from './findings.js';
export {
  COMPOSE_FILE,
  DETECTED_KINDS,
  type InitFile,
  type InitOptions,
  type InitResult,
  initProject,
  LAUNCH_FILE,
} from './init-project.js';
export { type LaunchResult, mergeLaunchJson, RUN_BOTH } from './launch-json.js';
export { type ComposePlan, type PlannedService, planServices, type ServiceKind } from './plan-services.js';
export { memoryRepo, type RepoFiles, scanRepo } from './repo-files.js';
