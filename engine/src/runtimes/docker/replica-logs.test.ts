// A replicated service's followed log: an instance that was not started yet when the follow began,
// or was started again later, keeps showing its lines; one removed ends its stream.

import { describe, expect, it } from 'vitest';
import type { LogLine } from '../../runtime-interface/runtime.js';
import { followReplica, mergeStreams, type ReplicaLogSource } from './replica-logs.js';

const line = (sec: number, text: string): LogLine => ({
  stream: 'stdout',
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, sec)).toISOString(),
  line: text,
});

/** A scripted instance: each open returns the next batch; state() answers from the list, then `gone`. */
function scripted(
  replica: number,
  batches: LogLine[][],
  states: ReplicaLogSource['state'] extends () => Promise<infer S> ? S[] : never,
) {
  const opened: { since?: number; tail?: number }[] = [];
  const source: ReplicaLogSource = {
    replica,
    open: (from) => {
      opened.push(from);
      const batch = batches.shift() ?? [];
      return (async function* () {
        yield* batch;
      })();
    },
    state: async () => states.shift() ?? 'gone',
  };
  return { source, opened };
}

async function collect(lines: AsyncIterable<LogLine>): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of lines) out.push(l);
  return out;
}

describe('followReplica', () => {
  it('waits for an instance that is not running yet, then shows its lines with its number', async () => {
    const { source, opened } = scripted(3, [[], [line(5, 'up')]], ['not-running', 'not-running', 'running']);
    const out = await collect(followReplica(source, { since: 100 }, new AbortController().signal, 1));
    expect(out.map((l) => [l.line, l.replica])).toEqual([['[3] up', 3]]);
    // Opened again from where the follow began: nothing was shown yet.
    expect(opened).toEqual([{ since: 100 }, { since: 100 }]);
  });

  it('goes on after the instance was started again, without repeating the lines of the second it reopens at', async () => {
    const { source, opened } = scripted(
      1,
      [
        [line(1, 'a'), line(2, 'b')],
        [line(2, 'b'), line(3, 'c')],
      ],
      ['not-running', 'running'],
    );
    const out = await collect(followReplica(source, { tail: 10 }, new AbortController().signal, 1));
    expect(out.map((l) => l.line)).toEqual(['[1] a', '[1] b', '[1] c']);
    expect(opened).toEqual([{ tail: 10 }, { since: Date.UTC(2026, 0, 1, 0, 0, 2) / 1000 }]);
  });

  it('ends when aborted while the instance does not run', async () => {
    const controller = new AbortController();
    const source: ReplicaLogSource = {
      replica: 2,
      open: () => (async function* () {})(),
      state: async () => 'not-running',
    };
    const done = collect(followReplica(source, {}, controller.signal, 5));
    setTimeout(() => controller.abort(), 30);
    expect(await done).toEqual([]);
  });
});

describe('mergeStreams', () => {
  it('yields every stream’s lines as they come and ends when all end', async () => {
    async function* slow(lines: LogLine[], ms: number) {
      for (const l of lines) {
        await new Promise((r) => setTimeout(r, ms));
        yield l;
      }
    }
    const out = await collect(mergeStreams([slow([line(1, 'a1'), line(3, 'a2')], 20), slow([line(2, 'b1')], 5)]));
    expect(out.map((l) => l.line)).toEqual(['b1', 'a1', 'a2']);
  });
});
