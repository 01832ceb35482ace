// The watch that makes `devenv ci` fail fast: which events are a failure, of which service.

import type { EngineEvent, ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { EnvironmentWatch } from './environment-watch.js';

const ts = '2030-01-01T00:00:00.000Z';
const status = (service: string, s: Partial<ServiceStatus>): EngineEvent => ({
  kind: 'status',
  ts,
  service,
  status: { name: service, state: 'running', health: 'none', ports: [], restartCount: 0, ...s },
});
const log = (service: string, line: string, stream: 'stdout' | 'system' = 'stdout'): EngineEvent => ({
  kind: 'log',
  ts,
  service,
  stream,
  line,
});

describe('EnvironmentWatch', () => {
  it('names a service that exits, fails or turns unhealthy, and keeps its last lines', () => {
    const w = new EnvironmentWatch({ maxRestarts: 0 });
    expect(w.apply(status('db', { state: 'starting' }))).toBeUndefined();
    for (let i = 0; i < 25; i++) w.apply(log('web', `\x1b[31mline ${i}\x1b[0m`));
    w.apply(log('web', 'restarting (policy)', 'system'));
    expect(w.apply(status('web', { state: 'exited', exitCode: 3 }))).toEqual({
      service: 'web',
      reason: 'exited with code 3',
    });
    expect(w.lastLines('web')).toHaveLength(20);
    expect(w.lastLines('web').at(-1)).toBe('line 24');
    expect(w.apply(status('api', { state: 'failed', message: 'port 8000 is in use' }))).toEqual({
      service: 'api',
      reason: 'port 8000 is in use',
    });
    expect(w.apply(status('db', { state: 'unhealthy', health: 'unhealthy' }))).toEqual({
      service: 'db',
      reason: 'its healthcheck fails',
    });
    expect(w.apply(status('migrate', { state: 'completed', exitCode: 0 }))).toBeUndefined();
  });

  it('lets a service restart after a crash as often as allowed, then fails it with the exit code', () => {
    const w = new EnvironmentWatch({ maxRestarts: 1 });
    w.apply(status('web', { state: 'running', exitCode: 1 }));
    expect(w.apply(status('web', { state: 'restarting', exitCode: 1 }))).toBeUndefined();
    expect(w.apply(status('web', { state: 'restarting', restartCount: 1, exitCode: 1 }))).toBeUndefined();
    w.apply(status('web', { state: 'running', restartCount: 1 }));
    expect(w.apply(status('web', { state: 'restarting', restartCount: 1, exitCode: 2 }))).toEqual({
      service: 'web',
      reason: 'crashed (exit code 2) and is restarting',
    });
  });

  it('says which services have not settled, and what they do', () => {
    const w = new EnvironmentWatch({ maxRestarts: 0 });
    w.apply(status('db', { state: 'healthy', health: 'healthy' }));
    w.apply(status('web', { state: 'waiting', message: 'waiting for db (healthy)' }));
    w.apply(status('job', { state: 'completed' }));
    expect(w.unsettled()).toEqual([{ service: 'web', state: 'waiting: waiting for db (healthy)' }]);
  });
});
