// The engine protocol, relayed: the language server answers the extension's `devenv/*`
// requests (the very `Methods` of @devenv/engine/protocol) by forwarding them to the project's
// daemon, and forwards the daemon's `devenv/event` notifications back. It attaches to a daemon
// that a terminal started (polling for its socket), starts one for `up` exactly as `devenv up`
// does, and answers `status`/`down` from the runtime's own records when no daemon runs.

import type { EngineEvent, LogEvent, ProjectStatus, ServiceStatus, Timeline } from '@devenv/engine';
import {
  type ConfigSource,
  type DaemonConnection,
  type DownParams,
  type ErrorData,
  type LogsParams,
  Methods,
  Notifications,
  type ResetParams,
  type ServiceParams,
  sendUp,
  type UpParams,
  type UpResultWire,
} from '@devenv/engine/protocol';
import { ResponseError } from 'vscode-jsonrpc';

/** How the relay reaches the daemon and the runtime; the real one is built from the CLI's context. */
export interface DaemonAccess {
  /** The project's running daemon, if any (never starts one). */
  find(): Promise<DaemonConnection | undefined>;
  /** Connect, starting a daemon when none runs (what `devenv up` does). */
  start(): Promise<DaemonConnection>;
  /** The project's status from the runtime's records, for when no daemon runs. */
  statusWithoutDaemon(): Promise<ProjectStatus>;
  /** Take down what the runtime's records show, for when no daemon runs. */
  downWithoutDaemon(params: DownParams): Promise<void>;
  /** Files, project and environment for `up`, as the CLI would send them. */
  config(): ConfigSource;
  /** The last `up`'s timeline a daemon kept in the state directory, for when none runs. */
  keptTimeline?(): Timeline | undefined;
}

/** What the relay adds to statuses on the way (debuggers a Compose file publishes itself). */
export interface StatusEnricher {
  /** Called before a batch of statuses is enriched (e.g. to re-read a changed config). */
  prepare?(): Promise<void>;
  service(status: ServiceStatus): ServiceStatus;
  project(status: ProjectStatus): ProjectStatus;
}

export interface RelayOptions {
  /** How often to look for a daemon started elsewhere (a terminal's `devenv up`). */
  pollMs?: number;
  /** Log lines per service replayed when attaching, so output channels have history. */
  replayLogs?: number;
  enrich?: StatusEnricher;
  log?: (line: string) => void;
}

const identity: StatusEnricher = { service: (s) => s, project: (p) => p };

export class DaemonRelay {
  private daemon: DaemonConnection | undefined;
  private attaching: Promise<unknown> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;
  private readonly enrich: StatusEnricher;

  constructor(
    private readonly access: DaemonAccess,
    private readonly emit: (event: EngineEvent) => void,
    private readonly opts: RelayOptions = {},
  ) {
    this.enrich = opts.enrich ?? identity;
  }

  /** Look for a daemon now and keep looking while none is attached. */
  start(): void {
    const tick = async () => {
      if (this.disposed) return;
      if (!this.daemon) await this.attach(false).catch((err) => this.opts.log?.(`attach failed: ${String(err)}`));
      if (!this.disposed) this.timer = setTimeout(tick, this.opts.pollMs ?? 2000);
    };
    void tick();
  }

  get attached(): DaemonConnection['info'] | undefined {
    return this.daemon?.info;
  }

  async up(params: UpParams): Promise<UpResultWire> {
    const daemon = await this.attach(true);
    const config = { ...this.access.config(), ...params.config };
    const result = await sendUp(daemon.connection, { ...params, config });
    await this.enrich.prepare?.();
    return { ...result, services: result.services.map((s) => this.enrich.service(s)) };
  }

  async status(): Promise<ProjectStatus> {
    const daemon = await this.attach(false);
    const status = daemon
      ? await daemon.connection.sendRequest(Methods.status)
      : await this.access.statusWithoutDaemon();
    await this.enrich.prepare?.();
    return this.enrich.project(status);
  }

  async down(params: DownParams): Promise<void> {
    const daemon = await this.attach(false);
    if (daemon) await daemon.connection.sendRequest(Methods.down, params);
    else await this.access.downWithoutDaemon(params);
  }

