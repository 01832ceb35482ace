// How many times the language server may be restarted after it dies: a server that crashes
// on start must not be respawned forever. Five restarts within three minutes, then the user
// decides (a "Restart" action), as vscode-tilt does for `tilt lsp`.

export class RestartBudget {
  private crashes: number[] = [];

  constructor(
    private readonly max = 5,
    private readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Record a crash; true when one more automatic restart is allowed. */
  tryRestart(): boolean {
    const t = this.now();
    this.crashes = this.crashes.filter((at) => t - at < this.windowMs);
    if (this.crashes.length >= this.max) return false;
    this.crashes.push(t);
    return true;
  }

  /** After the user restarted by hand: a fresh budget. */
  reset(): void {
    this.crashes = [];
  }

  get recent(): number {
    const t = this.now();
    return this.crashes.filter((at) => t - at < this.windowMs).length;
  }
}
