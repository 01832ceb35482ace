// How much of the machine a service may use, and how many of it run: `mem_limit`, `cpus`,
// `pids_limit`, … and `deploy.resources`, `scale` and `deploy.replicas`, `deploy.mode` and
// `deploy.restart_policy`. Where the two spellings of one limit are both given they must agree
// (as Compose requires); combinations Docker would refuse at start are refused here first.

import type { BlkioSpec, ResourceSpec, RestartPolicy } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isMap, isScalar, isSeq, type MapNode, text } from './config-node.js';
import type { NormaliseContext } from './normalise-context.js';
import { cpusValue, intValue, sizeValue } from './value-checks.js';

export interface NormalisedDeploy {
  resources?: ResourceSpec;
  /** Undefined: one instance (nothing said). */
  replicas?: number;
  /** From `deploy.restart_policy` (a service's own `restart` wins over it). */
  restart?: RestartPolicy;
}

export function normaliseDeploy(node: MapNode, ctx: NormaliseContext, service: string): NormalisedDeploy {
  const get = (key: string) => child(node, key);
  const deploy = get('deploy');
  const what = (key: string) => `\`${key}\` of service \`${service}\``;
  const out: NormalisedDeploy = {};
  const r: ResourceSpec = {};
  const limits = child(child(deploy, 'resources'), 'limits');
  const reservations = child(child(deploy, 'resources'), 'reservations');

  const agree = <T>(
    a: { value: T | undefined; key: string; node: ConfigNode | undefined },
    b: { value: T | undefined; key: string; node: ConfigNode | undefined },
  ): T | undefined => {
    if (a.value !== undefined && b.value !== undefined && a.value !== b.value) {
      ctx.diagnostics.error(
        ConfigCode.resourceConflict,
        `service \`${service}\` sets \`${a.key}\` and \`${b.key}\` to different values`,
        (b.node ?? a.node)?.loc,
        `keep one of them (Compose requires them to be equal)`,
      );
    }
    return a.value ?? b.value;
  };
  const memLimit = agree(
    { value: sizeValue(get('mem_limit'), ctx, what('mem_limit')), key: 'mem_limit', node: get('mem_limit') },
    {
      value: sizeValue(child(limits, 'memory'), ctx, what('deploy.resources.limits.memory')),
      key: 'deploy.resources.limits.memory',
      node: child(limits, 'memory'),
    },
  );
  if (memLimit !== undefined) r.memoryLimit = memLimit;
  const memReservation = agree(
    {
      value: sizeValue(get('mem_reservation'), ctx, what('mem_reservation')),
      key: 'mem_reservation',
      node: get('mem_reservation'),
    },
    {
      value: sizeValue(child(reservations, 'memory'), ctx, what('deploy.resources.reservations.memory')),
      key: 'deploy.resources.reservations.memory',
      node: child(reservations, 'memory'),
    },
  );
  if (memReservation !== undefined) r.memoryReservation = memReservation;
  const cpus = agree(
    { value: cpusValue(get('cpus'), ctx, what('cpus')), key: 'cpus', node: get('cpus') },
    {
      value: cpusValue(child(limits, 'cpus'), ctx, what('deploy.resources.limits.cpus')),
      key: 'deploy.resources.limits.cpus',
      node: child(limits, 'cpus'),
    },
  );
  if (cpus !== undefined) r.cpus = cpus;
  const cpuReservation = cpusValue(child(reservations, 'cpus'), ctx, what('deploy.resources.reservations.cpus'));
  if (cpuReservation !== undefined) r.cpuReservation = cpuReservation;
  const pids = agree(
    {
      value: intValue(get('pids_limit'), ctx, what('pids_limit'), { min: 1, also: [-1, 0] }),
      key: 'pids_limit',
      node: get('pids_limit'),
    },
    {
      value: intValue(child(limits, 'pids'), ctx, what('deploy.resources.limits.pids'), { min: 1, also: [-1, 0] }),
      key: 'deploy.resources.limits.pids',
      node: child(limits, 'pids'),
    },
  );
  if (pids !== undefined) r.pidsLimit = pids;

  const swapNode = get('memswap_limit');
  const swap =
    isScalar(swapNode) && (swapNode.value === -1 || swapNode.value === '-1')
      ? -1
      : sizeValue(swapNode, ctx, what('memswap_limit'));
  if (swap !== undefined && swapNode) {
    if (r.memoryLimit === undefined) {
      ctx.diagnostics.error(
        ConfigCode.resourceConflict,
        `${what('memswap_limit')} needs a memory limit beside it`,
        swapNode.loc,
        'add `mem_limit:` (memswap_limit is memory plus swap)',
      );
    } else if (swap !== -1 && swap < r.memoryLimit) {
      ctx.diagnostics.error(
        ConfigCode.resourceConflict,
        `${what('memswap_limit')} is below \`mem_limit\`; it counts memory plus swap`,
        swapNode.loc,
        'make it at least `mem_limit` (equal: no swap), or -1 for unlimited swap',
      );
    } else r.memorySwapLimit = swap;
  }
  const swappiness = intValue(get('mem_swappiness'), ctx, what('mem_swappiness'), { min: 0, max: 100 });
  if (swappiness !== undefined) r.memorySwappiness = swappiness;
  const shares = intValue(get('cpu_shares'), ctx, what('cpu_shares'), {
    min: 2,
    max: 262144,
    hint: 'write a relative weight from 2 to 262144 (1024 is the default)',
  });
  if (shares !== undefined) r.cpuShares = shares;
  const quota = intValue(get('cpu_quota'), ctx, what('cpu_quota'), {
    min: 1000,
    also: [-1],
    hint: 'write microseconds per period, at least 1000 (or -1 for none)',
  });
  if (quota !== undefined) r.cpuQuota = quota;
  const period = intValue(get('cpu_period'), ctx, what('cpu_period'), {
    min: 1000,
    max: 1_000_000,
    hint: 'write microseconds from 1000 to 1000000 (100000 is the default)',
  });
  if (period !== undefined) r.cpuPeriod = period;
  const cpuset = get('cpuset');
  const cpusetText = text(cpuset);
  if (cpuset && cpusetText !== undefined) {
    if (/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(cpusetText)) r.cpuset = cpusetText;
    else
      ctx.diagnostics.error(
        ConfigCode.invalidCpus,
        `${what('cpuset')} \`${cpusetText}\` is not a list of CPUs`,
        cpuset.loc,
        'write CPU numbers and ranges, e.g. `0-1` or `0,2`',
      );
  }
  const blkio = normaliseBlkio(get('blkio_config'), ctx, service);
  if (blkio) r.blkio = blkio;
  if (Object.keys(r).length > 0) out.resources = r;

  const replicas = agreeReplicas(node, ctx, service);
  if (replicas !== undefined) out.replicas = replicas;

  const restartPolicy = child(deploy, 'restart_policy');
  if (isMap(restartPolicy)) {
    const conditionNode = child(restartPolicy, 'condition');
    const condition = text(conditionNode) ?? 'any';
    const attempts = intValue(child(restartPolicy, 'max_attempts'), ctx, what('deploy.restart_policy.max_attempts'), {
      min: 0,
    });
    if (condition === 'none') out.restart = { name: 'no' };
    else if (condition === 'any') out.restart = { name: 'always' };
    else if (condition === 'on-failure')
      out.restart = attempts === undefined ? { name: 'on-failure' } : { name: 'on-failure', maxRetries: attempts };
    else if (conditionNode)
      ctx.diagnostics.error(
        ConfigCode.invalidRestart,
        `${what('deploy.restart_policy.condition')} \`${condition}\` is not a restart condition`,
        conditionNode.loc,
        'use `none`, `on-failure` or `any`',
      );
  }
  return out;
}

