import type { ProjectSpec, ProjectStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { withConfiguredServices } from './configured-services.js';

const project = { services: { db: {}, web: {} } } as unknown as ProjectSpec;
const base: ProjectStatus = { project: 'p', projectDir: '/w', runtime: 'docker', phase: 'idle', services: [] };

describe('withConfiguredServices', () => {
  it('lists the services of the config as stopped when the runtime knows none', () => {
    expect(withConfiguredServices(base, project).services.map((s) => [s.name, s.state])).toEqual([
      ['db', 'stopped'],
      ['web', 'stopped'],
    ]);
  });

  it('keeps what the runtime reports and adds only what is missing', () => {
    const running = { name: 'db', state: 'healthy' as const, health: 'healthy' as const, ports: [], restartCount: 0 };
    const out = withConfiguredServices({ ...base, services: [running] }, project);
    expect(out.services).toEqual([
      running,
      { name: 'web', state: 'stopped', health: 'none', ports: [], restartCount: 0 },
    ]);
    expect(withConfiguredServices(base, undefined)).toBe(base);
  });
});
