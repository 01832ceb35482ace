import type { ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { EnvironmentState } from './environment-state.js';

const svc = (name: string, state: ServiceStatus['state']): ServiceStatus => ({
  name,
  state,
  health: 'none',
  ports: [],
  restartCount: 0,
});

describe('EnvironmentState', () => {
  it('folds status and project events into the last fetched status, keeping service order', () => {
    const state = new EnvironmentState();
    const seen: string[] = [];
    state.onChange((s) => seen.push(`${s.phase}:${s.services.map((x) => `${x.name}=${x.state}`).join(',')}`));
    state.replace({
      project: 'p',
      projectDir: '/w',
      runtime: 'docker',
      phase: 'idle',
      services: [svc('a', 'pending'), svc('b', 'pending')],
    });
    state.apply({ kind: 'project', ts: '', phase: 'starting' });
    state.apply({ kind: 'status', ts: '', service: 'b', status: svc('b', 'running') });
    state.apply({ kind: 'status', ts: '', service: 'c', status: svc('c', 'building') });
    expect(state.apply({ kind: 'log', ts: '', service: 'a', stream: 'stdout', line: 'x' })).toBe(false);
    expect(seen).toEqual([
      'idle:a=pending,b=pending',
      'starting:a=pending,b=pending',
      'starting:a=pending,b=running',
      'starting:a=pending,b=running,c=building',
    ]);
    expect(state.service('b')?.state).toBe('running');
    expect(state.status?.project).toBe('p');
  });

  it('builds a picture from events alone when no status was fetched yet', () => {
    const state = new EnvironmentState();
    state.apply({ kind: 'status', ts: '', service: 'a', status: svc('a', 'healthy') });
    expect(state.status?.services.map((s) => s.name)).toEqual(['a']);
  });

  it('keeps the Argo CD Applications current from cluster events', () => {
    const state = new EnvironmentState();
    const cluster = {
      name: 'devenv',
      context: 'kind-devenv',
      argocd: [{ app: 'p', sync: 'Synced', health: 'Healthy' }],
    };
    expect(state.apply({ kind: 'cluster', ts: '', cluster })).toBe(true);
    expect(state.status?.cluster).toEqual(cluster);
  });

  it('takes the runtime’s health from project events, and forgets it when one no longer carries it', () => {
    const state = new EnvironmentState();
    const since = '2026-01-01T10:05:00.000Z';
    state.apply({ kind: 'project', ts: '', phase: 'running', runtime: { state: 'unavailable', since } });
    expect(state.status?.runtimeHealth?.state).toBe('unavailable');
    state.apply({ kind: 'project', ts: '', phase: 'running', runtime: { state: 'available', since } });
    expect(state.status?.runtimeHealth?.state).toBe('available');
    state.apply({ kind: 'project', ts: '', phase: 'stopped', message: 'no devenv daemon runs' });
    expect(state.status?.runtimeHealth).toBeUndefined();
  });
});
