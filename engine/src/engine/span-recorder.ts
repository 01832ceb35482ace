// Spans on the event stream: the engine marks where each phase of an operation begins and ends
// (model/events.ts SpanEvent), timed by its Clock, so the timeline, the OTLP export, metrics and
// every UI read the same record. A phase that throws ends `failed` with the error's text.

import type { EventSink, SpanAttributes, SpanName, SpanOutcome } from '../model/events.js';
import type { Clock } from '../shared/clock.js';
import { errorMessage } from '../shared/error-text.js';

/** What a part of the engine needs to time its phases; `untimed` when nobody records. */
export interface PhaseTimer {
  /** A phase that begins now; end it once. */
  begin(name: SpanName, opts?: { attrs?: SpanAttributes; key?: string }): Phase;
  /** Run `fn` as a phase: it begins now and ends when `fn` settles. */
  time<T>(name: SpanName, fn: () => Promise<T>, opts?: { attrs?: SpanAttributes; key?: string }): Promise<T>;
}

export interface Phase extends PhaseTimer {
  readonly id: string;
  /** End the span (later calls do nothing); `attrs` add what was learnt on the way. */
  end(outcome?: SpanOutcome, message?: string, attrs?: SpanAttributes): void;
  /** End it with the outcome an error means. */
  fail(err: unknown): void;
}

export const untimed: PhaseTimer = {
  begin: () => noPhase,
  time: (_name, fn) => fn(),
};

const noPhase: Phase = {
  id: '',
  begin: () => noPhase,
  time: (_name, fn) => fn(),
  end: () => undefined,
  fail: () => undefined,
};

/** Makes root spans (one per `up`, rebuild or reload) with ids unique for the engine's life. */
export class SpanRecorder {
  private seq = 0;

  constructor(
    private readonly emit: EventSink,
    private readonly clock: Clock,
  ) {}

  root(name: SpanName, opts: { service?: string; attrs?: SpanAttributes } = {}): Phase {
    return new RecordedPhase(this.emit, this.clock, `${name}-${++this.seq}`, name, undefined, opts.service, opts.attrs);
  }
}

class RecordedPhase implements Phase {
  private ended = false;
  private readonly used = new Map<string, number>();

  constructor(
    private readonly emit: EventSink,
    private readonly clock: Clock,
    readonly id: string,
    private readonly name: SpanName,
    parent: string | undefined,
    private readonly service: string | undefined,
    attrs: SpanAttributes | undefined,
  ) {
    this.emit({
      kind: 'span',
      ts: this.ts(),
      edge: 'begin',
      id,
      ...(parent !== undefined ? { parent } : {}),
      name,
      ...(service !== undefined ? { service } : {}),
      ...(attrs ? { attrs } : {}),
    });
  }

  begin(name: SpanName, opts: { attrs?: SpanAttributes; key?: string; service?: string } = {}): Phase {
    // A service's phases carry its name; the `service` span is named after the service itself.
    const key = opts.key ?? name;
    const n = (this.used.get(key) ?? 0) + 1;
    this.used.set(key, n);
    const id = `${this.id}/${key}${n > 1 ? `#${n}` : ''}`;
    return new RecordedPhase(this.emit, this.clock, id, name, this.id, opts.service ?? this.service, opts.attrs);
  }

  /** A child span for one service (the `service` span of an `up`). */
  forService(service: string, attrs?: SpanAttributes): Phase {
    return this.begin('service', { key: service, service, ...(attrs ? { attrs } : {}) });
  }

  async time<T>(name: SpanName, fn: () => Promise<T>, opts: { attrs?: SpanAttributes; key?: string } = {}): Promise<T> {
    const phase = this.begin(name, opts);
    try {
      const value = await fn();
      phase.end('ok');
      return value;
    } catch (err) {
      phase.fail(err);
      throw err;
    }
  }

  end(outcome: SpanOutcome = 'ok', message?: string, attrs?: SpanAttributes): void {
    if (this.ended) return;
    this.ended = true;
    this.emit({
      kind: 'span',
      ts: this.ts(),
      edge: 'end',
      id: this.id,
      name: this.name,
      ...(this.service !== undefined ? { service: this.service } : {}),
      outcome,
      ...(message !== undefined ? { message } : {}),
      ...(attrs ? { attrs } : {}),
    });
  }

  fail(err: unknown): void {
    const cancelled = (err as { code?: unknown } | undefined)?.code === 'engine.up-cancelled';
    this.end(cancelled ? 'cancelled' : 'failed', errorMessage(err));
  }

  private ts(): string {
    return new Date(this.clock.now()).toISOString();
  }
}

/** The `service` span of one service under an `up`'s root (untimed when there is no root). */
export function serviceSpan(root: Phase | undefined, service: string): Phase {
  return root instanceof RecordedPhase ? root.forService(service) : noPhase;
}
