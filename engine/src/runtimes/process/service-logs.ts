// The services' log files and their upkeep: where each lives (`<stateDir>/logs/<service>.log`),
// its arrival index, rotation under a size cap, devenv's own notes in it, and reading it (history,
// then following new lines until the run ends). See log-file.ts for the format.

import { appendFileSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { LogLine } from '../../runtime-interface/runtime.js';
import { ChangeWaiter } from './change-waiter.js';
import { filterLines, LineStamper, LogIndex, readFrom, readHistory, rotateLog, splitLines } from './log-file.js';

const FOLLOW_POLL_MS = 250;

export interface LogReadOptions {
  follow: boolean;
  tail?: number;
  since?: number;
}

export class ServiceLogs {
  readonly dir: string;
  private readonly indexes = new Map<string, LogIndex>();
  private readonly followers = new Set<AbortController>();

  constructor(
    stateDir: string,
    private readonly capBytes: number,
  ) {
    this.dir = join(stateDir, 'logs');
  }

  path(service: string): string {
    return join(this.dir, `${service}.log`);
  }

  index(service: string): LogIndex {
    let index = this.indexes.get(service);
    if (!index) {
      index = new LogIndex(`${this.path(service)}.idx`);
      this.indexes.set(service, index);
    }
    return index;
  }

  async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Before a run: a log over the cap is moved aside (one old file kept). */
  async rotateBeforeRun(service: string): Promise<void> {
    await rotateLog(this.path(service), this.index(service), this.capBytes, 'move').catch(() => false);
  }

  /** Note arrival times of new log bytes nobody follows, and keep the file under its cap while it is written. */
  async tend(service: string): Promise<void> {
    await this.cover(service);
    await rotateLog(this.path(service), this.index(service), this.capBytes, 'copytruncate').catch(() => false);
  }

  /**
   * Pin the arrival time of every byte of the log so far to the file's mtime: the moment its
   * last byte was written, so an upper bound for all of them. Returns the log's size.
   */
  async cover(service: string): Promise<number> {
    const st = await stat(this.path(service)).catch(() => undefined);
    if (!st || st.size === 0) return 0;
    await this.index(service).cover(st.size, Math.floor(st.mtimeMs));
    return st.size;
  }

  /** A line of devenv's own in the service log (init started, init failed to create its file). */
  note(service: string, text: string): void {
    try {
      appendFileSync(this.path(service), `[devenv] ${text}\n`, { mode: 0o600 });
    } catch {
      // A note is a courtesy; never fail a start over it.
    }
  }

  /**
   * History (tail, since), then with `follow` new lines as they arrive, until `ended()` says the
   * run is over (after one last read) or the signal aborts.
   */
  async *read(
    service: string,
    opts: LogReadOptions,
    signal: AbortSignal,
    ended: () => Promise<boolean>,
  ): AsyncIterable<LogLine> {
    const path = this.path(service);
    const index = this.index(service);
    const history = await readHistory(path, index, { ...opts, partial: !opts.follow });
    for (const l of history.lines) yield l;
    if (!opts.follow || signal.aborted) return;

    const controller = new AbortController();
    const abort = () => controller.abort();
    signal.addEventListener('abort', abort, { once: true });
    this.followers.add(controller);
    const waiter = new ChangeWaiter(path, controller.signal);
    let offset = history.offset;
    let stamper = history.stamper;
    let pending: Buffer = Buffer.alloc(0);
    let ending = false;
    try {
      for (;;) {
        const data = await readFrom(path, offset).catch(() => Buffer.alloc(0));
        const st = await stat(path).catch(() => undefined);
        const size = st?.size ?? 0;
        if (size < offset) {
          // Truncated or rotated: start over at the new beginning.
          offset = 0;
          pending = Buffer.alloc(0);
          stamper = new LineStamper();
          index.invalidate();
          continue;
        }
        if (data.length > 0) {
          const base = offset - pending.length;
          const chunk = pending.length > 0 ? Buffer.concat([pending, data]) : data;
          offset += data.length;
          const { lines, consumed } = splitLines(chunk, base);
          pending = chunk.subarray(consumed);
          if (lines.length > 0) {
            await index.cover(lines.at(-1)!.end, Math.floor(st?.mtimeMs ?? Date.now()));
            for (const l of filterLines(
              stamper.stamp(lines, await index.load()),
              opts.since === undefined ? {} : { since: opts.since },
            )) {
              yield l;
            }
          }
        }
        if (controller.signal.aborted) return;
        if (data.length > 0) continue;
        if (ending) {
          if (pending.length > 0) {
            await index.cover(offset, Date.now());
            yield* stamper.stamp([{ end: offset, text: pending.toString('utf8') }], await index.load());
          }
          return;
        }
        // The run ended: read once more, for what it wrote between our last read and its exit.
        if (await ended()) ending = true;
        else await waiter.next(FOLLOW_POLL_MS);
      }
    } finally {
      waiter.close();
      signal.removeEventListener('abort', abort);
      this.followers.delete(controller);
    }
  }

  /** End every follow (the runtime is closing). */
  abortFollowers(): void {
    for (const f of this.followers) f.abort();
  }
}
