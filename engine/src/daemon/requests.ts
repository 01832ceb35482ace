// What each protocol request does, on one client's connection: checked params, the daemon's
// state (initialized, shutting down) and the error a client can act on, then the engine call.
// The Daemon (daemon.ts) owns the engine, the config loading and the socket; it hands these
// handlers the little of it they need (RequestHost).

import { ErrorCodes as JsonRpcErrors, type MessageConnection, ResponseError } from 'vscode-jsonrpc/node';
import type { Engine } from '../engine/engine.js';
import { UserError } from '../errors.js';
import type { EngineEvent } from '../model/events.js';
import type { ProjectSpec } from '../model/spec.js';
import type { ProjectStatus } from '../model/status.js';
import type { Timeline } from '../model/timeline.js';
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
import { invalidParams } from './request-params.js';
import { toResponseError } from './response-error.js';

export interface UpOptions {
  services: string[];
  build: boolean;
  removeOrphans?: boolean | undefined;
  debug?: boolean | undefined;
  metricsPort?: number | undefined;
  otel?: Record<string, string> | undefined;
}

/** What the request handlers reach of the daemon. */
export interface RequestHost {
  /** The daemon is ending: requests are refused so that the client retries on a new one. */
  exiting(): boolean;
  engine(): Engine | undefined;
  /** The project of the last `up` (or the one recovered at start-up). */
  project(): ProjectSpec | undefined;
  /** The config of the last `up` that loaded (what `reset` brings up again). */
  lastConfig(): ConfigSource | undefined;
  info(): DaemonInfo;
  up(config: ConfigSource, opts: UpOptions): Promise<UpResultWire>;
  runsAnything(): boolean;
  /** The project and engine `down` takes down: the one up, else the last config's (or the daemon's own). */
  downTarget(): Promise<{ project: ProjectSpec; engine: Engine }>;
  status(): Promise<ProjectStatus>;
  timeline(): Timeline | undefined;
  /** Drop the environment from the user's registry (`devenv ls`). */
  forgetEnvironment(): void;
  exitSoon(why: string): void;
  subscribe(fn: (e: EngineEvent) => void): { dispose(): void };
  log(line: string): void;
  logFile(): string;
}

