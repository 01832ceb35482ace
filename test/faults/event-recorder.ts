// Every event the project's daemon sends, recorded from the moment of subscription (status,
// project and diagnostic events), over the same socket and protocol every client uses: what
// `devenv status`, the TUI and the extension would have shown, in order.

import { resolve } from 'node:path';
import type { EngineEvent } from '../../engine/src/model/events.js';
import type { ProjectStatus, ServiceStatus } from '../../engine/src/model/status.js';
import {
  type DaemonConnection,
  daemonPaths,
  Methods,
  Notifications,
  resolveIdentity,
  tryConnect,
} from '../../engine/src/protocol/index.js';

export class EventRecorder {
  readonly events: { at: number; event: EngineEvent }[] = [];

  private constructor(private readonly daemon: DaemonConnection) {
    daemon.connection.onNotification(Notifications.event, (e) => {
      this.events.push({ at: Date.now(), event: e });
    });
  }

  static async connect(files: string[], projectName: string): Promise<EventRecorder> {
    const identity = resolveIdentity({ files: files.map((f) => resolve(f)), projectName });
    if (!identity) throw new Error(`no project for ${files.join(', ')}`);
    const daemon = await tryConnect(daemonPaths(identity), {
      name: 'devenv-faults-test',
      version: '0',
      pid: process.pid,
    });
    if (!daemon) throw new Error(`no daemon runs for ${projectName}`);
    const recorder = new EventRecorder(daemon);
    await daemon.connection.sendRequest(Methods.subscribe, { kinds: ['status', 'project', 'diagnostic'] });
    return recorder;
  }

  /** The daemon's process id. */
  get daemonPid(): number {
    return this.daemon.info.pid;
  }

  status(): Promise<ProjectStatus> {
    return this.daemon.connection.sendRequest(Methods.status);
  }

  /** Status events of `service` (any service when omitted) recorded since `since` (ms). */
  statuses(service?: string, since = 0): ServiceStatus[] {
    return this.events.flatMap(({ at, event }) =>
      event.kind === 'status' && at >= since && (service === undefined || event.service === service)
        ? [event.status]
        : [],
    );
  }

  /** Diagnostics with `code` recorded since `since`. */
  diagnostics(code: string, since = 0): string[] {
    return this.events.flatMap(({ at, event }) =>
      event.kind === 'diagnostic' && event.code === code && at >= since ? [event.message] : [],
    );
  }

  /** When the runtime's health was first reported as `state` after `since` (ms), if it was. */
  runtimeHealthAt(state: string, since = 0): number | undefined {
    return this.events.find(
      ({ at, event }) => at >= since && event.kind === 'project' && event.runtime?.state === state,
    )?.at;
  }

  close(): void {
    this.daemon.close();
  }
}
