// ServiceSpec → Docker container create options, one instance (replica) at a time. Pure: the hash
// of what this produces decides whether an existing container is reused, so it must be
// deterministic. The parts live beside it: host-config.ts (resources, security, namespaces),
// mount-config.ts (volumes, binds, tmpfs, secrets and configs), network-config.ts (networks,
// aliases, links, fixed addresses).

import type Dockerode from 'dockerode';
import { DEBUG_PORT_LABEL, type ProjectSpec, type ServiceSpec } from '../../model/spec.js';
import { hostConfig } from './host-config.js';
import { DEVENV_VERSION, LABEL } from './labels.js';
import { mountConfig } from './mount-config.js';
import { instanceName, networkConfig } from './network-config.js';

const ms = (n: number): number => n * 1_000_000; // Docker wants nanoseconds

export interface InstanceOptions {
  /** Which instance, from 1. */
  replica: number;
  /** Unix socket path of the engine, for `use_api_socket`. */
  apiSocket?: string;
}

export function containerCreateOptions(
  svc: ServiceSpec,
  project: ProjectSpec,
  image: string,
  specHash: string,
  instance: InstanceOptions = { replica: 1 },
): Dockerode.ContainerCreateOptions {
  const c = svc.container;
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp: string; HostPort: string }[]> = {};
  const debugPort = svc.labels[DEBUG_PORT_LABEL];
  for (const p of svc.ports) {
    const key = `${p.target}/${p.protocol}`;
    exposed[key] = {};
    // A debugger listens in every instance, but its fixed host port can be published once.
    if (instance.replica > 1 && debugPort === String(p.target) && p.protocol === 'tcp') continue;
    const hostPort =
      p.published === undefined ? '' : p.publishedEnd ? `${p.published}-${p.publishedEnd}` : String(p.published);
    const list = bindings[key] ?? [];
    list.push({ HostIp: p.hostIp, HostPort: hostPort });
    bindings[key] = list;
  }
  for (const e of c?.expose ?? []) exposed[`${e.port}/${e.protocol}`] = {};

  const network = networkConfig(svc, project, instance.replica);
  const mounts = mountConfig(svc, project, instance);
  const labels: Record<string, string> = {
    ...svc.labels,
    [LABEL.project]: project.name,
    [LABEL.service]: svc.name,
    [LABEL.specHash]: specHash,
    [LABEL.version]: DEVENV_VERSION,
  };
  if ((svc.replicas ?? 1) > 1) labels[LABEL.replica] = `${instance.replica}/${svc.replicas}`;
  // Engines before API 1.44 drop StartInterval; devenv's own early probe reads it from here.
  if (svc.healthcheck?.startIntervalMs !== undefined)
    labels[LABEL.startInterval] = String(svc.healthcheck.startIntervalMs);
  if (svc.hooks?.postStart.length) labels[LABEL.postStart] = JSON.stringify(svc.hooks.postStart);
  if (svc.hooks?.preStop.length) labels[LABEL.preStop] = JSON.stringify(svc.hooks.preStop);

  const opts: Dockerode.ContainerCreateOptions = {
    name: instanceName(project, svc, instance.replica),
    Image: image,
    Env: Object.entries(svc.environment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${v}`),
    Labels: labels,
    Tty: svc.tty,
    OpenStdin: svc.stdinOpen,
    ExposedPorts: exposed,
    HostConfig: {
      PortBindings: bindings,
      Mounts: mounts.mounts as NonNullable<Dockerode.ContainerCreateOptions['HostConfig']>['Mounts'],
      // The engine applies restart policies itself (Docker ignores its own after `docker kill`);
      // Docker's policy stays on so crashes are still restarted while no devenv process runs.
      RestartPolicy:
        svc.restart.name === 'on-failure'
          ? { Name: 'on-failure', MaximumRetryCount: svc.restart.maxRetries ?? 0 }
          : { Name: svc.restart.name === 'no' ? '' : svc.restart.name },
      NetworkMode: network.mode,
      Init: c?.init ?? false,
      ...(mounts.binds.length > 0 ? { Binds: mounts.binds } : {}),
      ...(Object.keys(mounts.tmpfs).length > 0 ? { Tmpfs: mounts.tmpfs } : {}),
      ...(mounts.volumesFrom.length > 0 ? { VolumesFrom: mounts.volumesFrom } : {}),
      ...hostConfig(svc, project),
    },
    NetworkingConfig: { EndpointsConfig: network.endpoints },
  };
  // As in Compose, the host name is the container's short id unless `hostname` names one (each
  // replica then has its own); a service that shares another's network stack has that one's.
  if (network.ownStack && c?.hostname) opts.Hostname = c.hostname;
  if (c?.domainname) opts.Domainname = c.domainname;
  if (c?.macAddress) opts.MacAddress = c.macAddress;
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
            // Read by engines from API 1.44; devenv's own early probe follows it on any engine.
            ...(h.startIntervalMs === undefined ? {} : { StartInterval: ms(h.startIntervalMs) }),
          };
  }
  return opts;
}