/** Answer the protocol's requests on one connection; the caller adds it to its clients and listens. */
export function serveRequests(connection: MessageConnection, host: RequestHost): void {
  let initialized = false;
  let subscription: { dispose(): void } | undefined;
  const guard =
    <P, R>(method: string, fn: (params: P) => Promise<R> | R) =>
    async (params: P): Promise<R | ResponseError<ErrorData>> => {
      if (!initialized) return new ResponseError(ErrorCodes.notInitialized, 'call devenv/initialize first');
      if (host.exiting()) return new ResponseError(ErrorCodes.shuttingDown, 'the daemon is shutting down; retry');
      const invalid = invalidParams(method, params);
      if (invalid) return new ResponseError(JsonRpcErrors.InvalidParams, `${method}: ${invalid}`);
      try {
        return await fn(params);
      } catch (err) {
        return toResponseError(err, host.log, host.logFile());
      }
    };

  connection.onRequest(Methods.initialize, (params): DaemonInfo | ResponseError<ErrorData> => {
    const invalid = invalidParams(Methods.initialize.method, params);
    if (invalid) return new ResponseError(JsonRpcErrors.InvalidParams, `${Methods.initialize.method}: ${invalid}`);
    if (host.exiting()) return new ResponseError(ErrorCodes.shuttingDown, 'the daemon is shutting down; connect again');
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
    return host.info();
  });
  connection.onRequest(
    Methods.up,
    guard(Methods.up.method, async (p) => {
      try {
        return await host.up(p.config, {
          services: p.services ?? [],
          build: p.build ?? false,
          removeOrphans: p.removeOrphans,
          debug: p.debug,
          metricsPort: p.metricsPort,
          otel: p.otel,
        });
      } catch (err) {
        // A config the user must fix, and nothing running: no reason to stay.
        if (err instanceof UserError && !host.runsAnything()) host.exitSoon('nothing runs and the config has errors');
        throw err;
      }
    }),
  );
  connection.onRequest(
    Methods.down,
    guard(Methods.down.method, async (p) => {
      const { project, engine } = await host.downTarget();
      await engine.down(project, { volumes: p.volumes ?? false });
      host.forgetEnvironment();
      if (p.shutdown ?? true) host.exitSoon('environment taken down');
    }),
  );
  connection.onRequest(
    Methods.stop,
    guard(Methods.stop.method, async () => {
      const { project, engine } = requireUp(host);
      await engine.stop(project);
    }),
  );
  connection.onRequest(
    Methods.status,
    guard(Methods.status.method, () => host.status()),
  );
  connection.onRequest(
    Methods.subscribe,
    guard(Methods.subscribe.method, (p) => {
      subscription?.dispose();
      const engine = host.engine();
      if (p.replayLogs && engine) {
        for (const e of engine.bus.history(undefined, p.replayLogs))
          void connection.sendNotification(Notifications.event, e);
      }
      const kinds = p.kinds ? new Set(p.kinds) : undefined;
      subscription = host.subscribe((e) => {
        if (!kinds || kinds.has(e.kind))
          void connection.sendNotification(Notifications.event, e).catch(() => undefined);
      });
      return { subscribed: true as const };
    }),
  );
  connection.onRequest(
    Methods.unsubscribe,
    guard(Methods.unsubscribe.method, () => {
      subscription?.dispose();
      subscription = undefined;
    }),
  );
  connection.onRequest(
    Methods.logs,
    guard(Methods.logs.method, (p) => host.engine()?.bus.history(p.service, p.limit ?? 1000) ?? []),
  );
  connection.onRequest(
    Methods.restart,
    guard(Methods.restart.method, async (p) => {
      await requireUp(host).engine.restart(p.service);
    }),
  );
  connection.onRequest(
    Methods.rebuild,
    guard(Methods.rebuild.method, async (p) => {
      const result = await requireUp(host).engine.rebuild(p.service);
      return { ...result, warnings: [] };
    }),
  );
  connection.onRequest(
    Methods.debug,
    guard(Methods.debug.method, async (p) => {
      const result = await requireUp(host).engine.debug(p.service);
      return { ...result, warnings: [] };
    }),
  );
  connection.onRequest(
    Methods.resync,
    guard(Methods.resync.method, async (p) => {
      const { project, engine } = requireUp(host);
      if (!project.services[p.service]) {
        throw new UserError({
          code: 'engine.unknown-service',
          message: `no service named ${p.service}`,
          hint: `services in this project: ${Object.keys(project.services).join(', ')}`,
        });
      }
      return engine.sync.resync(p.service);
    }),
  );
  connection.onRequest(
    Methods.reset,
    guard(Methods.reset.method, async (p) => {
      const { project, engine } = requireUp(host);
      if (engine.runtime.reset) {
        await engine.down(project, { volumes: false });
        await engine.runtime.reset(project, p.mode, engine.emit);
      } else {
        await engine.down(project, { volumes: p.mode === 'hard' });
      }
      return host.up(host.lastConfig() ?? {}, { services: [], build: false });
    }),
  );
  connection.onRequest(
    Methods.timeline,
    guard(Methods.timeline.method, () => host.timeline() ?? null),
  );
  connection.onRequest(
    Methods.shutdown,
    guard(Methods.shutdown.method, () => {
      host.exitSoon('shutdown requested');
    }),
  );
  connection.onClose(() => subscription?.dispose());
}

/** The project that is up and its engine, or the error that says to run `up` first. */
function requireUp(host: RequestHost): { project: ProjectSpec; engine: Engine } {
  const project = host.project();
  const engine = host.engine();
  if (!project || !engine) {
    throw new UserError({
      code: 'daemon.not-up',
      message: 'the environment is not up',
      hint: 'run `devenv up` first',
    });
  }
  return { project, engine };
}
