// With nothing running, the runtime knows no services; the config does. The Services view
// should list them (as stopped) before the first F5, so the relay adds every service the
// config defines and the status lacks.

import type { ProjectSpec, ProjectStatus } from '@devenv/engine';

export function withConfiguredServices(status: ProjectStatus, project: ProjectSpec | undefined): ProjectStatus {
  if (!project) return status;
  const known = new Set(status.services.map((s) => s.name));
  const missing = Object.keys(project.services).filter((name) => !known.has(name));
  if (missing.length === 0) return status;
  return {
    ...status,
    services: [
      ...status.services,
      ...missing.map((name) => ({
        name,
        state: 'stopped' as const,
        health: 'none' as const,
        ports: [],
        restartCount: 0,
      })),
    ],
  };
}
