// The JUnit report of a ci run: one case per service (ready, failed with its last lines, not
// ready in time), the environment taken down, and each test.

import { msAt as at, type SpanOutcome, type SpanRow, type Timeline, timelineOf } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { ciReport } from './ci-report.js';

/** An up whose services ended (or not) as given: [name, ms, outcome, message]. */
function timeline(services: [string, number, SpanOutcome | undefined, string?][]): Timeline {
  return timelineOf([
    ['up-1', 'up', 0, undefined, { project: 'shop' }],
    ...services.map(
      ([name, ms, outcome, message]): SpanRow => [
        `up-1/${name}`,
        'service',
        0,
        outcome ? ms : undefined,
        {},
        { ...(outcome ? { outcome } : {}), ...(message ? { message } : {}) },
      ],
    ),
  ]);
}

describe('ciReport', () => {
  it('passes every service that got ready, with its time, and each test by its exit code', () => {
    const [env, tests] = ciReport({
      project: 'shop',
      startedAt: at(0),
      timeline: timeline([
        ['db', 2000, 'ok'],
        ['web', 3500, 'ok'],
      ]),
      crashes: [],
      tests: [
        { name: 'unit', exitCode: 0, durationMs: 1200, output: 'ok\n' },
        { name: 'e2e', exitCode: 4, durationMs: 800, output: 'FAIL x\n' },
        { name: 'lint', durationMs: 0, skipped: 'not run: an earlier test failed' },
      ],
      down: { durationMs: 900 },
    });
    expect(env!.cases.map((c) => [c.name, c.timeSeconds, c.failure?.message ?? c.skipped ?? 'ok'])).toEqual([
      ['db ready', 2, 'ok'],
      ['web ready', 3.5, 'ok'],
      ['environment down', 0.9, 'ok'],
    ]);
    expect(tests!.cases.map((c) => [c.name, c.failure?.message ?? c.skipped ?? 'ok', c.systemOut])).toEqual([
      ['unit', 'ok', 'ok\n'],
      ['e2e', 'exited with code 4', 'FAIL x\n'],
      ['lint', 'not run: an earlier test failed', undefined],
    ]);
  });

  it('fails the service that failed with its last lines, and the ones the timeout caught', () => {
    const [env] = ciReport({
      project: 'shop',
      startedAt: at(0),
      timeline: timeline([
        ['db', 100, 'failed', 'exited with code 3'],
        ['web', 100, 'cancelled', 'up cancelled: the environment is being stopped'],
        ['slow', 0, undefined],
      ]),
      failure: { service: 'db', reason: 'exited with code 3', lines: ['FATAL: no config'] },
      timedOut: ['slow'],
      crashes: [],
      tests: [],
      down: 'kept',
    });
    expect(env!.cases.map((c) => [c.name, c.failure?.message ?? c.skipped ?? 'ok'])).toEqual([
      ['db ready', 'db exited with code 3'],
      ['web ready', 'not ready: up cancelled: the environment is being stopped'],
      ['slow ready', 'slow was not ready within the timeout'],
      ['environment down', '--keep'],
    ]);
    expect(env!.cases[0]!.failure!.text).toBe('exited with code 3\nlast lines:\nFATAL: no config');
  });
});
