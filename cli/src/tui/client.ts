// What the TUI needs from the engine daemon, as one small interface: the app is written and
// tested against this, `daemon-client.ts` implements it over the protocol, and
// `fake-client.ts` beside it drives the component tests.

import type { EngineEvent, ProjectStatus, Timeline } from '@devenv/engine';
import type { ResetParams, UpResultWire } from '@devenv/engine/protocol';

export interface TuiClient {
  /** Daemon facts shown when leaving (`devenv down` stops it; its log is here). */
  readonly daemon: { pid: number; logFile: string };
  /**
   * Subscribe to the event stream, replaying up to `replayLogs` lines of history first, then
   * read the current status. Events that arrive before the status answer are older than it.
   */
  attach(onEvent: (e: EngineEvent) => void, opts: { replayLogs: number }): Promise<ProjectStatus>;
  /** Bring the environment up (idempotent: a running environment is kept as it is). */
  up(): Promise<UpResultWire>;
  restart(service: string): Promise<void>;
  rebuild(service: string): Promise<UpResultWire>;
  /** Start the service under its debugger now (`devenv debug`): a one-shot job runs again, waiting for a client. */
  debug(service: string): Promise<UpResultWire>;
  reset(mode: ResetParams['mode']): Promise<UpResultWire>;
  /** Take the environment down; the daemon exits afterwards. */
  down(): Promise<void>;
  /** Full resync of a service's synced files (a reconcile of its watch rules). */
  resync?: (service: string) => Promise<void>;
  /** The last `up`'s timeline (before attaching the UI only sees span events from now on). */
  timeline?: () => Promise<Timeline | null>;
  /** Called once when the daemon connection ends (the daemon exited or was killed). */
  onClose(listener: () => void): void;
  close(): void;
}
