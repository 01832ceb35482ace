// Engine events arrive one by one, up to thousands a second. The TUI takes them in batches:
// the first event after a quiet spell schedules a flush one frame later, and everything that
// arrives meanwhile goes into the same batch. So state updates (and renders) happen at most
// once per frame, whatever the log rate. During a flood (a batch of `floodBatch` events or
// more) frames come at `floodFrameMs`: nobody reads 1,000 lines a second, and drawing them
// half as often halves the cost. Keys are not batched: they redraw at once.

export interface BatcherTiming {
  frameMs?: number;
  floodFrameMs?: number;
  floodBatch?: number;
}

export class EventBatcher<T> {
  private pending: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private flooding = false;
  private readonly frameMs: number;
  private readonly floodFrameMs: number;
  private readonly floodBatch: number;

  constructor(
    private readonly deliver: (batch: T[]) => void,
    timing: BatcherTiming = {},
  ) {
    this.frameMs = timing.frameMs ?? 50;
    this.floodFrameMs = timing.floodFrameMs ?? 100;
    this.floodBatch = timing.floodBatch ?? 100;
  }

  push = (item: T): void => {
    if (this.disposed) return;
    this.pending.push(item);
    this.timer ??= setTimeout(this.flush, this.flooding ? this.floodFrameMs : this.frameMs);
  };

  flush = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.disposed) return;
    this.flooding = this.pending.length >= this.floodBatch;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    this.deliver(batch);
  };

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }
}
