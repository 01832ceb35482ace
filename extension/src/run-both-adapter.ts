// The parent "Run Both" session as a tiny inline debug adapter: on `launch` it brings the
// environment up (through the host: the relayed engine protocol), then starts one child
// session per debuggable service and ends when they have all ended. It has no threads of its
// own. VS Code wraps it with DebugAdapterInlineImplementation; nothing here imports `vscode`.

import type { UpResultWire } from '@devenv/engine/protocol';
import {
  type ChildConfiguration,
  planAttach,
  type RunBothConfiguration,
  resolveRunBoth,
} from './debug-configurations.js';

/** The Debug Adapter Protocol messages this adapter reads and writes (a small subset). */
export interface DapRequest {
  seq: number;
  type: 'request';
  command: string;
  arguments?: Record<string, unknown>;
}
export type DapMessage =
  | DapRequest
  | {
      seq: number;
      type: 'response';
      request_seq: number;
      command: string;
      success: boolean;
      message?: string;
      body?: unknown;
    }
  | { seq: number; type: 'event'; event: string; body?: unknown };

export interface RunBothHost {
  /** Workspace folder the services' local paths are relative to. */
  folder: string;
  /** Bring the environment up and resolve when every service settled (or failed). */
  up(config: RunBothConfiguration, signal: AbortSignal): Promise<UpResultWire>;
  /** Start one child session under this one; false when it could not start. */
  startChild(config: ChildConfiguration): Promise<boolean>;
  stopChildren(): Promise<void>;
  /** Whether stopping the session also takes the environment down. */
  stopEnvironmentOnStop(config: RunBothConfiguration): boolean;
  down(): Promise<void>;
  /** Where the session's own lines also go (the "devenv" output channel). */
  log?(line: string): void;
  now?(): number;
}

type Listener = (message: DapMessage) => void;

export class RunBothAdapter {
  private seq = 1;
  private readonly listeners = new Set<Listener>();
  private readonly children = new Set<string>();
  private readonly abort = new AbortController();
  private config: RunBothConfiguration | undefined;
  private launched = false;
  private stopping = false;
  private ended = false;
  /** Milliseconds from `launch` to every child started; for the status line and the benchmark. */
  attachMs: number | undefined;
  /** Of which: bringing the environment up (the `up` request). */
  upMs: number | undefined;

  constructor(private readonly host: RunBothHost) {}

  /** vscode.DebugAdapter's event, structurally. */
  readonly onDidSendMessage = (listener: Listener): { dispose(): void } => {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  };

  handleMessage(message: DapMessage): void {
    if (message.type !== 'request') return;
    void this.handle(message).catch((err: unknown) =>
      this.respond(message, false, undefined, err instanceof Error ? err.message : String(err)),
    );
  }

  /** A child session of ours started (VS Code's onDidStartDebugSession). */
  childStarted(id: string): void {
    this.children.add(id);
  }

  /** A child session of ours ended; when the last one ends, so does Run Both. */
  childEnded(id: string): void {
    if (!this.children.delete(id)) return;
    if (this.launched && this.children.size === 0) this.end();
  }

  dispose(): void {
    this.abort.abort();
    this.listeners.clear();
  }

  private async handle(req: DapRequest): Promise<void> {
    switch (req.command) {
      case 'initialize':
        this.respond(req, true, { supportsConfigurationDoneRequest: true });
        this.event('initialized');
        return;
      case 'launch':
        return this.launch(req);
      case 'disconnect':
      case 'terminate':
        return this.stop(req);
      case 'threads':
        this.respond(req, true, { threads: [] });
        return;
      default:
        // configurationDone, setBreakpoints, …: nothing of ours to configure.
        this.respond(req, true, req.command === 'setBreakpoints' ? { breakpoints: [] } : undefined);
    }
  }

  private async launch(req: DapRequest): Promise<void> {
    const started = this.host.now?.() ?? Date.now();
    const config = resolveRunBoth((req.arguments ?? {}) as Partial<RunBothConfiguration>);
    this.config = config;
    const result = await this.host.up(config, this.abort.signal);
    this.upMs = (this.host.now?.() ?? Date.now()) - started;
    if (this.abort.signal.aborted) {
      this.respond(req, true);
      return;
    }
    for (const f of result.failed) this.console(`devenv: ${f.service} failed: ${f.message}`);
    const plan = planAttach(result.services, this.host.folder, config);
    for (const s of plan.skipped) this.console(`devenv: not attaching to ${s.service}: ${s.reason}`);
    const outcomes = await Promise.all(
      plan.children.map(async (c) => [c.name, await this.host.startChild(c)] as const),
    );
    const attached = outcomes.filter(([, ok]) => ok).map(([name]) => name);
    for (const [name, ok] of outcomes) if (!ok) this.console(`devenv: could not attach to ${name}`);
    this.attachMs = (this.host.now?.() ?? Date.now()) - started;
    this.launched = true;
    this.respond(req, true);
    if (attached.length === 0) {
      this.console('devenv: the environment is up; no service has a debugger to attach to');
      this.end();
      return;
    }
    const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    this.console(
      `devenv: debugging ${attached.join(', ')} (ready in ${seconds(this.attachMs)}: environment up ${seconds(this.upMs)}, debuggers ${seconds(this.attachMs - this.upMs)})`,
    );
  }

  private async stop(req: DapRequest): Promise<void> {
    // A child managed by this session forwards its own stop here: the first stop does the work.
    if (this.stopping) {
      this.respond(req, true);
      return;
    }
    this.stopping = true;
    this.abort.abort();
    await this.host.stopChildren();
    const restarting = req.arguments?.restart === true;
    if (!restarting && this.config && this.host.stopEnvironmentOnStop(this.config)) {
      this.console('devenv: taking the environment down');
      await this.host.down();
    }
    this.respond(req, true);
    this.end();
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.event('terminated');
  }

  private console(line: string): void {
    this.host.log?.(line);
    this.event('output', { category: 'console', output: `${line}\n` });
  }

  private respond(req: DapRequest, success: boolean, body?: unknown, message?: string): void {
    this.send({
      seq: this.seq++,
      type: 'response',
      request_seq: req.seq,
      command: req.command,
      success,
      ...(message ? { message } : {}),
      ...(body === undefined ? {} : { body }),
    });
  }

  private event(event: string, body?: unknown): void {
    this.send({ seq: this.seq++, type: 'event', event, ...(body === undefined ? {} : { body }) });
  }

  private send(message: DapMessage): void {
    for (const l of this.listeners) l(message);
  }
}
