import type { ServiceStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { formatLogLine, UpProgress } from './up-progress.js';

const st = (state: ServiceStatus['state']): ServiceStatus => ({
  name: 'x',
  state,
  health: 'none',
  ports: [],
  restartCount: 0,
});

describe('UpProgress', () => {
  it('counts ready services and names the latest step', () => {
    const p = new UpProgress();
    expect(
      p.apply({ kind: 'progress', ts: '', id: 'build:backend', title: 'building backend', current: 3, total: 4 }),
    ).toBe('building backend 75%');
    expect(p.apply({ kind: 'status', ts: '', service: 'postgres', status: st('healthy') })).toBe(
      '1/1 ready · postgres: healthy',
    );
    expect(p.apply({ kind: 'status', ts: '', service: 'migrate', status: st('completed') })).toBe(
      '2/2 ready · migrate: completed',
    );
    expect(
      p.apply({
        kind: 'status',
        ts: '',
        service: 'backend',
        status: { ...st('starting'), message: 'waiting for health' },
      }),
    ).toBe('2/3 ready · backend: starting (waiting for health)');
    expect(p.apply({ kind: 'log', ts: '', service: 'backend', stream: 'stdout', line: 'hi' })).toBeUndefined();
    expect(p.apply({ kind: 'progress', ts: '', id: 'x', title: 'x', done: true })).toBeUndefined();
  });
});

describe('formatLogLine', () => {
  it('prefixes the time and marks stderr and devenv’s own lines', () => {
    const ts = '2026-01-02T03:04:05.678Z';
    expect(formatLogLine({ kind: 'log', ts, service: 's', stream: 'stdout', line: 'ok' })).toBe('03:04:05 ok');
    expect(formatLogLine({ kind: 'log', ts, service: 's', stream: 'stderr', line: 'bad' })).toBe('03:04:05 [err] bad');
    expect(formatLogLine({ kind: 'log', ts, service: 's', stream: 'system', line: 'restarted' })).toBe(
      '03:04:05 [devenv] restarted',
    );
  });
});
