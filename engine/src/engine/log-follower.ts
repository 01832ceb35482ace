// Instances' log lines onto the event bus: one follow per service, restarted when its instance
// starts again, never repeating a line already shown. Also the daemon-less reading of logs
// (`devenv logs` with no daemon), straight from the runtime.

import type { EngineEvent, EventSink } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { Runtime } from '../runtime-interface/runtime.js';
import { errorMessage } from '../shared/error-text.js';

/** What the follower needs of a service's record. */
export interface FollowedService {
  spec: { name: string };
  instanceId?: string | undefined;
}

interface Follow {
  controller?: AbortController;
  /** Unix seconds the current run's log starts at (undefined: the instance's whole log). */
  since?: number;
  /** Timestamp of the last line shown, per instance of the service (key 0: a single instance): a
   * re-attached stream may repeat earlier ones. Per instance, because the lines of several
   * instances interleave in arrival order, not time order. */
  lastTs: Map<number, string>;
}

export class LogFollower {
  private readonly follows = new Map<string, Follow>();

  constructor(
    private readonly runtime: Runtime,
    private readonly emit: EventSink,
    private readonly log: (service: string, line: string) => void,
  ) {}

  /** Follow the service's instance from `sinceSec` (unix seconds), or from its current run's start. */
  follow(rec: FollowedService, sinceSec?: number): void {
    const f = this.of(rec);
    if (f.controller && !f.controller.signal.aborted) return;
    const id = rec.instanceId;
    if (!id) return;
    const controller = new AbortController();
    f.controller = controller;
    const since = sinceSec ?? f.since;
    const service = rec.spec.name;
    void (async () => {
      try {
        const lines = this.runtime.logs(
          id,
          since === undefined ? { follow: true } : { follow: true, since },
          controller.signal,
        );
        for await (const l of lines) {
          const key = l.replica ?? 0;
          const last = f.lastTs.get(key);
          if (last !== undefined && l.ts <= last) continue;
          f.lastTs.set(key, l.ts);
          this.emit({ kind: 'log', ts: l.ts, service, stream: l.stream, line: l.line });
        }
      } catch (err) {
        if (!controller.signal.aborted) this.log(service, `log stream ended: ${errorMessage(err)}`);
      } finally {
        // Whatever ended it, nothing of this follow may keep reading: a replicated service's
        // other instances' streams end with it.
        controller.abort();
        if (f.controller === controller) f.controller = undefined;
      }
    })();
  }

  /** An instance started again keeps its old log: follow only what this run prints, from `sinceSec`. */
  newRun(rec: FollowedService, sinceSec: number): void {
    this.of(rec).since = sinceSec;
  }

  /** A new instance: its whole log is new. */
  newInstance(rec: FollowedService): void {
    const f = this.of(rec);
    f.since = undefined;
    f.lastTs.clear();
  }

  stop(rec: FollowedService): void {
    this.follows.get(rec.spec.name)?.controller?.abort();
  }

  close(): void {
    for (const f of this.follows.values()) f.controller?.abort();
  }

  /** The instance's last `lines` lines, or none when it is gone or does not answer within `timeoutMs`. */
  async tail(instanceId: string, lines: number, timeoutMs: number): Promise<string[]> {
    const out: string[] = [];
    try {
      for await (const l of this.runtime.logs(
        instanceId,
        { follow: false, tail: lines },
        AbortSignal.timeout(timeoutMs),
      ))
        out.push(l.line);
    } catch {
      // No log to read (the instance is gone): what was read so far is all there is.
    }
    return out;
  }

  private of(rec: FollowedService): Follow {
    let f = this.follows.get(rec.spec.name);
    if (!f) {
      f = { lastTs: new Map() };
      this.follows.set(rec.spec.name, f);
    }
    return f;
  }
}

/**
 * Log lines straight from the runtime (no daemon needed): history interleaved by time, then,
 * with `follow`, new lines as they come until the signal aborts.
 */
export async function streamLogs(
  runtime: Runtime,
  project: ProjectSpec,
  opts: { service?: string; follow: boolean; tail: number },
  signal: AbortSignal,
  onEvent: (e: EngineEvent) => void,
): Promise<void> {
  const observed = (await runtime.observe(project.name)).filter((o) => !opts.service || o.service === opts.service);
  if (!opts.follow) {
    const all: EngineEvent[] = [];
    await Promise.all(
      observed.map(async (o) => {
        for await (const l of runtime.logs(o.id, { follow: false, tail: opts.tail }, signal)) {
          all.push({ kind: 'log', ts: l.ts, service: o.service, stream: l.stream, line: l.line });
        }
      }),
    );
    all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    for (const e of all) onEvent(e);
    return;
  }
  await Promise.all(
    observed.map(async (o) => {
      try {
        for await (const l of runtime.logs(o.id, { follow: true, tail: opts.tail }, signal)) {
          onEvent({ kind: 'log', ts: l.ts, service: o.service, stream: l.stream, line: l.line });
        }
      } catch (err) {
        if (!signal.aborted) throw err;
      }
    }),
  );
}
