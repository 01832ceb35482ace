// Wakes a log follower when its file changes, or after a poll interval at the latest. It watches
// the logs directory (inotify on Linux, FSEvents/kqueue on macOS), so a file created, replaced or
// rotated after the follow began is still seen at once.

import { type FSWatcher, watch as fsWatch } from 'node:fs';
import { basename, dirname } from 'node:path';

export class ChangeWaiter {
  private watcher: FSWatcher | undefined;
  private wake: (() => void) | undefined;
  private dirty = false;
  private readonly name: string;

  constructor(
    private readonly path: string,
    private readonly signal: AbortSignal,
  ) {
    this.name = basename(path);
    signal.addEventListener('abort', () => this.fire(), { once: true });
  }

  async next(maxMs: number): Promise<void> {
    this.arm();
    if (this.dirty || this.signal.aborted) {
      this.dirty = false;
      return;
    }
    await new Promise<void>((res) => {
      const timer = setTimeout(() => {
        this.wake = undefined;
        res();
      }, maxMs);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        res();
      };
    });
    this.dirty = false;
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    this.fire();
  }

  private arm(): void {
    if (this.watcher) return;
    try {
      this.watcher = fsWatch(dirname(this.path), { persistent: false }, (_event, file) => {
        if (!file || file === this.name) this.fire();
      });
      this.watcher.on('error', () => {
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch {
      // No directory yet: the poll interval covers it.
    }
  }

  private fire(): void {
    this.dirty = true;
    this.wake?.();
  }
}