function agreeReplicas(node: MapNode, ctx: NormaliseContext, service: string): number | undefined {
  const deploy = child(node, 'deploy');
  const scaleNode = child(node, 'scale');
  const replicasNode = child(deploy, 'replicas');
  const modeNode = child(deploy, 'mode');
  const mode = text(modeNode);
  const hint = 'write how many instances to run, e.g. `2` (0 leaves the service out)';
  const scale = intValue(scaleNode, ctx, `\`scale\` of service \`${service}\``, { min: 0, hint });
  const replicas = intValue(replicasNode, ctx, `\`deploy.replicas\` of service \`${service}\``, { min: 0, hint });
  if (mode !== undefined && modeNode && mode !== 'replicated' && mode !== 'global') {
    ctx.diagnostics.error(
      ConfigCode.invalidValue,
      `\`deploy.mode\` of service \`${service}\` is \`${mode}\`${/job$/.test(mode) ? ', a Swarm job mode' : ''}; devenv runs \`replicated\` and \`global\` services`,
      modeNode.loc,
      /job$/.test(mode)
        ? 'use `restart: "no"` for a one-shot task (others wait for it with `condition: service_completed_successfully`)'
        : 'use `replicated` (the default) or `global`',
    );
  }
  if (scale !== undefined && replicas !== undefined && scale !== replicas) {
    ctx.diagnostics.error(
      ConfigCode.invalidReplicas,
      `service \`${service}\` sets \`scale: ${scale}\` and \`deploy.replicas: ${replicas}\`, which differ`,
      (replicasNode ?? scaleNode)?.loc,
      'keep one of them',
    );
  }
  if (mode === 'global') {
    if (replicas !== undefined && replicas !== 1 && replicasNode) {
      ctx.diagnostics.error(
        ConfigCode.invalidReplicas,
        `service \`${service}\` is \`global\` (one instance per machine) and asks for ${replicas} replicas`,
        replicasNode.loc,
        'drop `replicas`, or use `mode: replicated`',
      );
    }
    return 1;
  }
  return scale ?? replicas;
}

