// The engine daemon: one per project, outliving any client. It owns the Engine, loads the
// config on each `up`, and serves the protocol (protocol/protocol.ts) to every client over a
// private socket. Lifetime: it runs while the environment does; `down` and `shutdown` end it.

import { appendFileSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import {
  createMessageConnection,
  type MessageConnection,
  ResponseError,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import { loadProject } from '../config/index.js';
import { Engine } from '../engine/engine.js';
import { type Problem, RuntimeFailure, UserError } from '../errors.js';
import type { EngineEvent } from '../model/events.js';
import { now } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { ProjectStatus } from '../model/status.js';
import { ensureStateDir } from '../protocol/client.js';
import type { DaemonPaths, ProjectIdentity } from '../protocol/project-identity.js';
import {
  type ConfigSource,
  type DaemonInfo,
  ErrorCodes,
  type ErrorData,
  Methods,
  Notifications,
  PROTOCOL_VERSION,
  type UpResultWire,
} from '../protocol/protocol.js';
import { type RuntimeChoice, selectRuntime } from '../runtimes/select-runtime.js';
import { bindDaemonSocket } from './socket-server.js';

export const DAEMON_VERSION = '0.1.0';

export interface DaemonOptions {
  identity: ProjectIdentity;
  paths: DaemonPaths;
  runtime: RuntimeChoice;
  /** How the daemon ends itself after `down`/`shutdown` (tests keep their process alive). */
  exit?: (code: number) => void;
}

export class Daemon {
  private engine: Engine | undefined;
  private project: ProjectSpec | undefined;
  private lastConfig: ConfigSource | undefined;
  private server: Server | undefined;
  private readonly clients = new Set<MessageConnection>();
  private readonly startedAt = now();
  private exiting = false;

  constructor(private readonly opts: DaemonOptions) {}

  /** Clients connected now (tests check that a vanished client is let go). */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Subscriptions alive now. */
  get subscriberCount(): number {
    return this.listeners.size;
  }

  /** Bind the socket and serve; false when another daemon already serves this project. */
  async start(): Promise<boolean> {
    ensureStateDir(this.opts.paths.stateDir);
    const bound = await bindDaemonSocket(this.opts.paths, (socket) => this.accept(socket));
    if (bound.kind === 'taken') return false;
    this.server = bound.server;
    this.log(
      `daemon ${process.pid} serving ${this.opts.identity.name} (${this.opts.identity.projectDir}) on ${this.opts.paths.socket}`,
    );
    await this.recover();
    return true;
  }

  /** After a crash or restart: find what runs already (from the runtime's records) and watch it. */
  private async recover(): Promise<void> {
    try {
      const { project } = await loadProject({
        files: this.opts.identity.files,
        projectDir: this.opts.identity.projectDir,
        projectName: this.opts.identity.name,
      });
      const engine = await this.ensureEngine(project);
      const status = await engine.attach(project, { watch: true });
      this.project = project;
      const running = status.services.filter((s) => s.instanceId).length;
      if (running > 0) this.log(`recovered ${running} running service(s) from the runtime`);
    } catch (err) {
      // Nothing to recover (or the config is broken right now): the next `up` reports it properly.
      this.log(`recovery skipped: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    this.serve(createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket)));
  }

  /** Serve the protocol on one connection (a socket, or in-memory streams in tests). */
  serve(connection: MessageConnection): void {
    let initialized = false;
    let subscription: { dispose(): void } | undefined;
    const guard =
      <P, R>(fn: (params: P) => Promise<R> | R) =>
      async (params: P): Promise<R | ResponseError<ErrorData>> => {
        if (!initialized) return new ResponseError(ErrorCodes.notInitialized, 'call devenv/initialize first');
        if (this.exiting) return new ResponseError(ErrorCodes.shuttingDown, 'the daemon is shutting down; retry');
        try {
          return await fn(params);
        } catch (err) {
          return this.toResponseError(err);
        }
      };

    connection.onRequest(Methods.initialize, (params): DaemonInfo | ResponseError<ErrorData> => {
      if (this.exiting) return new ResponseError(ErrorCodes.shuttingDown, 'the daemon is shutting down; connect again');
      if (params.protocolVersion !== PROTOCOL_VERSION) {
        return new ResponseError(
          ErrorCodes.versionMismatch,
          `this devenv client speaks protocol ${params.protocolVersion}, the running daemon (pid ${process.pid}) speaks ${PROTOCOL_VERSION}`,
          {
            hint: 'stop the old daemon with `devenv shutdown` (using the same devenv version that started it), then retry',
          },
        );
      }
      initialized = true;
      return this.info();
    });
    connection.onRequest(
      Methods.up,
      guard(async (p) => {
        try {
          return await this.up(p.config, {
            services: p.services ?? [],
            build: p.build ?? false,
            removeOrphans: p.removeOrphans,
            debug: p.debug,
          });
        } catch (err) {
          // A config the user must fix, and nothing running: no reason to stay.
          if (err instanceof UserError && !this.runsAnything()) this.exitSoon('nothing runs and the config has errors');
          throw err;
        }
      }),
    );
    connection.onRequest(
      Methods.down,
      guard(async (p) => {
        const project = this.project ?? (await this.loadFor(this.lastConfig)).project;
        const engine = await this.ensureEngine(project);
        await engine.down(project, { volumes: p.volumes ?? false });
        if (p.shutdown ?? true) this.exitSoon('environment taken down');
      }),
    );
    connection.onRequest(
      Methods.stop,
      guard(async () => {
        const project = this.requireProject();
        await this.engine!.stop(project);
      }),
    );
    connection.onRequest(
      Methods.status,
      guard(() => this.status()),
    );
    connection.onRequest(
      Methods.subscribe,
      guard((p) => {
        subscription?.dispose();
        const engine = this.engine;
        if (p.replayLogs && engine) {
          for (const e of engine.bus.history(undefined, p.replayLogs))
            void connection.sendNotification(Notifications.event, e);
        }
        const kinds = p.kinds ? new Set(p.kinds) : undefined;
        subscription = this.subscribe((e) => {
          if (!kinds || kinds.has(e.kind))
            void connection.sendNotification(Notifications.event, e).catch(() => undefined);
        });
        return { subscribed: true as const };
      }),
    );
    connection.onRequest(
      Methods.unsubscribe,
      guard(() => {
        subscription?.dispose();
        subscription = undefined;
      }),
    );
    connection.onRequest(
      Methods.logs,
      guard((p) => this.engine?.bus.history(p.service, p.limit ?? 1000) ?? []),
    );
    connection.onRequest(
      Methods.restart,
      guard(async (p) => {
        this.requireProject();
        await this.engine!.restart(p.service);
      }),
    );
    connection.onRequest(
      Methods.rebuild,
      guard(async (p) => {
        this.requireProject();
        const result = await this.engine!.rebuild(p.service);
        return { ...result, warnings: [] };
      }),
    );
    connection.onRequest(
      Methods.debug,
      guard(async (p) => {
        this.requireProject();
        const result = await this.engine!.debug(p.service);
        return { ...result, warnings: [] };
      }),
    );
    connection.onRequest(
      Methods.resync,
      guard(async (p) => {
        const project = this.requireProject();
        if (!project.services[p.service]) {
          throw new UserError({
            code: 'engine.unknown-service',
            message: `no service named ${p.service}`,
            hint: `services in this project: ${Object.keys(project.services).join(', ')}`,
          });
        }
        return this.engine!.sync.resync(p.service);
      }),
    );
    connection.onRequest(
      Methods.reset,
      guard(async (p) => {
        const project = this.requireProject();
        const engine = this.engine!;
        if (engine.runtime.reset) {
          await engine.down(project, { volumes: false });
          await engine.runtime.reset(project, p.mode, engine.emit);
        } else {
          await engine.down(project, { volumes: p.mode === 'hard' });
        }
        return this.up(this.lastConfig ?? {}, { services: [], build: false });
      }),
    );
    connection.onRequest(
      Methods.shutdown,
      guard(() => {
        this.exitSoon('shutdown requested');
      }),
    );
    connection.onClose(() => {
      subscription?.dispose();
      this.clients.delete(connection);
    });
    connection.onError(() => undefined);
    this.clients.add(connection);
    connection.listen();
  }

  private listeners = new Set<(e: EngineEvent) => void>();
  private subscribe(fn: (e: EngineEvent) => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  private async up(
    config: ConfigSource,
    opts: { services: string[]; build: boolean; removeOrphans?: boolean | undefined; debug?: boolean | undefined },
  ): Promise<UpResultWire> {
    const { project, warnings } = await this.loadFor(config);
    // Remembered only once it loads: `reset` must not pick up a config that failed.
    this.lastConfig = config;
    for (const w of warnings) {
      this.broadcast({
        kind: 'diagnostic',
        ts: now(),
        severity: 'warning',
        code: w.code,
        message: w.message,
        ...(w.location ? { location: w.location } : {}),
        ...(w.hint ? { hint: w.hint } : {}),
      });
    }
    const engine = await this.ensureEngine(project);
    this.project = project;
    const result = await engine.up(project, {
      services: opts.services,
      build: opts.build,
      ...(opts.removeOrphans === undefined ? {} : { removeOrphans: opts.removeOrphans }),
      ...(opts.debug === undefined ? {} : { debug: opts.debug }),
    });
    return { ...result, warnings };
  }

  private async loadFor(config: ConfigSource | undefined) {
    const id = this.opts.identity;
    // Interpolation sees the asking client's environment (as `docker compose` would), not the
    // environment of whichever client happened to start the daemon.
    const env = { ...(config?.env ?? process.env), DEVENV_STATE_DIR: this.opts.paths.stateDir };
    const loaded = await loadProject({
      files: config?.files?.length ? config.files : id.files,
      projectDir: config?.projectDir ?? id.projectDir,
      projectName: config?.projectName ?? id.name,
      env,
      ...(config?.profiles ? { profiles: config.profiles } : {}),
    });
    return loaded;
  }

  private async ensureEngine(project: ProjectSpec): Promise<Engine> {
    if (this.engine) return this.engine;
    const choice = this.opts.runtime === 'auto' ? (project.devenv.runtime ?? 'auto') : this.opts.runtime;
    const runtime = await selectRuntime(choice, { stateDir: this.opts.paths.stateDir });
    const engine = new Engine(runtime);
    engine.bus.subscribe((e) => this.broadcast(e));
    this.engine = engine;
    return engine;
  }

  private broadcast(e: EngineEvent): void {
    for (const fn of this.listeners) fn(e);
    if (e.kind === 'project') this.log(`phase ${e.phase}${e.message ? `: ${e.message}` : ''}`);
    else if (e.kind === 'status')
      this.log(`${e.service}: ${e.status.state}${e.status.message ? ` (${e.status.message})` : ''}`);
    else if (e.kind === 'diagnostic') this.log(`${e.severity}: ${e.message}`);
    else if (e.kind === 'log' && e.stream === 'system') this.log(`${e.service}: ${e.line}`);
  }

  private async status(): Promise<ProjectStatus> {
    if (this.engine) {
      const status = this.engine.status();
      const runtime = this.engine.runtime;
      if (runtime.clusterStatus && this.project) {
        try {
          status.cluster = await runtime.clusterStatus(this.project.name);
        } catch (err) {
          this.log(`cluster status unavailable: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return status;
    }
    return {
      project: this.opts.identity.name,
      projectDir: this.opts.identity.projectDir,
      runtime: 'docker',
      phase: 'idle',
      services: [],
    };
  }

  private info(): DaemonInfo {
    return {
      protocolVersion: PROTOCOL_VERSION,
      version: DAEMON_VERSION,
      pid: process.pid,
      startedAt: this.startedAt,
      projectDir: this.opts.identity.projectDir,
      project: this.opts.identity.name,
      runtime: this.engine?.runtime.kind ?? this.opts.runtime,
      logFile: this.opts.paths.logFile,
    };
  }

  private runsAnything(): boolean {
    return this.engine?.status().services.some((s) => s.instanceId !== undefined) ?? false;
  }

  private requireProject(): ProjectSpec {
    if (!this.project || !this.engine) {
      throw new UserError({
        code: 'daemon.not-up',
        message: 'the environment is not up',
        hint: 'run `devenv up` first',
      });
    }
    return this.project;
  }

  private toResponseError(err: unknown): ResponseError<ErrorData> {
    if (err instanceof UserError) {
      return new ResponseError(ErrorCodes.userError, err.message, {
        problems: err.problems.map(toProblemData),
        nextSteps: err.nextSteps,
      });
    }
    if (err instanceof RuntimeFailure) {
      return new ResponseError(ErrorCodes.runtimeFailure, err.message, {
        code: err.code,
        ...(err.hint ? { hint: err.hint } : {}),
        ...(err.service ? { service: err.service } : {}),
      });
    }
    this.log(`internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    return new ResponseError(
      -32603,
      `internal error in the devenv daemon: ${err instanceof Error ? err.message : String(err)}`,
      {
        hint: `this is a bug; the daemon log has the details: ${this.opts.paths.logFile}`,
      },
    );
  }

  private exitSoon(why: string): void {
    if (this.exiting) return;
    this.exiting = true;
    this.log(`exiting: ${why}`);
    // Let the response reach the client before the socket goes.
    const exit = this.opts.exit ?? ((code: number) => process.exit(code));
    // Stop accepting at once (closing the listener removes the socket file), so a client that
    // comes now starts a fresh daemon instead of talking to this one; then let the answer that
    // asked for this reach its client before the connections go.
    this.server?.close();
    this.server = undefined;
    setTimeout(() => void this.close().then(() => exit(0)), 200);
  }

  async close(): Promise<void> {
    this.server?.close();
    for (const c of this.clients) c.dispose();
    await this.engine?.close();
  }

  log(line: string): void {
    try {
      appendFileSync(this.opts.paths.logFile, `${new Date().toISOString()} ${line}\n`);
    } catch {
      // The state directory vanished (someone removed .devenv): keep serving.
    }
  }
}

function toProblemData(p: Problem) {
  return {
    code: p.code,
    message: p.message,
    ...(p.location ? { location: { file: p.location.file, line: p.location.line, col: p.location.col } } : {}),
    ...(p.hint ? { hint: p.hint } : {}),
  };
}
