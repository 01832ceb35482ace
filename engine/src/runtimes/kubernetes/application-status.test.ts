import { describe, expect, it } from 'vitest';
import {
  application,
  hookJob,
  migrationRunning,
  smokeRunning,
  waitingForHealth,
} from '../../../../test/kubernetes/helpers/argocd-status.js';
import { applicationStatuses, applicationView, hookInFlight, SyncWatch, supersedable } from './application-status.js';

const NEW = 'b'.repeat(40);

describe('applicationStatuses', () => {
  it('lists the root first, then each service with its sync, health, operation and hook Jobs', () => {
    expect(
      applicationStatuses([
        smokeRunning('demo-web', 'web'),
        application({ name: 'demo', role: 'root', revision: NEW }),
        application({ name: 'demo-api', service: 'api', sync: 'OutOfSync', health: 'Missing' }),
      ]),
    ).toEqual([
      { app: 'demo', sync: 'Synced', health: 'Healthy', revision: NEW.slice(0, 12) },
      { app: 'demo-api', service: 'api', sync: 'OutOfSync', health: 'Missing' },
      {
        app: 'demo-web',
        service: 'web',
        sync: 'Synced',
        health: 'Healthy',
        revision: 'a'.repeat(12),
        operation: { phase: 'Running', message: 'waiting for completion of hook batch/Job/web-smoke' },
        hooks: [{ name: 'Job/web-smoke', type: 'PostSync', phase: 'Running' }],
      },
    ]);
  });
});

describe('which running syncs a newer commit may end', () => {
  it('one that waits for its Deployment to turn healthy, syncing an older commit', () => {
    expect(supersedable(applicationView(waitingForHealth('demo-web', 'web')), NEW)).toBe(true);
  });

  it('never one whose hook runs: a smoke test or a migration runs to its end', () => {
    const smoke = applicationView(smokeRunning('demo-web', 'web'));
    const migration = applicationView(migrationRunning('demo-migrate', 'migrate'));
    expect([hookInFlight(smoke), hookInFlight(migration)]).toEqual([true, true]);
    expect(supersedable(smoke, NEW)).toBe(false);
    expect(supersedable(migration, NEW)).toBe(false);
  });

  it('never one that already syncs the new commit, nor the root Application', () => {
    expect(supersedable(applicationView(waitingForHealth('demo-web', 'web', NEW)), NEW)).toBe(false);
    const root = application({
      name: 'demo',
      role: 'root',
      op: { phase: 'Running', message: 'waiting for healthy state of argoproj.io/Application/demo-web', revision: 'c' },
    });
    expect(supersedable(applicationView(root), NEW)).toBe(false);
  });
});

describe('SyncWatch (waiting for a commit to be applied)', () => {
  it('rides out a ComparisonError while the repo server has not seen the push, and fails on one that lasts', () => {
    let clock = 0;
    const watch = new SyncWatch(NEW, 60_000, () => clock);
    const comparing = applicationView(
      application({
        name: 'demo-api',
        service: 'api',
        sync: 'Unknown',
        conditions: [
          {
            type: 'ComparisonError',
            message:
              'Failed to load target state: failed to generate manifest for source 1 of 1: rpc error: code = Unknown desc = unable to resolve git revision',
          },
        ],
      }),
    );
    expect(watch.verdict(comparing)).toMatchObject({
      kind: 'waiting',
      message: expect.stringMatching(/ComparisonError, retrying/),
    });
    clock = 20_000;
    expect(watch.verdict(applicationView(application({ name: 'demo-api', sync: 'OutOfSync' })))).toMatchObject({
      kind: 'waiting',
    });
    // It came back after it had cleared: the clock starts again.
    clock = 30_000;
    expect(watch.verdict(comparing).kind).toBe('waiting');
    clock = 89_000;
    expect(watch.verdict(comparing).kind).toBe('waiting');
    clock = 90_000;
    expect(watch.verdict(comparing)).toMatchObject({
      kind: 'failed',
      message: expect.stringMatching(/^ComparisonError: /),
    });
  });

  it('fails at once when the sync of this commit failed, naming the hook that failed', () => {
    const failed = application({
      name: 'demo-migrate',
      service: 'migrate',
      sync: 'OutOfSync',
      op: {
        phase: 'Failed',
        message:
          'one or more synchronization tasks completed unsuccessfully, reason: Job has reached the specified backoff limit',
        revision: NEW,
        resources: [hookJob('migrate', 'PreSync', 'Failed', 'Job has reached the specified backoff limit')],
      },
    });
    expect(new SyncWatch(NEW).verdict(applicationView(failed))).toEqual({
      kind: 'failed',
      message: 'PreSync hook Job/migrate failed: Job has reached the specified backoff limit',
    });
  });

  it("keeps waiting when an older commit's sync ended (terminated, failed): Argo CD syncs the new one next", () => {
    const terminated = application({
      name: 'demo-web',
      service: 'web',
      sync: 'OutOfSync',
      op: { phase: 'Failed', message: 'Operation terminated', revision: 'a'.repeat(40) },
    });
    expect(new SyncWatch(NEW).verdict(applicationView(terminated))).toMatchObject({ kind: 'waiting' });
    expect(new SyncWatch(NEW).verdict(undefined)).toEqual({ kind: 'waiting', message: 'waiting for the Application' });
  });
});
