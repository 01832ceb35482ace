// ServiceSpec → Docker container create options. Pure: the hash of what this produces decides
// whether an existing container is reused, so it must be deterministic.

import type Dockerode from 'dockerode';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { containerName, DEVENV_VERSION, LABEL, networkName, volumeName } from './labels.js';

const ms = (n: number): number => n * 1_000_000; // Docker wants nanoseconds

export function containerCreateOptions(
  svc: ServiceSpec,
  project: ProjectSpec,
  image: string,
  specHash: string,
): Dockerode.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  for (const p of svc.ports) {
    const key = `${p.target}/${p.protocol}`;
    exposed[key] = {};
    const list = bindings[key] ?? [];
    list.push({ HostIp: p.hostIp, HostPort: p.published === undefined ? '' : String(p.published) });
    bindings[key] = list;
  }

  const networks = svc.networks.length > 0 ? svc.networks : ['default'];
  const primary = networks[0]!;
  const endpoints: Record<string, { Aliases: string[] }> = {};
  for (const n of networks) endpoints[resolveNetwork(project, n)] = { Aliases: [svc.name] };

  const opts: Dockerode.ContainerCreateOptions = {
    name: containerName(project.name, svc.name),
    Image: image,
    Env: Object.entries(svc.environment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`),
    Labels: {
      ...svc.labels,
      [LABEL.project]: project.name,
      [LABEL.service]: svc.name,
      [LABEL.specHash]: specHash,
      [LABEL.version]: DEVENV_VERSION,
    },
    Tty: svc.tty,
    OpenStdin: svc.stdinOpen,
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Mounts: svc.volumes.map((m) => ({
        Type: m.type,
        Target: m.target,
        ReadOnly: m.readOnly,
        // An empty Source makes Docker create an anonymous volume (or a tmpfs).
        Source: m.source === undefined ? '' : m.type === 'volume' ? resolveVolume(project, m.source) : m.source,
      })),
      // The engine applies restart policies itself (Docker ignores its own after `docker kill`);
      // Docker's policy stays on so crashes are still restarted while no devenv process runs.
      RestartPolicy:
        svc.restart.name === 'on-failure'
          ? { Name: 'on-failure', MaximumRetryCount: svc.restart.maxRetries ?? 0 }
          : { Name: svc.restart.name === 'no' ? '' : svc.restart.name },
      NetworkMode: resolveNetwork(project, primary),
      Init: false,
    },
    NetworkingConfig: { EndpointsConfig: endpoints },
    Hostname: svc.name,
  };
  if (svc.command) opts.Cmd = svc.command;
  if (svc.entrypoint) opts.Entrypoint = svc.entrypoint;
  if (svc.workingDir) opts.WorkingDir = svc.workingDir;
  if (svc.user) opts.User = svc.user;
  if (svc.stopSignal) opts.StopSignal = svc.stopSignal;
  if (svc.stopGracePeriodMs !== undefined) opts.StopTimeout = Math.ceil(svc.stopGracePeriodMs / 1000);
  if (svc.healthcheck) {
    const h = svc.healthcheck;
    opts.Healthcheck =
      h.test[0] === 'NONE'
        ? { Test: ['NONE'] }
        : {
            Test: h.test,
            Interval: ms(h.intervalMs),
            Timeout: ms(h.timeoutMs),
            Retries: h.retries,
            StartPeriod: ms(h.startPeriodMs),
          };
  }
  return opts;
}

export function resolveNetwork(project: ProjectSpec, name: string): string {
  const spec = project.networks[name];
  return spec?.external ? spec.name : networkName(project.name, name);
}

export function resolveVolume(project: ProjectSpec, name: string): string {
  const spec = project.volumes[name];
  if (!spec) return name; // an anonymous or host-scoped volume name used as written
  return spec.external ? spec.name : volumeName(project.name, name);
}
