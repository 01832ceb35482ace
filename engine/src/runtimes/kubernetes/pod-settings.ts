// The Compose settings of a service that a pod can carry, applied to the generated pod spec and
// its one container: resources, security context (capabilities, privileged, read-only root,
// no-new-privileges, seccomp and AppArmor, SELinux, sysctls, supplementary groups), hostname,
// DNS, /etc/hosts entries, /dev/shm size, an init (shared process namespace), platform,
// lifecycle hooks, labels and annotations, pull policy. What the key table refuses on Kubernetes
// never gets here; what cannot carry over for a particular value is reported as a problem.

import type { Problem } from '../../errors.js';
import type { ResourceSpec, ServiceSpec } from '../../model/spec.js';

type Obj = Record<string, unknown>;

const QUALIFIED =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

/** Kubernetes quantities: CPUs in millicores, memory in bytes. */
export function resourcesOf(r: ResourceSpec | undefined): Obj | undefined {
  if (!r) return undefined;
  const limits: Obj = {};
  const requests: Obj = {};
  const cpuLimit = r.cpus ?? (r.cpuQuota && r.cpuQuota > 0 ? r.cpuQuota / (r.cpuPeriod ?? 100_000) : undefined);
  if (cpuLimit !== undefined) limits.cpu = `${Math.max(1, Math.round(cpuLimit * 1000))}m`;
  if (r.memoryLimit !== undefined) limits.memory = String(r.memoryLimit);
  const cpuRequest = r.cpuReservation ?? (r.cpuShares !== undefined ? r.cpuShares / 1024 : undefined);
  if (cpuRequest !== undefined) requests.cpu = `${Math.max(1, Math.round(cpuRequest * 1000))}m`;
  if (r.memoryReservation !== undefined) requests.memory = String(r.memoryReservation);
  const out: Obj = {};
  if (Object.keys(limits).length) out.limits = limits;
  if (Object.keys(requests).length) out.requests = requests;
  return Object.keys(out).length ? out : undefined;
}

const PULL: Record<string, string> = {
  always: 'Always',
  never: 'Never',
  missing: 'IfNotPresent',
  build: 'IfNotPresent',
  every: 'Always',
};

export interface PodSettings {
  /** Merged into the pod spec. */
  pod: Obj;
  /** Merged into the container. */
  container: Obj;
  /** Pod template annotations (Compose labels and annotations). */
  annotations: Record<string, string>;
  volumes: Obj[];
  mounts: Obj[];
  problems: Problem[];
}