function normaliseBlkio(node: ConfigNode | undefined, ctx: NormaliseContext, service: string): BlkioSpec | undefined {
  const what = (key: string) => `\`blkio_config.${key}\` of service \`${service}\``;
  if (!isMap(node)) return undefined;
  const spec: BlkioSpec = {
    weightDevice: [],
    deviceReadBps: [],
    deviceReadIops: [],
    deviceWriteBps: [],
    deviceWriteIops: [],
  };
  const weight = intValue(child(node, 'weight'), ctx, what('weight'), { min: 10, max: 1000 });
  if (weight !== undefined) spec.weight = weight;
  const devicePath = (item: ConfigNode, key: string): string | undefined => {
    const pathNode = child(item, 'path');
    const path = text(pathNode);
    if (path?.startsWith('/')) return path;
    ctx.diagnostics.error(
      ConfigCode.invalidDevice,
      `${what(key)} entry needs the absolute \`path\` of a block device`,
      (pathNode ?? item).loc,
      'write e.g. `{path: /dev/sda, rate: 10m}`',
    );
    return undefined;
  };
  const weightDevice = child(node, 'weight_device');
  for (const item of isSeq(weightDevice) ? weightDevice.items : []) {
    const path = devicePath(item, 'weight_device');
    const w = intValue(child(item, 'weight'), ctx, what('weight_device'), { min: 10, max: 1000 });
    if (path && w !== undefined) spec.weightDevice.push({ path, weight: w });
  }
  const rates: [string, keyof BlkioSpec, boolean][] = [
    ['device_read_bps', 'deviceReadBps', true],
    ['device_write_bps', 'deviceWriteBps', true],
    ['device_read_iops', 'deviceReadIops', false],
    ['device_write_iops', 'deviceWriteIops', false],
  ];
  for (const [key, field, bytes] of rates) {
    const list = child(node, key);
    for (const item of isSeq(list) ? list.items : []) {
      const path = devicePath(item, key);
      const rate = bytes
        ? sizeValue(child(item, 'rate'), ctx, what(key))
        : intValue(child(item, 'rate'), ctx, what(key), { min: 0 });
      if (path && rate !== undefined) (spec[field] as { path: string; rate: number }[]).push({ path, rate });
    }
  }
  return spec;
}
