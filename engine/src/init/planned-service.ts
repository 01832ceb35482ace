// What `devenv init` plans before it writes anything: one PlannedService per Compose service
// (its Compose keys and its `x-devenv` part), and the ComposePlan that holds them all.

import type { BackingKind, Evidence, NodeFramework } from './findings.js';

export type ServiceKind =
  | 'fastapi'
  | 'django'
  | 'flask'
  | 'celery'
  | 'alembic'
  | 'django-migrate'
  | NodeFramework
  | BackingKind;

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeHealthcheck {
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  start_period?: string;
}

export interface WatchRule {
  path: string;
  action: 'sync' | 'rebuild' | 'sync+restart';
  target?: string;
  ignore?: string[];
}

export type ProcessProbeSection =
  | { type: 'http'; url: string }
  | { type: 'tcp'; port: number }
  | { type: 'command'; command: string };

export interface ProcessSection {
  user?: string;
  init?: { command: string | string[]; creates: string };
  command: string | string[];
  cwd: string;
  env?: Record<string, string>;
  healthcheck?: ProcessProbeSection;
}

export interface PlannedService {
  name: string;
  kind: ServiceKind;
  evidence: Evidence[];
  /** Comment lines written above the service. */
  comments: string[];
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  dependsOn?: Record<string, DependsCondition>;
  healthcheck?: ComposeHealthcheck;
  stopSignal?: string;
  restart: 'no' | 'unless-stopped';
  watch?: WatchRule[];
  url?: string;
  debug: 'python' | 'node' | false;
  /** How devenv's process runtime runs it; none for servers that only run in a container. */
  process?: ProcessSection;
  /** Runs only as a local process: no image, no Dockerfile. */
  processOnly: boolean;
}

/** A service built from an app folder: it always has a process form. */
export type AppService = PlannedService & { process: ProcessSection };

export interface ComposePlan {
  services: PlannedService[];
  volumes: string[];
  /** `x-devenv.runtime: process` when a service has no image to run in Docker. */
  runtime?: 'process';
  notes: string[];
}
