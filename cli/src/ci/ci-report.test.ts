// The JUnit report of a ci run: one case per service (ready, failed with its last lines, not
// ready in time), the environment taken down, and each test.

import { type SpanEvent, type Timeline, TimelineBuilder } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { ciReport } from './ci-report.js';

const at = (ms: number) => new Date(Date.parse('2030-01-01T00:00:00Z') + ms).toISOString();

function timeline(services: [string, number, SpanEvent['outcome'] | undefined, string?][]): Timeline {
  const b = new TimelineBuilder();
  b.apply({ kind: 'span', edge: 'begin', id: 'up-1', name: 'up', ts: at(0), attrs: { project: 'shop' } });
  for (const [name, ms, outcome, message] of services) {
    b.apply({
      kind: 'span',
      edge: 'begin',
      id: `up-1/${name}`,
      parent: 'up-1',
      name: 'service',
      service: name,
      ts: at(0),
    });
    if (outcome)
      b.apply({
        kind: 'span',
        edge: 'end',
        id: `up-1/${name}`,
        name: 'service',
        ts: at(ms),
        outcome,
        ...(message ? { message } : {}),
      });
  }
  return b.current!;
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