  async timeline(): Promise<Timeline | null> {
    const daemon = await this.attach(false);
    return daemon ? daemon.connection.sendRequest(Methods.timeline) : (this.access.keptTimeline?.() ?? null);
  }

  async logs(params: LogsParams): Promise<LogEvent[]> {
    const daemon = await this.attach(false);
    return daemon ? daemon.connection.sendRequest(Methods.logs, params) : [];
  }

  restart(params: ServiceParams): Promise<void> {
    return this.forward((c) => c.sendRequest(Methods.restart, params));
  }

  async rebuild(params: ServiceParams): Promise<UpResultWire> {
    const result = await this.forward((c) => c.sendRequest(Methods.rebuild, params));
    return { ...result, services: result.services.map((s) => this.enrich.service(s)) };
  }

  async debug(params: ServiceParams): Promise<UpResultWire> {
    const result = await this.forward((c) => c.sendRequest(Methods.debug, params));
    return { ...result, services: result.services.map((s) => this.enrich.service(s)) };
  }

  async reset(params: ResetParams): Promise<UpResultWire> {
    const result = await this.forward((c) => c.sendRequest(Methods.reset, params));
    return { ...result, services: result.services.map((s) => this.enrich.service(s)) };
  }

  resync(params: ServiceParams) {
    return this.forward((c) => c.sendRequest(Methods.resync, params));
  }

  stop(): Promise<void> {
    return this.forward((c) => c.sendRequest(Methods.stop));
  }

  shutdown(): Promise<void> {
    return this.forward((c) => c.sendRequest(Methods.shutdown));
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.daemon?.close();
    this.daemon = undefined;
  }

  private async forward<R>(fn: (connection: DaemonConnection['connection']) => Promise<R>): Promise<R> {
    const daemon = await this.attach(false);
    if (!daemon) {
      throw new ResponseError<ErrorData>(-32001, 'no devenv daemon runs for this project', {
        problems: [{ code: 'cli.no-daemon', message: 'no devenv daemon runs for this project' }],
        nextSteps: ['start the environment: F5 ("Run Both"), the "devenv: Up" command, or `devenv up`'],
      });
    }
    return fn(daemon.connection);
  }

  /** The attached daemon; found (or, with `start`, started) when none is. One attempt at a time. */
  private attach(start: true): Promise<DaemonConnection>;
  private attach(start: boolean): Promise<DaemonConnection | undefined>;
  private attach(start: boolean): Promise<DaemonConnection | undefined> {
    const attempt = this.attaching.then(async () => {
      if (this.daemon || this.disposed) return this.daemon;
      const found = start ? await this.access.start() : await this.access.find();
      return found ? this.adopt(found) : undefined;
    });
    this.attaching = attempt.catch(() => undefined);
    return attempt;
  }

  private async adopt(daemon: DaemonConnection): Promise<DaemonConnection> {
    if (this.disposed) {
      daemon.close();
      return daemon;
    }
    this.daemon = daemon;
    this.opts.log?.(`attached to daemon ${daemon.info.pid} (${daemon.info.project})`);
    daemon.connection.onNotification(Notifications.event, (e) =>
      this.emit(e.kind === 'status' ? { ...e, status: this.enrich.service(e.status) } : e),
    );
    daemon.connection.onClose(() => {
      if (this.daemon !== daemon) return;
      this.daemon = undefined;
      this.opts.log?.(`daemon ${daemon.info.pid} went away`);
      this.emit({ kind: 'project', ts: new Date().toISOString(), phase: 'stopped', message: 'no devenv daemon runs' });
    });
    await daemon.connection.sendRequest(Methods.subscribe, { replayLogs: this.opts.replayLogs ?? 200 });
    // A snapshot first, so a client that attached late starts from the whole picture.
    await this.enrich.prepare?.();
    const status = this.enrich.project(await daemon.connection.sendRequest(Methods.status));
    for (const s of status.services)
      this.emit({ kind: 'status', ts: new Date().toISOString(), service: s.name, status: s });
    this.emit({
      kind: 'project',
      ts: new Date().toISOString(),
      phase: status.phase,
      ...(status.runtimeHealth ? { runtime: status.runtimeHealth } : {}),
    });
    return daemon;
  }
}
