// A TuiClient for tests: records every request, lets the test emit engine events, and answers
// requests from overridable handlers (by default: at once, with an empty result).

import type { EngineEvent, ProjectStatus, Timeline } from '@devenv/engine';
import type { ResetParams, UpResultWire } from '@devenv/engine/protocol';
import type { TuiClient } from './client.js';

export const emptyUpResult: UpResultWire = { services: [], failed: [], actions: {}, warnings: [] };

export class FakeTuiClient implements TuiClient {
  readonly daemon = { pid: 4242, logFile: '/tmp/devenv-fake/daemon.log' };
  readonly calls: string[] = [];
  private listener: ((e: EngineEvent) => void) | undefined;
  private closeListeners: (() => void)[] = [];
  closed = false;

  constructor(
    public status: ProjectStatus,
    public handlers: {
      up?: () => Promise<UpResultWire>;
      restart?: (service: string) => Promise<void>;
      rebuild?: (service: string) => Promise<UpResultWire>;
      debug?: (service: string) => Promise<UpResultWire>;
      reset?: (mode: ResetParams['mode']) => Promise<UpResultWire>;
      down?: () => Promise<void>;
      timeline?: () => Promise<Timeline | null>;
    } = {},
    /** Events sent during attach, before the status answer (the replayed history). */
    private readonly history: EngineEvent[] = [],
  ) {}

  async attach(onEvent: (e: EngineEvent) => void, opts: { replayLogs: number }): Promise<ProjectStatus> {
    this.calls.push(`attach replayLogs=${opts.replayLogs}`);
    this.listener = onEvent;
    for (const e of this.history) onEvent(e);
    return this.status;
  }

  emit(...events: EngineEvent[]): void {
    for (const e of events) this.listener?.(e);
  }

  up(): Promise<UpResultWire> {
    this.calls.push('up');
    return this.handlers.up?.() ?? Promise.resolve(emptyUpResult);
  }

  restart(service: string): Promise<void> {
    this.calls.push(`restart ${service}`);
    return this.handlers.restart?.(service) ?? Promise.resolve();
  }

  rebuild(service: string): Promise<UpResultWire> {
    this.calls.push(`rebuild ${service}`);
    return this.handlers.rebuild?.(service) ?? Promise.resolve(emptyUpResult);
  }

  debug(service: string): Promise<UpResultWire> {
    this.calls.push(`debug ${service}`);
    return this.handlers.debug?.(service) ?? Promise.resolve(emptyUpResult);
  }

  reset(mode: ResetParams['mode']): Promise<UpResultWire> {
    this.calls.push(`reset ${mode}`);
    return this.handlers.reset?.(mode) ?? Promise.resolve(emptyUpResult);
  }

  timeline(): Promise<Timeline | null> {
    this.calls.push('timeline');
    return this.handlers.timeline?.() ?? Promise.resolve(null);
  }

  down(): Promise<void> {
    this.calls.push('down');
    return this.handlers.down?.() ?? Promise.resolve();
  }

  onClose(listener: () => void): void {
    this.closeListeners.push(listener);
  }

  /** The daemon went away. */
  drop(): void {
    for (const l of this.closeListeners) l();
  }

  close(): void {
    this.closed = true;
  }
}

/** A project as the daemon reports it, for tests: three Docker services, one with a debugger. */
export function sampleStatus(overrides: Partial<ProjectStatus> = {}): ProjectStatus {
  const startedAt = '2026-01-01T10:00:00.000Z';
  return {
    project: 'shop',
    projectDir: '/home/me/shop',
    runtime: 'docker',
    runtimeDetail: 'Docker 27.3.1 (API 1.47)',
    phase: 'running',
    services: [
      {
        name: 'postgres',
        state: 'healthy',
        health: 'healthy',
        instanceId: 'a'.repeat(64),
        ports: [],
        restartCount: 0,
        startedAt,
      },
      {
        name: 'backend',
        state: 'healthy',
        health: 'healthy',
        instanceId: 'b'.repeat(64),
        ports: [{ hostIp: '127.0.0.1', hostPort: 8000, containerPort: 8000, protocol: 'tcp' }],
        debug: {
          type: 'python',
          protocol: 'dap',
          hostIp: '127.0.0.1',
          hostPort: 5678,
          pathMappings: [{ localRoot: '/home/me/shop/backend', remoteRoot: '/app' }],
        },
        restartCount: 2,
        startedAt,
        sync: { files: 3, lastMs: 41, p50Ms: 38, at: startedAt },
        url: 'http://127.0.0.1:8000',
      },
      {
        name: 'worker',
        state: 'exited',
        health: 'none',
        instanceId: 'c'.repeat(64),
        ports: [],
        restartCount: 1,
        exitCode: 3,
      },
    ],
    ...overrides,
  };
}
