import { describe, expect, it } from 'vitest';
import type { DependsOnSpec } from '../model/spec.js';
import { emptyStatus, type ServiceStatus } from '../model/status.js';
import { conditionWord, dependencyCondition, settledCondition } from './conditions.js';

const dep = (condition: DependsOnSpec['condition']): DependsOnSpec => ({ condition, required: true, restart: false });
const status = (patch: Partial<ServiceStatus>): ServiceStatus => ({ ...emptyStatus('db'), ...patch });

describe('dependency conditions', () => {
  it('service_started: met once the dependency runs, or while it is held for its first sync', () => {
    let syncing = false;
    const c = dependencyCondition('db', dep('service_started'), { healthKnown: true, syncPending: () => syncing });
    expect(c.ok(status({ state: 'starting' }))).toBe(false);
    syncing = true;
    expect(c.ok(status({ state: 'starting' }))).toBe(true);
    for (const state of ['running', 'healthy', 'unhealthy', 'completed'] as const)
      expect(c.ok(status({ state }))).toBe(true);
    for (const state of ['pending', 'building', 'waiting'] as const) expect(c.ok(status({ state }))).toBe(false);
    expect(c.bad(status({ state: 'unhealthy' }))).toBeUndefined();
  });

  it('service_healthy: met at healthy; unhealthy is a failure; unknowable health means started', () => {
    const c = dependencyCondition('db', dep('service_healthy'), { healthKnown: true, syncPending: () => false });
    expect(c.ok(status({ state: 'running' }))).toBe(false);
    expect(c.ok(status({ state: 'healthy' }))).toBe(true);
    expect(c.bad(status({ state: 'unhealthy' }))).toBe('dependency db is unhealthy');
    const blind = dependencyCondition('db', dep('service_healthy'), { healthKnown: false, syncPending: () => false });
    expect(blind.ok(status({ state: 'running' }))).toBe(true);
  });

  it('service_completed_successfully: met at completed; a non-zero exit names its code', () => {
    const c = dependencyCondition('migrate', dep('service_completed_successfully'), {
      healthKnown: true,
      syncPending: () => false,
    });
    expect(c.ok(status({ state: 'running' }))).toBe(false);
    expect(c.ok(status({ state: 'completed' }))).toBe(true);
    expect(c.bad(status({ state: 'exited', exitCode: 2 }))).toBe('dependency migrate exited with code 2');
  });

  it('a failed or stopped dependency fails every condition, with its reason', () => {
    for (const condition of ['service_started', 'service_healthy', 'service_completed_successfully'] as const) {
      const c = dependencyCondition('db', dep(condition), { healthKnown: true, syncPending: () => false });
      expect(c.bad(status({ state: 'failed', message: 'port busy' }))).toBe('dependency db failed: port busy');
      expect(c.bad(status({ state: 'stopped' }))).toBe('dependency db stopped');
    }
    expect(conditionWord(dep('service_healthy'))).toBe('healthy');
    expect(conditionWord(dep('service_completed_successfully'))).toBe('completed');
    expect(conditionWord(dep('service_started'))).toBe('started');
  });
});

describe('settled', () => {
  it('is healthy with a healthcheck, running without, or completed', () => {
    const withCheck = settledCondition({ hasHealthcheck: true, restartLimit: 3, baseRestarts: 0 });
    const without = settledCondition({ hasHealthcheck: false, restartLimit: 3, baseRestarts: 0 });
    expect(withCheck.ok(status({ state: 'running' }))).toBe(false);
    expect(withCheck.ok(status({ state: 'healthy' }))).toBe(true);
    expect(without.ok(status({ state: 'running' }))).toBe(true);
    expect(without.ok(status({ state: 'completed' }))).toBe(true);
  });

  it('fails on exit, unhealthy, stop, or too many restarts since up began', () => {
    const c = settledCondition({ hasHealthcheck: true, restartLimit: 3, baseRestarts: 2 });
    expect(c.bad(status({ state: 'exited', exitCode: 1 }))).toBe('exited with code 1');
    expect(c.bad(status({ state: 'unhealthy' }))).toBe('healthcheck failing');
    expect(c.bad(status({ state: 'stopped' }))).toBe('stopped');
    expect(c.bad(status({ state: 'restarting', restartCount: 4 }))).toBeUndefined();
    expect(c.bad(status({ state: 'restarting', restartCount: 5 }))).toBe('restarted 3 times while starting');
  });
});
