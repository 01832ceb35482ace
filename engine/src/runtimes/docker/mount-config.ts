// What a container mounts: named and anonymous volumes, bind mounts (through `Binds` when a
// missing host directory must be created, as the short syntax does in Compose), tmpfs, the
// secrets and configs that are host files, other services' volumes, and the engine's socket.
// Secrets and configs whose content is known when loading (or that set an owner or mode) are
// not mounted: file-injection.ts copies them in before the container starts.

import type { MountSpec, ProjectSpec, ServiceFileSpec, ServiceSpec } from '../../model/spec.js';
import type { InstanceOptions } from './container-config.js';
import { instanceName, resolveVolume } from './network-config.js';

/** One entry of HostConfig.Mounts (the engine's JSON; only the options a mount uses are set). */
export interface Mount {
  Type: 'bind' | 'volume';
  Source: string;
  Target: string;
  ReadOnly: boolean;
  BindOptions?: { Propagation: string };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string };
}

export interface MountConfig {
  mounts: Mount[];
  binds: string[];
  tmpfs: Record<string, string>;
  volumesFrom: string[];
}

/** A secret or config Docker can bind-mount as it is; the others are copied in. */
export function isMountedFile(f: ServiceFileSpec): boolean {
  return f.file !== undefined && f.uid === undefined && f.gid === undefined && f.mode === undefined;
}

function bindString(m: MountSpec): string {
  const modes = [
    m.readOnly ? 'ro' : 'rw',
    ...(m.selinux ? [m.selinux] : []),
    ...(m.propagation ? [m.propagation] : []),
  ];
  return `${m.source}:${m.target}:${modes.join(',')}`;
}

export function mountConfig(svc: ServiceSpec, project: ProjectSpec, instance: InstanceOptions): MountConfig {
  const out: MountConfig = { mounts: [], binds: [], tmpfs: {}, volumesFrom: [] };
  for (const m of svc.volumes) {
    if (m.type === 'bind' && m.createHostPath && m.source !== undefined) {
      out.binds.push(bindString(m));
      continue;
    }
    // Every tmpfs goes through HostConfig.Tmpfs: Docker 20.10 cannot share (volumes_from) a
    // container whose tmpfs came through the Mount API ("no such volume").
    if (m.type === 'tmpfs') {
      const options = [
        ...(m.readOnly ? ['ro'] : []),
        ...(m.tmpfsSize !== undefined ? [`size=${m.tmpfsSize}`] : []),
        ...(m.tmpfsMode !== undefined ? [`mode=${m.tmpfsMode.toString(8)}`] : []),
        ...(m.tmpfsOptions ?? []),
      ];
      out.tmpfs[m.target] = options.join(',');
      continue;
    }
    const mount: Mount = {
      Type: m.type as 'bind' | 'volume',
      Target: m.target,
      ReadOnly: m.readOnly,
      // An empty Source makes Docker create an anonymous volume.
      Source: m.source === undefined ? '' : m.type === 'volume' ? resolveVolume(project, m.source) : m.source,
    };
    if (m.type === 'bind' && m.propagation) mount.BindOptions = { Propagation: m.propagation };
    if (m.type === 'volume' && (m.noCopy || m.volumeLabels)) {
      mount.VolumeOptions = {
        ...(m.noCopy ? { NoCopy: true } : {}),
        ...(m.volumeLabels ? { Labels: m.volumeLabels } : {}),
      };
    }
    out.mounts.push(mount);
  }
  for (const f of svc.files ?? []) {
    if (!isMountedFile(f)) continue;
    out.mounts.push({ Type: 'bind', Source: f.file as string, Target: f.target, ReadOnly: true });
  }
  for (const v of svc.container?.volumesFrom ?? []) {
    const from = v.from;
    const name =
      from.kind === 'container'
        ? from.container
        : from.kind === 'service' && project.services[from.service]
          ? instanceName(project, project.services[from.service] as ServiceSpec)
          : '';
    if (name) out.volumesFrom.push(v.readOnly ? `${name}:ro` : name);
  }
  if (svc.container?.useApiSocket && instance.apiSocket) {
    out.mounts.push({ Type: 'bind', Source: instance.apiSocket, Target: '/var/run/docker.sock', ReadOnly: false });
  }
  return out;
}
