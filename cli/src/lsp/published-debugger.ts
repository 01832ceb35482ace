// A debugger the Compose file starts and publishes itself (`python -m debugpy --listen
// 0.0.0.0:5678 …` with `5678` in `ports`, or `node --inspect=0.0.0.0:9229 …`) is as
// attachable as one the engine injects. When the engine reports no debug endpoint for a
// service, the relay derives one from its published ports and its sync rules, so F5 attaches
// either way. An endpoint the engine reports always wins.

import { dirname } from 'node:path';
import type { DebugEndpoint, DebugKind, ProjectSpec, ProjectStatus, ServiceSpec, ServiceStatus } from '@devenv/engine';

/** Ports the debuggers listen on by default (debugpy's docs and Node's `--inspect`). */
export const DEFAULT_DEBUG_PORTS: Record<DebugKind, number> = { python: 5678, node: 9229 };

export type IsFile = (path: string) => boolean;

export function withPublishedDebugger(
  status: ServiceStatus,
  spec: ServiceSpec | undefined,
  isFile: IsFile,
): ServiceStatus {
  if (status.debug || !spec || spec.devenv.debug === false) return status;
  const declared = spec.devenv.debug;
  const kinds: DebugKind[] = declared ? [declared.type] : ['python', 'node'];
  for (const type of kinds) {
    const port = declared?.type === type && declared.port ? declared.port : DEFAULT_DEBUG_PORTS[type];
    const published = status.ports.find((p) => p.containerPort === port && p.protocol === 'tcp');
    if (!published) continue;
    const debug: DebugEndpoint = {
      type,
      protocol: type === 'python' ? 'dap' : 'cdp',
      // A port published on every address is reached on loopback.
      hostIp: published.hostIp === '0.0.0.0' || published.hostIp === '' ? '127.0.0.1' : published.hostIp,
      hostPort: published.hostPort,
      pathMappings: syncPathMappings(spec, isFile),
    };
    return { ...status, debug };
  }
  return status;
}

export function projectWithPublishedDebuggers(
  status: ProjectStatus,
  project: ProjectSpec | undefined,
  isFile: IsFile,
): ProjectStatus {
  if (!project) return status;
  return {
    ...status,
    services: status.services.map((s) => withPublishedDebugger(s, project.services[s.name], isFile)),
  };
}

/**
 * Local ↔ container directories from the service's `develop.watch` sync rules: what is synced
 * is what a breakpoint is set in. A rule for a single file maps its directory.
 */
export function syncPathMappings(spec: ServiceSpec, isFile: IsFile): DebugEndpoint['pathMappings'] {
  const mappings: DebugEndpoint['pathMappings'] = [];
  for (const rule of spec.develop?.watch ?? []) {
    if (!rule.action.startsWith('sync') || !rule.target) continue;
    const file = isFile(rule.path);
    const mapping = {
      localRoot: file ? dirname(rule.path) : rule.path,
      remoteRoot: file ? dirname(rule.target) : rule.target,
    };
    if (!mappings.some((m) => m.localRoot === mapping.localRoot && m.remoteRoot === mapping.remoteRoot)) {
      mappings.push(mapping);
    }
  }
  return mappings;
}
