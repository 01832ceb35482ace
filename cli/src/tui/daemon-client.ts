// The TuiClient over the daemon's JSON-RPC protocol: the only place the TUI talks to it.

import type { EngineEvent, ProjectStatus } from '@devenv/engine';
import {
  type ConfigSource,
  type DaemonConnection,
  Methods,
  Notifications,
  sendUp,
  type UpParams,
  type UpResultWire,
} from '@devenv/engine/protocol';
import { errorWithCommands, eventWithCommands } from '../output/hints.js';
import type { TuiClient } from './client.js';

export function daemonTuiClient(
  daemon: DaemonConnection,
  up: { config: ConfigSource; services?: string[]; build?: boolean; debug?: boolean; metricsPort?: number },
): TuiClient {
  const { connection } = daemon;
  // What the daemon says (hints in errors and events) reads as commands for this terminal.
  const request = <R>(sent: Promise<R>): Promise<R> =>
    sent.catch((err: unknown) => {
      throw errorWithCommands(err);
    });
  const upParams: UpParams = {
    config: up.config,
    ...(up.services?.length ? { services: up.services } : {}),
    ...(up.build ? { build: true } : {}),
    ...(up.debug === false ? { debug: false } : {}),
    ...(up.metricsPort !== undefined ? { metricsPort: up.metricsPort } : {}),
  };
  return {
    daemon: { pid: daemon.info.pid, logFile: daemon.info.logFile },
    async attach(onEvent: (e: EngineEvent) => void, opts: { replayLogs: number }): Promise<ProjectStatus> {
      connection.onNotification(Notifications.event, (e) => onEvent(eventWithCommands(e)));
      await connection.sendRequest(Methods.subscribe, { replayLogs: opts.replayLogs });
      return connection.sendRequest(Methods.status);
    },
    up: (): Promise<UpResultWire> => request(sendUp(connection, upParams)),
    restart: (service) => request(connection.sendRequest(Methods.restart, { service })),
    rebuild: (service) => request(connection.sendRequest(Methods.rebuild, { service })),
    debug: (service) => request(connection.sendRequest(Methods.debug, { service })),
    resync: async (service) => {
      await request(connection.sendRequest(Methods.resync, { service }));
    },
    reset: (mode) => request(connection.sendRequest(Methods.reset, { mode })),
    timeline: () => request(connection.sendRequest(Methods.timeline)),
    down: () => request(connection.sendRequest(Methods.down, { volumes: false, shutdown: true })),
    onClose: (listener) => {
      connection.onClose(listener);
    },
    close: () => daemon.close(),
  };
}
