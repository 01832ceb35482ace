// How a run ended: what stopped it decides before the exit code does, so a server that shut
// down cleanly on SIGTERM (exit 0) is never `completed`.

import { describe, expect, it } from 'vitest';
import type { InstanceState } from '../runtime-interface/runtime.js';
import { classifyExit } from './exit-classification.js';

const at = (iso: string) => Date.parse(iso);
const exited = (exitCode: number, more: Partial<InstanceState> = {}): InstanceState => ({
  status: 'exited',
  health: 'none',
  restartCount: 0,
  ports: [],
  exitCode,
  finishedAt: '2030-01-01T00:00:10.000Z',
  ...more,
});
const free = { stoppedByEngine: false };

describe('classifyExit', () => {
  it('a one-shot that exited 0 by itself completed; a non-zero exit is an exit, with the signal its code says', () => {
    expect(classifyExit(exited(0), free)).toEqual({ state: 'completed', exit: { code: 0 } });
    expect(classifyExit(exited(3), free)).toEqual({ state: 'exited', exit: { code: 3 } });
    expect(classifyExit(exited(139), free)).toEqual({ state: 'exited', exit: { code: 139, signal: 'SIGSEGV' } });
  });

  it('an exit devenv caused is stopped, whatever its code', () => {
    for (const code of [0, 1, 137, 143])
      expect(classifyExit(exited(code), { stoppedByEngine: true })).toEqual({
        state: 'stopped',
        exit: { code, by: 'engine' },
      });
  });

  it('the OOM killer makes it killed (OOM), before anything else', () => {
    const ended = classifyExit(exited(137, { oomKilled: true, signalled: 'SIGTERM' }), free);
    expect(ended.state).toBe('killed');
    expect(ended.exit).toEqual({ code: 137, oomKilled: true, signal: 'SIGKILL' });
    expect(ended.message).toMatch(/out of memory/);
  });

  it('a run that ended while the engine was away was stopped by it, even with exit 0 (never completed)', () => {
    const outage = { from: at('2030-01-01T00:00:09.000Z'), to: at('2030-01-01T00:00:20.000Z') };
    for (const code of [0, 137, 143]) {
      const ended = classifyExit(exited(code), { stoppedByEngine: false, outage });
      expect(ended.state).toBe('stopped');
      expect(ended.exit).toEqual({ code, by: 'runtime-restart' });
    }
    // Still away: no end time is known to be outside it.
    expect(classifyExit(exited(0, { finishedAt: undefined }), { ...free, outage: { from: 0 } }).state).toBe('stopped');
    // Ended before the engine went away, or after it came back: its own exit.
    const before = { from: at('2030-01-01T00:00:11.000Z'), to: at('2030-01-01T00:00:20.000Z') };
    expect(classifyExit(exited(0), { ...free, outage: before }).state).toBe('completed');
    const after = { from: at('2030-01-01T00:00:01.000Z'), to: at('2030-01-01T00:00:05.000Z') };
    expect(classifyExit(exited(0), { ...free, outage: after }).state).toBe('completed');
  });

  it('a signal asked for from outside: the stop signal is a stop (`docker stop`), SIGKILL a kill (`docker kill`)', () => {
    const stopped = classifyExit(exited(0, { signalled: 'SIGTERM' }), free);
    expect(stopped).toMatchObject({ state: 'stopped', exit: { code: 0, signal: 'SIGTERM', by: 'request' } });
    expect(stopped.message).toMatch(/stopped from outside devenv/);
    // `docker stop` of a PID 1 that ignores SIGTERM: SIGTERM first, SIGKILL after the grace period.
    expect(classifyExit(exited(137, { signalled: 'SIGTERM' }), free).state).toBe('stopped');
    expect(classifyExit(exited(137, { signalled: 'SIGKILL' }), free)).toMatchObject({
      state: 'killed',
      exit: { code: 137, signal: 'SIGKILL', by: 'request' },
    });
  });

  it('a SIGKILL read from the exit code alone is a kill', () => {
    expect(classifyExit(exited(137), free)).toEqual({
      state: 'killed',
      exit: { code: 137, signal: 'SIGKILL' },
      message: 'killed (SIGKILL)',
    });
  });
});
