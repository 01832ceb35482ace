// The extension's picture of the environment: a ProjectStatus kept current from the relayed
// event stream (status, project and cluster events), replaced whole when a fresh status is fetched.
// Views read it and subscribe to changes; nothing here talks to VS Code or the server.

import type { EngineEvent, ProjectStatus, ServiceStatus } from '@devenv/engine';

export type Listener = (status: ProjectStatus) => void;

export class EnvironmentState {
  private current: ProjectStatus | undefined;
  private readonly listeners = new Set<Listener>();

  get status(): ProjectStatus | undefined {
    return this.current;
  }

  service(name: string): ServiceStatus | undefined {
    return this.current?.services.find((s) => s.name === name);
  }

  onChange(listener: Listener): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  replace(status: ProjectStatus): void {
    this.current = status;
    this.changed();
  }

  /** Fold one event in; true when the picture changed. */
  apply(event: EngineEvent): boolean {
    if (event.kind === 'status') {
      const base = this.current ?? emptyProject();
      const services = [...base.services];
      const i = services.findIndex((s) => s.name === event.service);
      if (i >= 0) services[i] = event.status;
      else services.push(event.status);
      this.current = { ...base, services };
      this.changed();
      return true;
    }
    if (event.kind === 'cluster') {
      this.current = { ...(this.current ?? emptyProject()), cluster: event.cluster };
      this.changed();
      return true;
    }
    if (event.kind === 'project') {
      // A project event carries the runtime's health whenever the daemon knows it: none, none known.
      const { runtimeHealth: _known, ...base } = this.current ?? emptyProject();
      this.current = { ...base, phase: event.phase, ...(event.runtime ? { runtimeHealth: event.runtime } : {}) };
      this.changed();
      return true;
    }
    return false;
  }

  private changed(): void {
    const status = this.current;
    if (!status) return;
    for (const l of this.listeners) l(status);
  }
}

function emptyProject(): ProjectStatus {
  return { project: '', projectDir: '', runtime: 'docker', phase: 'idle', services: [] };
}
