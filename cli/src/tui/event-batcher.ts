// Engine events arrive one by one, up to thousands a second. The TUI takes them in batches:
// the first event after a quiet spell schedules a flush one frame later, and everything that
// arrives meanwhile goes into the same batch. So state updates (and renders) happen at most
// once per frame, whatever the log rate.

export class EventBatcher<T> {
  private pending: T[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(
    private readonly deliver: (batch: T[]) => void,
    private readonly frameMs = 50,
  ) {}

  push = (item: T): void => {
    if (this.disposed) return;
    this.pending.push(item);
    this.timer ??= setTimeout(this.flush, this.frameMs);
  };

  flush = (): void => {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.disposed) return;
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
