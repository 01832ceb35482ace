// The engine daemon: one per project, outliving any client. It owns the Engine, loads the
// config on each `up` (load-for-client.ts), and serves the protocol (protocol/protocol.ts;
// requests.ts answers each request) to every client over a private socket. Lifetime: it runs while the environment does; `down` and `shutdown` end it.

import { appendFileSync, chmodSync } from 'node:fs';
import type { Server, Socket } from 'node:net';
import {
  createMessageConnection,
  type MessageConnection,
  SocketMessageWriter,
  StreamMessageReader,
} from 'vscode-jsonrpc/node';
import { toProblem } from '../config/diagnostics.js';
import { checkKeysForRuntime, type KeyUse } from '../config/index.js';
import { Engine } from '../engine/engine.js';
import { type Problem, UserError } from '../errors.js';
import type { EngineEvent } from '../model/events.js';
import { now } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { ProjectStatus } from '../model/status.js';
import { ensureStateDir } from '../protocol/client.js';
import { forgetEnvironment, recordEnvironment } from '../protocol/environment-registry.js';
import type { DaemonPaths, ProjectIdentity } from '../protocol/project-identity.js';
import { type ConfigSource, type DaemonInfo, PROTOCOL_VERSION, type UpResultWire } from '../protocol/protocol.js';
import type { Runtime } from '../runtime-interface/runtime.js';
import {
  type RuntimeChoice,
  type RuntimeContext,
  selectRuntime,
  servicesStateDirOf,
} from '../runtimes/select-runtime.js';
import { errorMessage } from '../shared/error-text.js';
import { loadForClient } from './load-for-client.js';
import { MAX_MESSAGE_BYTES, MessageLimit } from './message-limit.js';
import { DaemonObservability } from './observability.js';
import { type RequestHost, serveRequests, type UpOptions } from './requests.js';
import { bindDaemonSocket } from './socket-server.js';

export const DAEMON_VERSION = '0.1.0';

export interface DaemonOptions {
  identity: ProjectIdentity;
  paths: DaemonPaths;
  runtime: RuntimeChoice;
  /** How the daemon ends itself after `down`/`shutdown` (tests keep their process alive). */
  exit?: (code: number) => void;
  /** Where the runtime comes from (default: selectRuntime; unit tests hand in a FakeRuntime). */
  makeRuntime?: (choice: RuntimeChoice, ctx: RuntimeContext) => Promise<Runtime>;
}

export class Daemon {
  private engine: Engine | undefined;
  private engineMade: Promise<Engine> | undefined;
  private project: ProjectSpec | undefined;
  private lastConfig: ConfigSource | undefined;
  /** The runtime asked for (`--runtime`, else the file's), `auto` until the engine exists: recorded in the registry. */
  private runtimeChoice: RuntimeChoice = 'auto';
  private server: Server | undefined;
  private readonly clients = new Set<MessageConnection>();
  private readonly startedAt = now();
  private exiting = false;
  /** DEVENV_STATE_DIR for the config and the services: the project's state directory unless the runtime chose another. */
  private servicesStateDir: string;
  private readonly pendingNotices: string[] = [];
  /** The last up's timeline, its OTLP export, the metrics endpoint. */
  private readonly observability: DaemonObservability;

