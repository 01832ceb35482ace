// A project's networks and volumes on the engine: created (with their drivers, options, IPAM,
// labels) when missing, checked when external, and removed by label on `down`. A network that
// exists with other settings than the file now asks for is reported, not silently kept.

import { createHash } from 'node:crypto';
import type Dockerode from 'dockerode';
import { UserError } from '../../errors.js';
import { type EventSink, now } from '../../model/events.js';
import type { NetworkSpec, ProjectSpec } from '../../model/spec.js';
import { statusOf } from './docker-errors.js';
import { LABEL } from './labels.js';
import { orderedNetworks, resolveNetwork, resolveVolume } from './network-config.js';

function networkOptions(full: string, name: string, spec: NetworkSpec | undefined, project: string) {
  const settings = {
    Driver: spec?.driver ?? 'bridge',
    ...(spec?.driverOpts ? { Options: spec.driverOpts } : {}),
    ...(spec?.internal ? { Internal: true } : {}),
    ...(spec?.attachable ? { Attachable: true } : {}),
    ...(spec?.enableIpv6 ? { EnableIPv6: true } : {}),
    ...(spec?.enableIpv4 === false ? { EnableIPv4: false } : {}),
    ...(spec?.ipam
      ? {
          IPAM: {
            Driver: spec.ipam.driver ?? 'default',
            Config: spec.ipam.config.map((c) => ({
              ...(c.subnet ? { Subnet: c.subnet } : {}),
              ...(c.ipRange ? { IPRange: c.ipRange } : {}),
              ...(c.gateway ? { Gateway: c.gateway } : {}),
              ...(c.auxAddresses ? { AuxiliaryAddresses: c.auxAddresses } : {}),
            })),
            ...(spec.ipam.options ? { Options: spec.ipam.options } : {}),
          },
        }
      : {}),
  };
  const hash = createHash('sha256').update(JSON.stringify(settings)).digest('hex').slice(0, 16);
  return {
    Name: full,
    ...settings,
    Labels: { ...spec?.labels, [LABEL.project]: project, [LABEL.network]: name, [LABEL.configHash]: hash },
    CheckDuplicate: true,
    hash,
  };
}

export async function ensureProjectResources(docker: Dockerode, project: ProjectSpec, sink: EventSink): Promise<void> {
  const wanted = new Set<string>();
  for (const svc of Object.values(project.services)) {
    if (svc.container?.networkMode) continue;
    for (const n of orderedNetworks(svc)) wanted.add(n);
  }
  for (const name of wanted) {
    const spec = project.networks[name];
    const full = resolveNetwork(project, name);
    if (spec?.external) {
      await docker
        .getNetwork(full)
        .inspect()
        .catch(() => {
          throw new UserError({
            code: 'docker.external-network-missing',
            message: `external network ${full} does not exist`,
            hint: `create it with \`docker network create ${full}\` or drop \`external: true\``,
          });
        });
      continue;
    }
    const { hash, ...options } = networkOptions(full, name, spec, project.name);
    const existing = (await docker.listNetworks({ filters: JSON.stringify({ name: [full] }) })).find(
      (n) => n.Name === full,
    );
    if (existing) {
      const had = existing.Labels?.[LABEL.configHash];
      if (had !== undefined && had !== hash) {
        throw new UserError({
          code: 'docker.network-changed',
          message: `network ${full} exists with other settings than the Compose file now gives it`,
          hint: 'run `devenv down` (it removes the network), then `devenv up` to create it anew',
        });
      }
      continue;
    }
    sink({ kind: 'log', ts: now(), service: 'devenv', stream: 'system', line: `creating network ${full}` });
    await docker.createNetwork(options as Dockerode.NetworkCreateOptions);
  }
  for (const [name, spec] of Object.entries(project.volumes)) {
    const full = resolveVolume(project, name);
    const exists = await docker
      .getVolume(full)
      .inspect()
      .then(() => true)
      .catch(() => false);
    if (exists) continue;
    if (spec.external) {
      throw new UserError({
        code: 'docker.external-volume-missing',
        message: `external volume ${full} does not exist`,
        hint: `create it with \`docker volume create ${full}\` or drop \`external: true\``,
      });
    }
    sink({ kind: 'log', ts: now(), service: 'devenv', stream: 'system', line: `creating volume ${full}` });
    await docker.createVolume({
      Name: full,
      Driver: spec.driver ?? 'local',
      ...(spec.driverOpts ? { DriverOpts: spec.driverOpts } : {}),
      Labels: { ...spec.labels, [LABEL.project]: project.name, [LABEL.volume]: name },
    });
  }
}

export async function removeProjectResources(
  docker: Dockerode,
  project: ProjectSpec,
  opts: { volumes: boolean },
): Promise<void> {
  const networks = await docker.listNetworks({
    filters: JSON.stringify({ label: [`${LABEL.project}=${project.name}`] }),
  });
  for (const n of networks) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch((err: unknown) => {
        if (statusOf(err) !== 404) throw err;
      });
  }
  if (!opts.volumes) return;
  const { Volumes } = await docker.listVolumes({
    filters: JSON.stringify({ label: [`${LABEL.project}=${project.name}`] }),
  });
  for (const v of Volumes ?? []) {
    await docker
      .getVolume(v.Name)
      .remove()
      .catch((err: unknown) => {
        if (statusOf(err) !== 404) throw err;
      });
  }
}
