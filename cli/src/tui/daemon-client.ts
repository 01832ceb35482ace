// The TuiClient over the daemon's JSON-RPC protocol: the only place the TUI talks to it.

import type { EngineEvent, ProjectStatus } from '@devenv/engine';
import {
  type ConfigSource,
  type DaemonConnection,
  Methods,
  Notifications,
  type UpParams,
  type UpResultWire,
} from '@devenv/engine/protocol';
import type { TuiClient } from './client.js';

export function daemonTuiClient(
  daemon: DaemonConnection,
  up: { config: ConfigSource; services?: string[]; build?: boolean; debug?: boolean },
): TuiClient {
  const { connection } = daemon;
  const upParams: UpParams = {
    config: up.config,
    ...(up.services?.length ? { services: up.services } : {}),
    ...(up.build ? { build: true } : {}),
    ...(up.debug === false ? { debug: false } : {}),
  };
  return {
    daemon: { pid: daemon.info.pid, logFile: daemon.info.logFile },
    async attach(onEvent: (e: EngineEvent) => void, opts: { replayLogs: number }): Promise<ProjectStatus> {
      connection.onNotification(Notifications.event, onEvent);
      await connection.sendRequest(Methods.subscribe, { replayLogs: opts.replayLogs });
      return connection.sendRequest(Methods.status);
    },
    up: (): Promise<UpResultWire> => connection.sendRequest(Methods.up, upParams),
    restart: (service) => connection.sendRequest(Methods.restart, { service }),
    rebuild: (service) => connection.sendRequest(Methods.rebuild, { service }),
    debug: (service) => connection.sendRequest(Methods.debug, { service }),
    resync: async (service) => {
      await connection.sendRequest(Methods.resync, { service });
    },
    reset: (mode) => connection.sendRequest(Methods.reset, { mode }),
    down: () => connection.sendRequest(Methods.down, { volumes: false, shutdown: true }),
    onClose: (listener) => {
      connection.onClose(listener);
    },
    close: () => daemon.close(),
  };
}
