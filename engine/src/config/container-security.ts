// The security keys of a service's container: capabilities, privileges, security options and
// supplementary groups, each checked at its position (a capability Linux does not have, a
// security option Docker does not take, a seccomp profile that is not there).

import { isAbsolute, resolve } from 'node:path';
import { ConfigCode } from './codes.js';
import { text } from './config-node.js';
import type { ContainerDraft } from './container-draft.js';
import { closest } from './edit-distance.js';
import { boolValue } from './value-checks.js';

const CAPABILITIES = [
  'ALL',
  'AUDIT_CONTROL',
  'AUDIT_READ',
  'AUDIT_WRITE',
  'BLOCK_SUSPEND',
  'BPF',
  'CHECKPOINT_RESTORE',
  'CHOWN',
  'DAC_OVERRIDE',
  'DAC_READ_SEARCH',
  'FOWNER',
  'FSETID',
  'IPC_LOCK',
  'IPC_OWNER',
  'KILL',
  'LEASE',
  'LINUX_IMMUTABLE',
  'MAC_ADMIN',
  'MAC_OVERRIDE',
  'MKNOD',
  'NET_ADMIN',
  'NET_BIND_SERVICE',
  'NET_BROADCAST',
  'NET_RAW',
  'PERFMON',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_ADMIN',
  'SYS_BOOT',
  'SYS_CHROOT',
  'SYS_MODULE',
  'SYS_NICE',
  'SYS_PACCT',
  'SYS_PTRACE',
  'SYS_RAWIO',
  'SYS_RESOURCE',
  'SYS_TIME',
  'SYS_TTY_CONFIG',
  'SYSLOG',
  'WAKE_ALARM',
];

const SECURITY_OPTS =
  /^(label[=:](user|role|type|level):.+|label[=:]disable|label[=:]nested|apparmor[=:].+|seccomp[=:].+|no-new-privileges([=:](true|false))?|systempaths=unconfined|writable-cgroups=(true|false))$/;

/** `cap_add`, `cap_drop`, `privileged`, `read_only`, `use_api_socket`, `security_opt`, `group_add`. */
export function securityKeys(d: ContainerDraft): void {
  capabilityKeys(d);
  const privileged = boolValue(d.get('privileged'), d.ctx, d.what('privileged'));
  if (privileged !== undefined) d.set('privileged', privileged);
  const readOnly = boolValue(d.get('read_only'), d.ctx, d.what('read_only'));
  if (readOnly !== undefined) d.set('readOnly', readOnly);
  const useSocket = boolValue(d.get('use_api_socket'), d.ctx, d.what('use_api_socket'));
  if (useSocket !== undefined) d.set('useApiSocket', useSocket);
  securityOptKey(d);
  d.spec.groupAdd = d.validEntries(
    'group_add',
    (g) => /^(\d+|[a-z_][a-z0-9_-]*\$?)$/i.test(g),
    ConfigCode.invalidValue,
    'a group',
    'write a group name or a numeric gid, e.g. `audio` or `1001`',
  );
}

function capabilityKeys(d: ContainerDraft): void {
  for (const key of ['cap_add', 'cap_drop'] as const) {
    const out: string[] = [];
    for (const item of d.items(key)) {
      const raw = text(item) ?? '';
      const cap = raw.toUpperCase().replace(/^CAP_/, '');
      if (CAPABILITIES.includes(cap)) out.push(cap === 'ALL' ? 'ALL' : `CAP_${cap}`);
      else {
        const guess = closest(cap, CAPABILITIES);
        d.error(
          ConfigCode.invalidCapability,
          `${d.what(key)} lists \`${raw}\`, which is not a Linux capability`,
          item.loc,
          guess ? `did you mean \`${guess}\`?` : 'see `man 7 capabilities` for the names (e.g. NET_ADMIN, SYS_PTRACE)',
        );
      }
    }
    if (out.length > 0) d.set(key === 'cap_add' ? 'capAdd' : 'capDrop', out);
  }
}

function securityOptKey(d: ContainerDraft): void {
  const securityOpt: string[] = [];
  for (const item of d.items('security_opt')) {
    const raw = text(item) ?? '';
    if (!SECURITY_OPTS.test(raw)) {
      d.error(
        ConfigCode.invalidSecurityOpt,
        `${d.what('security_opt')} entry \`${raw}\` is not a security option`,
        item.loc,
        'use `no-new-privileges:true`, `seccomp=unconfined` (or a profile file), `apparmor=PROFILE`, `label=type:TYPE` or `label=disable`',
      );
      continue;
    }
    const seccomp = /^seccomp[=:](.+)$/.exec(raw)?.[1];
    if (seccomp && seccomp !== 'unconfined' && seccomp !== 'builtin') {
      // Docker takes the profile's JSON, not its path: read it here, as the docker CLI does.
      const path = isAbsolute(seccomp) ? seccomp : resolve(d.ctx.projectDir, seccomp);
      const profile = d.ctx.fs.isFile(path) ? d.ctx.fs.readText(path) : undefined;
      if (profile === undefined) {
        d.error(
          ConfigCode.invalidSecurityOpt,
          `${d.what('security_opt')}: the seccomp profile ${path} does not exist`,
          item.loc,
          'give the path of a seccomp profile (JSON), relative to the project directory, or `seccomp=unconfined`',
        );
        continue;
      }
      securityOpt.push(`seccomp=${profile.trim()}`);
      continue;
    }
    securityOpt.push(raw.replace(/^(label|apparmor|seccomp|no-new-privileges):/, '$1='));
  }
  if (securityOpt.length > 0) d.set('securityOpt', securityOpt);
}
