// The runtime's change notifications (`Runtime.watch`): who listens to which project, a poll on a
// timer while anyone listens (adopted instances have no exit event to wait for), and the last
// state the poll saw of each instance, so only real changes are told.

import type { Disposable, RuntimeChange } from '../../runtime-interface/runtime.js';

interface Listener {
  project: string;
  onChange: (change: RuntimeChange) => void;
}

export class ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private readonly lastSeen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    private readonly pollMs: number,
    private readonly poll: () => Promise<void>,
  ) {}

  watch(project: string, onChange: (change: RuntimeChange) => void): Disposable {
    const listener: Listener = { project, onChange };
    this.listeners.add(listener);
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => void this.poll(), this.pollMs);
      this.timer.unref();
    }
    return {
      dispose: () => {
        this.listeners.delete(listener);
        if (this.listeners.size === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      },
    };
  }

  /** The projects someone listens to. */
  projects(): Set<string> {
    return new Set([...this.listeners].map((l) => l.project));
  }

  /** A change the runtime made or saw itself; `project` undefined (the record is gone): tell everyone. */
  tell(project: string | undefined, instanceId: string, service: string, reason: string): void {
    if (project === undefined) this.lastSeen.delete(instanceId);
    for (const l of this.listeners) {
      if (project === undefined || l.project === project) l.onChange({ instanceId, service, reason });
    }
  }

  /** A state the poll saw: told when it differs from the one seen before. */
  observed(project: string, instanceId: string, service: string, summary: string): void {
    const before = this.lastSeen.get(instanceId);
    this.lastSeen.set(instanceId, summary);
    if (before !== undefined && before !== summary) this.tell(project, instanceId, service, summary);
  }

  forget(instanceId: string): void {
    this.lastSeen.delete(instanceId);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.listeners.clear();
  }
}
