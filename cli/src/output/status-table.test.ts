// `devenv status`: the table says when the runtime's engine is away and whether sync is live,
// names how a run ended (killed (OOM), stopped from outside), and the JSON carries the same.

import type { ProjectStatus } from '@devenv/engine';
import { describe, expect, it } from 'vitest';
import { sampleStatus } from '../tui/fake-client.js';
import { describeState } from './plain-renderer.js';
import { statusJson, statusTable } from './status-table.js';

const since = '2026-01-01T10:05:00.000Z';

function faulty(): ProjectStatus {
  const status = sampleStatus({
    phase: 'degraded',
    runtimeHealth: { state: 'unavailable', since, message: 'the Docker engine does not answer (connect ENOENT)' },
  });
  const [postgres, backend, worker] = status.services;
  Object.assign(postgres!, { state: 'killed', exitCode: 137, exit: { code: 137, oomKilled: true, signal: 'SIGKILL' } });
  Object.assign(backend!, { syncLink: { state: 'reconnecting', reason: 'exec stream ended', attempts: 2, since } });
  Object.assign(worker!, { state: 'stopped', exitCode: 0, exit: { code: 0, by: 'runtime-restart' } });
  return status;
}

describe('the status table', () => {
  it('says the engine is unavailable on its first line, and why', () => {
    const first = statusTable(faulty()).split('\n')[0]!;
    expect(first).toBe(
      'project shop on docker (Docker 27.3.1 (API 1.47)): degraded, engine unavailable, waiting (the Docker engine does not answer (connect ENOENT))',
    );
    expect(statusTable(sampleStatus()).split('\n')[0]).toBe(
      'project shop on docker (Docker 27.3.1 (API 1.47)): running',
    );
  });

  it('shows how each run ended and whether sync reaches the instance', () => {
    const lines = statusTable(faulty()).split('\n');
    expect(lines[1]).toMatch(/^SERVICE\s+STATE\s+HEALTH\s+ID\s+RESTARTS\s+PORTS\s+DEBUG\s+URL\s+SYNC$/);
    expect(lines.find((l) => l.startsWith('postgres'))).toMatch(/killed \(OOM\)/);
    expect(lines.find((l) => l.startsWith('backend'))).toMatch(/reconnecting \(2 attempts\)$/);
    expect(lines.find((l) => l.startsWith('worker'))).toMatch(/stopped \(its engine went away\)/);
  });

  it('puts the engine, the exit and the sync link into the JSON', () => {
    const json = statusJson(faulty());
    expect(json.runtimeHealth?.state).toBe('unavailable');
    expect(json.services[0]!.exit).toEqual({ code: 137, oomKilled: true, signal: 'SIGKILL' });
    expect(json.services[1]!.syncLink).toMatchObject({ state: 'reconnecting', attempts: 2 });
    expect(statusJson(sampleStatus()).runtimeHealth).toBeNull();
  });
});

describe('describeState', () => {
  const base = { name: 's', health: 'none' as const, ports: [], restartCount: 0 };
  it('names the signal, OOM, a stop from outside; a stop devenv made needs no words', () => {
    expect(describeState({ ...base, state: 'exited', exitCode: 139, exit: { code: 139, signal: 'SIGSEGV' } })).toBe(
      'exited (code 139, SIGSEGV)',
    );
    expect(describeState({ ...base, state: 'exited', exitCode: 3 })).toBe('exited (code 3)');
    expect(describeState({ ...base, state: 'killed', exit: { code: 137, signal: 'SIGKILL' } })).toBe(
      'killed (SIGKILL)',
    );
    expect(describeState({ ...base, state: 'stopped', exit: { code: 0, signal: 'SIGTERM', by: 'request' } })).toBe(
      'stopped (stopped from outside devenv)',
    );
    expect(describeState({ ...base, state: 'stopped', exit: { code: 0, by: 'engine' } })).toBe('stopped');
    expect(describeState({ ...base, state: 'completed', exit: { code: 0 } })).toBe('completed');
  });
});
