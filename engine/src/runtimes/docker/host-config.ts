// The part of a container's HostConfig that is neither mounts nor ports nor networks: resources,
// security, namespaces, devices, DNS and hosts, logging, annotations. Only what the service sets
// appears, so a service that sets none of it keeps the options (and spec hash) it always had.

import type Dockerode from 'dockerode';
import type { ProjectSpec, ServiceSpec } from '../../model/spec.js';
import { namespaceMode } from './network-config.js';

type HostConfig = NonNullable<Dockerode.ContainerCreateOptions['HostConfig']> & Record<string, unknown>;

export function hostConfig(svc: ServiceSpec, project: ProjectSpec): HostConfig {
  const out: HostConfig = {};
  const r = svc.resources;
  if (r) {
    if (r.memoryLimit !== undefined) out.Memory = r.memoryLimit;
    if (r.memoryReservation !== undefined) out.MemoryReservation = r.memoryReservation;
    if (r.memorySwapLimit !== undefined) out.MemorySwap = r.memorySwapLimit;
    if (r.memorySwappiness !== undefined) out.MemorySwappiness = r.memorySwappiness;
    if (r.cpus !== undefined) out.NanoCpus = Math.round(r.cpus * 1e9);
    if (r.cpuShares !== undefined) out.CpuShares = r.cpuShares;
    if (r.cpuQuota !== undefined) out.CpuQuota = r.cpuQuota;
    if (r.cpuPeriod !== undefined) out.CpuPeriod = r.cpuPeriod;
    if (r.cpuset !== undefined) out.CpusetCpus = r.cpuset;
    if (r.pidsLimit !== undefined) out.PidsLimit = r.pidsLimit;
    const b = r.blkio;
    if (b) {
      if (b.weight !== undefined) out.BlkioWeight = b.weight;
      if (b.weightDevice.length)
        out.BlkioWeightDevice = b.weightDevice.map((d) => ({ Path: d.path, Weight: d.weight }));
      const rates = (list: { path: string; rate: number }[]) => list.map((d) => ({ Path: d.path, Rate: d.rate }));
      if (b.deviceReadBps.length) out.BlkioDeviceReadBps = rates(b.deviceReadBps);
      if (b.deviceWriteBps.length) out.BlkioDeviceWriteBps = rates(b.deviceWriteBps);
      if (b.deviceReadIops.length) out.BlkioDeviceReadIOps = rates(b.deviceReadIops);
      if (b.deviceWriteIops.length) out.BlkioDeviceWriteIOps = rates(b.deviceWriteIops);
    }
  }
  const c = svc.container;
  if (!c) return out;
  if (c.capAdd.length) out.CapAdd = c.capAdd;
  if (c.capDrop.length) out.CapDrop = c.capDrop;
  if (c.privileged) out.Privileged = true;
  if (c.securityOpt.length) out.SecurityOpt = c.securityOpt;
  if (Object.keys(c.sysctls).length) out.Sysctls = c.sysctls;
  const ulimits = Object.entries(c.ulimits);
  if (ulimits.length) out.Ulimits = ulimits.map(([Name, u]) => ({ Name, Soft: u.soft, Hard: u.hard }));
  if (c.shmSize !== undefined) out.ShmSize = c.shmSize;
  if (c.readOnly) out.ReadonlyRootfs = true;
  if (c.runtime) out.Runtime = c.runtime;
  if (c.pid) out.PidMode = namespaceMode(c.pid, project);
  if (c.ipc) out.IpcMode = namespaceMode(c.ipc, project);
  if (c.uts) out.UTSMode = c.uts;
  if (c.usernsMode) out.UsernsMode = c.usernsMode;
  if (c.cgroup) out.CgroupnsMode = c.cgroup;
  if (c.cgroupParent) out.CgroupParent = c.cgroupParent;
  if (c.devices.length)
    out.Devices = c.devices.map((d) => ({
      PathOnHost: d.source,
      PathInContainer: d.target,
      CgroupPermissions: d.permissions,
    }));
  if (c.deviceCgroupRules.length) out.DeviceCgroupRules = c.deviceCgroupRules;
  if (c.groupAdd.length) out.GroupAdd = c.groupAdd;
  if (c.dns.length) out.Dns = c.dns;
  if (c.dnsSearch.length) out.DnsSearch = c.dnsSearch;
  if (c.dnsOpt.length) out.DnsOptions = c.dnsOpt;
  if (c.extraHosts.length) out.ExtraHosts = c.extraHosts.map((h) => `${h.host}:${h.address}`);
  if (Object.keys(c.annotations).length) out.Annotations = c.annotations;
  if (c.logging) out.LogConfig = { Type: c.logging.driver ?? '', Config: c.logging.options };
  if (c.oomKillDisable !== undefined) out.OomKillDisable = c.oomKillDisable;
  if (c.oomScoreAdj !== undefined) out.OomScoreAdj = c.oomScoreAdj;
  return out;
}