  constructor(private readonly opts: DaemonOptions) {
    this.servicesStateDir = opts.paths.stateDir;
    this.observability = new DaemonObservability({
      stateDir: opts.paths.stateDir,
      project: opts.identity.name,
      log: (line) => this.log(line),
      clients: () => this.clients.size,
      broadcast: (e) => this.broadcast(e),
    });
  }

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
    try {
      chmodSync(this.opts.paths.logFile, 0o600); // one an older devenv made 0644
    } catch {
      // not there yet: log() makes it 0600
    }
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
      const {
        loaded: { project },
        engine,
      } = await this.loadWithEngine(undefined);
      const status = await engine.attach(project, { watch: true });
      this.project = project;
      const running = status.services.filter((s) => s.instanceId).length;
      if (running > 0) this.log(`recovered ${running} running service(s) from the runtime`);
    } catch (err) {
      // Nothing to recover (or the config is broken right now): the next `up` reports it properly.
      this.log(`recovery skipped: ${errorMessage(err)}`);
    }
  }

  private accept(socket: Socket): void {
    socket.on('error', () => undefined);
    const limited = new MessageLimit(MAX_MESSAGE_BYTES, (why) =>
      this.log(`closed a client connection: it sent ${why}`),
    );
    limited.on('error', () => socket.destroy());
    socket.pipe(limited);
    this.serve(createMessageConnection(new StreamMessageReader(limited), new SocketMessageWriter(socket)));
  }

  /** Serve the protocol on one connection (a socket, or in-memory streams in tests). */
  serve(connection: MessageConnection): void {
    serveRequests(connection, this.requestHost);
    connection.onClose(() => this.clients.delete(connection));
    connection.onError(() => undefined);
    this.clients.add(connection);
    connection.listen();
  }

  /** What the request handlers (requests.ts) reach of this daemon. */
  private readonly requestHost: RequestHost = {
    exiting: () => this.exiting,
    engine: () => this.engine,
    project: () => this.project,
    lastConfig: () => this.lastConfig,
    info: () => this.info(),
    up: (config, opts) => this.up(config, opts),
    runsAnything: () => this.runsAnything(),
    downTarget: async () =>
      this.project
        ? { project: this.project, engine: await this.ensureEngine(this.project) }
        : await this.loadWithEngine(this.lastConfig).then((r) => ({ project: r.loaded.project, engine: r.engine })),
    status: () => this.status(),
    timeline: () => this.observability.timeline(),
    forgetEnvironment: () => this.registry('forget'),
    exitSoon: (why) => this.exitSoon(why),
    subscribe: (fn) => this.subscribe(fn),
    log: (line) => this.log(line),
    logFile: () => this.opts.paths.logFile,
  };

  private listeners = new Set<(e: EngineEvent) => void>();
  private subscribe(fn: (e: EngineEvent) => void): { dispose(): void } {
    this.listeners.add(fn);
    return { dispose: () => this.listeners.delete(fn) };
  }

  private async up(config: ConfigSource, opts: UpOptions): Promise<UpResultWire> {
    const {
      loaded: { project, warnings: loadWarnings, keyUses },
      engine,
    } = await this.loadWithEngine(config);
    const warnings = [...loadWarnings, ...(await this.refusedKeys(engine, keyUses, project.projectDir))];
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
    for (const message of this.pendingNotices.splice(0)) {
      this.broadcast({ kind: 'diagnostic', ts: now(), severity: 'info', code: 'process.state-moved', message });
    }
    this.project = project;
    this.registry('record', config, engine);
    const metricsUrl = await this.observability.prepareUp({
      metricsPort: opts.metricsPort ?? project.devenv.metrics?.port,
      otel: opts.otel,
    });
    const result = await engine.up(project, {
      services: opts.services,
      build: opts.build,
      ...(opts.removeOrphans === undefined ? {} : { removeOrphans: opts.removeOrphans }),
      ...(opts.debug === undefined ? {} : { debug: opts.debug }),
    });
    return { ...result, warnings, ...(metricsUrl ? { metricsUrl } : {}) };
  }

  /**
   * The Compose keys this runtime (and this Docker engine's API version) cannot honour fail `up`
   * at their position before anything starts; the ones it ignores come back as warnings.
   */
  private async refusedKeys(engine: Engine, keyUses: readonly KeyUse[], projectDir: string): Promise<Problem[]> {
    const info = await engine.runtime.connect();
    const target = info.apiVersion ? { kind: info.kind, dockerApi: info.apiVersion } : { kind: info.kind };
    const { errors, warnings } = checkKeysForRuntime(keyUses, target, projectDir);
    if (errors.length > 0)
      throw new UserError(errors.map(toProblem), ['fix the problems above, then run the command again']);
    return warnings.map(toProblem);
  }

  private loadFor(config: ConfigSource | undefined) {
    return loadForClient(this.opts.identity, config, this.servicesStateDir);
  }

  /** `devenv ls` and `-p NAME` from anywhere read the user's registry of environments; a failure to write it is logged only. */
  private registry(action: 'record' | 'forget', config?: ConfigSource, engine?: Engine): void {
    const id = this.opts.identity;
    try {
      if (action === 'forget') forgetEnvironment(id);
      else
        recordEnvironment({
          project: id.name,
          projectDir: id.projectDir,
          files: config?.files?.length ? config.files : id.files,
          ...(config?.profiles?.length ? { profiles: config.profiles } : {}),
          runtime: this.runtimeChoice === 'auto' ? (engine?.runtime.kind ?? 'auto') : this.runtimeChoice,
          updatedAt: now(),
        });
    } catch (err) {
      this.log(`registry of environments: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /**
   * Load the config and make sure the engine exists. The runtime may keep the services' state
   * elsewhere (DEVENV_STATE_DIR; see runtimes/process/services-state-dir.ts): then the config is
   * read again with that directory, since the file interpolates it.
   */
  private async loadWithEngine(config: ConfigSource | undefined) {
    let loaded = await this.loadFor(config);
    const used = this.servicesStateDir;
    const engine = await this.ensureEngine(loaded.project);
    if (this.servicesStateDir !== used) loaded = await this.loadFor(config);
    return { loaded, engine };
  }

  /**
   * One engine per daemon, even when start-up recovery and the first client's `up` ask at once:
   * two runtimes on one state directory would each take the other's starting services for
   * interrupted ones.
   */
  private ensureEngine(project: ProjectSpec): Promise<Engine> {
    this.engineMade ??= this.makeEngine(project).catch((err: unknown) => {
      this.engineMade = undefined;
      throw err;
    });
    return this.engineMade;
  }

  private async makeEngine(project: ProjectSpec): Promise<Engine> {
    const choice = this.opts.runtime === 'auto' ? (project.devenv.runtime ?? 'auto') : this.opts.runtime;
    this.runtimeChoice = choice;
    const notices: string[] = [];
    // Said once, to the client of the next `up` (the engine may be made at start-up, with nobody listening).
    const make = this.opts.makeRuntime ?? selectRuntime;
    const runtime = await make(choice, {
      stateDir: this.opts.paths.stateDir,
      project,
      explicitStateDir: process.env.DEVENV_STATE_DIR !== undefined,
      onNotice: (message) => notices.push(message),
    });
    this.servicesStateDir = servicesStateDirOf(runtime) ?? this.opts.paths.stateDir;
    for (const message of notices) this.log(message);
    this.pendingNotices.push(...notices);
    const engine = new Engine(runtime);
    engine.bus.subscribe((e) => this.broadcast(e));
    this.observability.attach(engine);
    this.engine = engine;
    return engine;
  }

  private broadcast(e: EngineEvent): void {
    for (const fn of this.listeners) fn(e);
    if (e.kind === 'project') {
      const engine = e.runtime && e.runtime.state !== 'available' ? ` (engine ${e.runtime.state})` : '';
      this.log(`phase ${e.phase}${engine}${e.message ? `: ${e.message}` : ''}`);
    } else if (e.kind === 'status')
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
          this.log(`cluster status unavailable: ${errorMessage(err)}`);
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
    await this.observability.close();
  }

  log(line: string): void {
    try {
      appendFileSync(this.opts.paths.logFile, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    } catch {
      // The state directory vanished (someone removed .devenv): keep serving.
    }
  }
}
