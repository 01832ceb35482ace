// Each service's ports on this machine: one PortForwarder per port the service publishes (the
// Compose `ports:` and the debugger's port, at the host ports the engine reports), all bound on
// the addresses the spec names (127.0.0.1 unless the file says otherwise). The list comes from
// the workload itself (the dev overlay's `dev.devenv/forwards`), so a daemon that finds a running
// service again forwards exactly what `up` forwarded.

import { RuntimeFailure } from '../../errors.js';
import type { PortSpec } from '../../model/spec.js';
import type { PublishedPort } from '../../model/status.js';
import { instanceSelector } from './compose-to-k8s.js';
import type { KubeApi } from './kube-api.js';
import { projectNamespace } from './names.js';
import { type ForwardEvent, PortForwarder } from './port-forward.js';

export class ServiceForwards {
  private readonly forwards = new Map<string, PortForwarder[]>();

  constructor(
    private readonly kube: () => KubeApi,
    private readonly log: (service: string, line: string) => void,
  ) {}

  has(service: string): boolean {
    return this.forwards.has(service);
  }

  /** Forwards `ports` of the service's current pod (each connection goes to the pod current then). */
  async ensure(project: string, service: string, ports: readonly PortSpec[]): Promise<void> {
    if (this.forwards.has(service)) return;
    const ns = projectNamespace(project);
    const selector = instanceSelector(project, service);
    const onEvent = (e: ForwardEvent) => {
      if (e.kind === 'failed')
        this.log(service, `port-forward: ${e.message ?? 'failed'}${e.pod ? ` (pod ${e.pod})` : ''}`);
    };
    const list: PortForwarder[] = [];
    for (const p of ports) {
      if (p.protocol !== 'tcp') {
        this.log(service, `port ${p.target}/udp is not forwarded: the Kubernetes API forwards TCP only`);
        continue;
      }
      const spec = {
        namespace: ns,
        selector,
        remotePort: p.target,
        host: p.hostIp || '127.0.0.1',
        ...(p.published ? { localPort: p.published } : {}),
      };
      list.push(new PortForwarder(this.kube(), spec, onEvent));
    }
    try {
      for (const f of list) await f.start();
    } catch (err) {
      for (const f of list) await f.close();
      const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
      throw new RuntimeFailure(
        busy ? 'kubernetes.port-busy' : 'kubernetes.port-forward',
        `cannot listen for ${service}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`,
        {
          service,
          hint: busy
            ? 'another process holds that port: `devenv doctor` shows which; stop it or change the port'
            : 'see the log above',
        },
      );
    }
    this.forwards.set(service, list);
  }

  async close(service: string): Promise<void> {
    const list = this.forwards.get(service);
    this.forwards.delete(service);
    for (const f of list ?? []) await f.close();
  }

  async closeAll(): Promise<void> {
    for (const service of [...this.forwards.keys()]) await this.close(service);
  }

  /** A pod of the service changed; `gone`: it is going away, so its connections are closed. */
  podsChanged(service: string, gone?: string): void {
    for (const f of this.forwards.get(service) ?? []) f.podsChanged(gone);
  }

  published(service: string): PublishedPort[] {
    return (this.forwards.get(service) ?? [])
      .filter((f) => f.address)
      .map((f) => ({
        hostIp: f.address!.host,
        hostPort: f.address!.port,
        containerPort: f.spec.remotePort,
        protocol: 'tcp' as const,
      }));
  }
}