export function podSettings(svc: ServiceSpec, baseSecurity: Obj | undefined): PodSettings {
  const out: PodSettings = { pod: {}, container: {}, annotations: {}, volumes: [], mounts: [], problems: [] };
  const problem = (message: string, hint: string) =>
    out.problems.push({
      code: 'kubernetes.setting-left-out',
      message: `service ${svc.name}: ${message}`,
      hint,
      ...(svc.source ? { location: svc.source } : {}),
    });
  const c = svc.container;
  const resources = resourcesOf(svc.resources);
  if (resources) out.container.resources = resources;
  if (svc.pullPolicy) out.container.imagePullPolicy = PULL[svc.pullPolicy.kind];

  for (const [key, value] of Object.entries({ ...svc.labels, ...c?.annotations })) {
    if (key.startsWith('dev.devenv.') || key.startsWith('dev.devenv/')) continue;
    if (QUALIFIED.test(key)) out.annotations[key] = value;
    else
      problem(
        `the label or annotation \`${key}\` is not a valid Kubernetes annotation name`,
        'rename it (letters, digits, `-`, `_`, `.`, at most 63 characters after an optional `prefix/`)',
      );
  }

  const security: Obj = { ...baseSecurity };
  const podSecurity: Obj = {};
  if (c) {
    const strip = (cap: string) => cap.replace(/^CAP_/, '');
    if (c.capAdd.length || c.capDrop.length)
      security.capabilities = {
        ...(c.capAdd.length ? { add: c.capAdd.map(strip) } : {}),
        ...(c.capDrop.length ? { drop: c.capDrop.map(strip) } : {}),
      };
    if (c.privileged) security.privileged = true;
    if (c.readOnly) security.readOnlyRootFilesystem = true;
    const selinux: Obj = {};
    for (const opt of c.securityOpt) {
      const [name = '', value = ''] = opt.split('=', 2);
      if (name === 'no-new-privileges') security.allowPrivilegeEscalation = value === 'false';
      else if (name === 'seccomp' && (value === 'unconfined' || value === 'builtin'))
        security.seccompProfile = { type: value === 'unconfined' ? 'Unconfined' : 'RuntimeDefault' };
      else if (name === 'apparmor')
        security.appArmorProfile =
          value === 'unconfined' ? { type: 'Unconfined' } : { type: 'Localhost', localhostProfile: value };
      else if (name === 'label' && /^(user|role|type|level):/.test(value)) {
        const [field = '', v = ''] = value.split(/:(.*)/s);
        selinux[field] = v;
      } else
        problem(
          `the security option \`${opt.slice(0, 60)}\` has no pod equivalent and is left out`,
          'give the seccomp profile to the cluster’s nodes, or run with `--runtime docker`',
        );
    }
    if (Object.keys(selinux).length) security.seLinuxOptions = selinux;
    const sysctls = Object.entries(c.sysctls);
    if (sysctls.length) podSecurity.sysctls = sysctls.map(([name, value]) => ({ name, value }));
    const groups = c.groupAdd.filter((g) => /^\d+$/.test(g)).map(Number);
    for (const g of c.groupAdd.filter((g) => !/^\d+$/.test(g)))
      problem(
        `group \`${g}\` is a name; a pod needs numeric group ids`,
        `write its gid in \`group_add\` (e.g. \`getent group ${g}\`)`,
      );
    if (groups.length) podSecurity.supplementalGroups = groups;
    if (c.hostname) out.pod.hostname = c.hostname.split('.')[0]?.toLowerCase();
    if (c.init) out.pod.shareProcessNamespace = true;
    if (c.platform) {
      const [os, arch] = c.platform.split('/');
      out.pod.nodeSelector = { 'kubernetes.io/os': os, 'kubernetes.io/arch': arch };
    }
    if (c.dns.length || c.dnsSearch.length || c.dnsOpt.length) {
      out.pod.dnsConfig = {
        ...(c.dns.length ? { nameservers: c.dns } : {}),
        ...(c.dnsSearch.length ? { searches: c.dnsSearch } : {}),
        ...(c.dnsOpt.length
          ? {
              options: c.dnsOpt.map((o) => {
                const [name = '', value] = o.split(':');
                return value === undefined ? { name } : { name, value };
              }),
            }
          : {}),
      };
    }
    const aliases = new Map<string, string[]>();
    for (const h of c.extraHosts) {
      if (h.address === 'host-gateway') {
        problem(
          `\`extra_hosts\` entry ${h.host}:host-gateway has no pod equivalent and is left out`,
          'give the host’s address on the cluster network instead',
        );
        continue;
      }
      aliases.set(h.address, [...(aliases.get(h.address) ?? []), h.host]);
    }
    if (aliases.size) out.pod.hostAliases = [...aliases].map(([ip, hostnames]) => ({ ip, hostnames }));
    if (c.shmSize !== undefined) {
      out.volumes.push({ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: String(c.shmSize) } });
      out.mounts.push({ name: 'dshm', mountPath: '/dev/shm' });
    }
  }
  if (Object.keys(security).length) out.container.securityContext = security;
  if (Object.keys(podSecurity).length) out.pod.securityContext = podSecurity;

  const hook = (hooks: { command: string[] }[] | undefined) =>
    hooks && hooks.length > 0
      ? hooks.length === 1
        ? (hooks[0] as { command: string[] }).command
        : ['/bin/sh', '-c', hooks.map((h) => h.command.map(shellWord).join(' ')).join(' && ')]
      : undefined;
  const postStart = hook(svc.hooks?.postStart);
  const preStop = hook(svc.hooks?.preStop);
  const lifecycle: Obj = {};
  if (postStart) lifecycle.postStart = { exec: { command: postStart } };
  if (preStop) lifecycle.preStop = { exec: { command: preStop } };
  if (Object.keys(lifecycle).length) out.container.lifecycle = lifecycle;
  return out;
}

function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
