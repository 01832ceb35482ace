import type { ProjectStatus, ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { statusBarText } from './status-text.js';

function svc(name: string, state: ServiceStatus['state'], over: Partial<ServiceStatus> = {}): ServiceStatus {
  return { name, state, health: 'none', ports: [], restartCount: 0, instanceId: `${name}-1`, ...over };
}

function project(services: ServiceStatus[], phase: ProjectStatus['phase'] = 'running'): ProjectStatus {
  return { project: 'ref', projectDir: '/w', runtime: 'docker', phase, services };
}

const reference = [
  svc('postgres', 'healthy', { health: 'healthy' }),
  svc('redis', 'healthy', { health: 'healthy' }),
  svc('migrate', 'completed'),
  svc('backend', 'healthy', { health: 'healthy' }),
  svc('worker', 'healthy', { health: 'healthy' }),
  svc('frontend', 'healthy', { health: 'healthy' }),
];

describe('statusBarText', () => {
  it('counts long-running services, not the finished one-shot: 5/5 healthy', () => {
    const t = statusBarText(project(reference), 'ready');
    expect(t.text).toBe('$(pass) devenv: 5/5 healthy');
    expect(t.level).toBe('ok');
    expect(t.tooltip).toContain('migrate: completed');
  });

  it('a running service without a healthcheck counts as healthy; one whose check is pending does not', () => {
    const t = statusBarText(project([svc('a', 'running'), svc('b', 'running', { health: 'starting' })]), 'ready');
    expect(t.text).toBe('$(loading~spin) devenv: 1/2 healthy');
    expect(t.level).toBe('busy');
  });

  it('says when the runtime’s engine is away, and why, before anything about the services', () => {
    const status = {
      ...project(reference),
      runtimeHealth: {
        state: 'unavailable' as const,
        since: '2026-01-01T10:05:00.000Z',
        message: 'the Docker engine does not answer (connect ENOENT)',
      },
    };
    const t = statusBarText(status, 'ready');
    expect(t.text).toBe('$(warning) devenv: engine unavailable, waiting');
    expect(t.level).toBe('error');
    expect(t.tooltip).toContain('connect ENOENT');
  });

  it('names a sync link that is not live in the tooltip, and a killed service as failing', () => {
    const t = statusBarText(
      project([
        svc('api', 'healthy', { syncLink: { state: 'reconnecting', since: '2026-01-01T10:05:00.000Z' } }),
        svc('db', 'killed', { exit: { code: 137, oomKilled: true } }),
      ]),
      'ready',
    );
    expect(t.tooltip).toContain('api: healthy; sync reconnecting');
    expect(t.tooltip).toContain('db: killed (OOM)');
    expect(t.text).toBe('$(error) devenv: 1/2 healthy, db killed');
  });

  it('names what is failing', () => {
    const t = statusBarText(project([svc('a', 'healthy'), svc('worker', 'unhealthy')], 'degraded'), 'ready');
    expect(t.text).toBe('$(error) devenv: 1/2 healthy, worker unhealthy');
    expect(t.level).toBe('error');
  });

  it('says down when nothing runs, and when the server is gone says that instead', () => {
    const stopped = project([svc('a', 'stopped', { instanceId: undefined })], 'stopped');
    expect(statusBarText(stopped, 'ready').text).toBe('$(circle-slash) devenv: down');
    expect(statusBarText(project([], 'idle'), 'ready').level).toBe('idle');
    expect(statusBarText(stopped, 'failed').level).toBe('error');
    expect(statusBarText(undefined, 'starting').level).toBe('busy');
  });

  it('shows progress while the environment comes up', () => {
    const t = statusBarText(project([svc('db', 'building', { instanceId: undefined })], 'starting'), 'ready');
    expect(t.text).toBe('$(loading~spin) devenv: 0/1 healthy');
  });

  it("lists each Argo CD Application's sync, health and running hook in the tooltip on Kubernetes", () => {
    const t = statusBarText(
      {
        ...project(reference),
        runtime: 'kubernetes',
        cluster: {
          name: 'devenv',
          context: 'kind-devenv',
          argocd: [
            { app: 'ref', sync: 'Synced', health: 'Healthy' },
            {
              app: 'ref-migrate',
              service: 'migrate',
              sync: 'OutOfSync',
              health: 'Healthy',
              operation: { phase: 'Running' },
              hooks: [{ name: 'Job/migrate', type: 'PreSync', phase: 'Running' }],
            },
          ],
        },
      },
      'ready',
    );
    expect(t.tooltip).toContain(
      'cluster devenv (context kind-devenv), Argo CD:\n  ref: Synced/Healthy\n  migrate: OutOfSync/Healthy (PreSync migrate Running)',
    );
  });
});
