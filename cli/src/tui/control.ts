// Requests that reach the app from outside the keyboard: signals (SIGINT takes the environment
// down like ctrl-c; SIGTERM and SIGHUP leave it running) and the tests.

export type ControlRequest = 'down' | 'quit';

export class TuiControl {
  private readonly listeners = new Set<(r: ControlRequest) => void>();

  on(listener: (r: ControlRequest) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  request(r: ControlRequest): void {
    for (const l of this.listeners) l(r);
  }
}
