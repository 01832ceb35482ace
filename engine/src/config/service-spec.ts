// One Compose service (merged, extends resolved, schema-valid) → ServiceSpec. Each field is
// normalised to the one form the engine reads, and every problem only visible at this point
// (a port that does not parse, a build context that is not there) is reported at its position.

import { basename, dirname, isAbsolute, join } from 'node:path';
import type {
  BuildSpec,
  DependsOnCondition,
  DependsOnSpec,
  MountSpec,
  PortSpec,
  ServiceSpec,
  SourceLocation,
} from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { readForLoader } from './config-fs.js';
import { type ConfigNode, child, entryOf, isMap, isScalar, isSeq, type MapNode, text, toPlain } from './config-node.js';
import { extraHostsValue, normaliseContainer, ulimitsValue } from './container-spec.js';
import { normaliseDeploy } from './deploy-spec.js';
import { normaliseDevelop } from './develop-spec.js';
import { normaliseServiceExtension } from './devenv-extension.js';
import { parseDotenv } from './dotenv.js';
import { closest } from './edit-distance.js';
import { normaliseHealthcheck } from './healthcheck.js';
import { normaliseHooks } from './hooks.js';
import { asMapping } from './merge.js';
import { checkBindSource, longMountOptions, serviceTmpfs } from './mount-options.js';
import { hostPath, type LongMount, parseVolumeMapping, parseVolumeString } from './mounts.js';
import { serviceNetworks } from './network-spec.js';
import { commandList, durationMs, stringList, stringMap } from './node-values.js';
import type { NormaliseContext, ServiceLocations } from './normalise-context.js';
import { type LongPort, parsePortMapping, parsePortString } from './port-syntax.js';
import { normalisePullPolicy } from './pull-policy.js';
import { parseRestartPolicy } from './restart-policy.js';
import { type FileDefinitions, serviceFiles } from './service-files.js';
import { boolValue, signalValue, sizeValue } from './value-checks.js';

export interface NormalisedService {
  spec: ServiceSpec;
  locations: ServiceLocations;
}

/** Build contexts that are not local directories (git URLs, remote tarballs). */
export const REMOTE_CONTEXT = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i;

export function normaliseService(
  name: string,
  node: MapNode,
  keyLoc: SourceLocation,
  ctx: NormaliseContext,
  files: FileDefinitions,
): NormalisedService {
  const locations: ServiceLocations = {
    service: keyLoc,
    ports: new Map(),
    mounts: new Map(),
    dependsOn: new Map(),
    networks: new Map(),
    serviceRefs: [],
    addresses: new Map(),
  };
  const get = (key: string) => child(node, key);
  const build = normaliseBuild(get('build'), ctx, name);
  const image = text(get('image'));
  const attached = serviceNetworks(get('networks'), ctx, name);
  const networksNode = get('networks');
  for (const [network, entry] of (networksNode && asMapping(networksNode, 'networks')?.entries) || [])
    locations.networks.set(network, entry.keyLoc);
  locations.addresses = attached.addressAt;
  const spec: ServiceSpec = {
    name,
    environment: environment(node, ctx, name),
    ports: ports(get('ports'), ctx, locations),
    volumes: mounts(node, ctx, locations, name),
    dependsOn: dependsOn(get('depends_on'), locations, ctx, name),
    restart: restart(get('restart'), ctx, name),
    labels: labels(node, ctx, name),
    networks: attached.names,
    profiles: stringList(get('profiles')),
    tty: boolValue(get('tty'), ctx, `\`tty\` of service \`${name}\``) ?? false,
    stdinOpen: boolValue(get('stdin_open'), ctx, `\`stdin_open\` of service \`${name}\``) ?? false,
    devenv: normaliseServiceExtension(
      get('x-devenv'),
      ctx,
      name,
      build && !REMOTE_CONTEXT.test(build.context) ? build.context : undefined,
    ),
    source: keyLoc,
  };
  if (image !== undefined) spec.image = image;
  if (build) spec.build = build;
  if (image === undefined && !build && !spec.devenv.process) {
    ctx.diagnostics.error(
      ConfigCode.noImageOrBuild,
      `service \`${name}\` has neither \`image\` nor \`build\``,
      keyLoc,
      'add `image: <name>` to run an existing image, or `build: ./dir` to build one from a Dockerfile',
    );
  }
  const command = commandList(get('command'), ctx, `\`command\` of service \`${name}\``);
  if (command) spec.command = command;
  const entrypoint = commandList(get('entrypoint'), ctx, `\`entrypoint\` of service \`${name}\``);
  if (entrypoint) spec.entrypoint = entrypoint;
  const healthcheck = normaliseHealthcheck(get('healthcheck'), ctx, name);
  if (healthcheck) spec.healthcheck = healthcheck;
  const workingDir = text(get('working_dir'));
  if (workingDir !== undefined) spec.workingDir = workingDir;
  const user = text(get('user'));
  if (user !== undefined) spec.user = user;
  const stopSignal = signalValue(get('stop_signal'), ctx, `\`stop_signal\` of service \`${name}\``);
  if (stopSignal !== undefined) spec.stopSignal = stopSignal;
  const grace = durationMs(get('stop_grace_period'), ctx, `\`stop_grace_period\` of service \`${name}\``);
  if (grace !== undefined) spec.stopGracePeriodMs = grace;
  const develop = normaliseDevelop(get('develop'), ctx, name);
  if (develop) spec.develop = develop;
  if (attached.attachments) spec.networkAttachments = attached.attachments;

  const { container, refs } = normaliseContainer(node, ctx, name);
  if (container) spec.container = container;
  locations.serviceRefs = refs;
  const deploy = normaliseDeploy(node, ctx, name);
  if (deploy.resources) spec.resources = deploy.resources;
  // `restart` wins over `deploy.restart_policy` when a service gives both, as in Compose.
  if (deploy.restart && get('restart') === undefined) spec.restart = deploy.restart;
  if (deploy.replicas !== undefined) spec.replicas = deploy.replicas;
  checkReplicas(spec, node, ctx, locations);
  const mounted = [
    ...serviceFiles(get('secrets'), 'secret', files, ctx, name),
    ...serviceFiles(get('configs'), 'config', files, ctx, name),
  ];
  if (mounted.length > 0) spec.files = mounted;
  const pullPolicy = normalisePullPolicy(get('pull_policy'), get('pull_refresh_after'), build !== undefined, ctx, name);
  if (pullPolicy) spec.pullPolicy = pullPolicy;
  const postStart = normaliseHooks(get('post_start'), ctx, `\`post_start\` of service \`${name}\``);
  const preStop = normaliseHooks(get('pre_stop'), ctx, `\`pre_stop\` of service \`${name}\``);
  if (postStart.length > 0 || preStop.length > 0) spec.hooks = { postStart, preStop };
  return { spec, locations };
}

/**
 * Several instances cannot share one container name or one fixed host port (each takes a
 * port of a host range instead: `8000-8002:80`).
 */
function checkReplicas(spec: ServiceSpec, node: MapNode, ctx: NormaliseContext, locations: ServiceLocations): void {
  const n = spec.replicas ?? 1;
  if (n <= 1) return;
  const replicasAt = (entryOf(node, 'scale') ?? entryOf(child(node, 'deploy'), 'replicas'))?.keyLoc;
  const named = entryOf(node, 'container_name');
  if (named) {
    ctx.diagnostics.error(
      ConfigCode.invalidReplicas,
      `service \`${spec.name}\` runs ${n} instances and names its container \`${text(named.value)}\`; container names are unique`,
      named.keyLoc,
      'drop `container_name` (instances are named <project>-<service>-1, -2, …), or run one instance',
    );
  }
  for (const port of spec.ports) {
    if (port.published === undefined || (port.publishedEnd ?? port.published) - port.published + 1 >= n) continue;
    const at = locations.ports.get(port);
    ctx.diagnostics.error(
      ConfigCode.invalidReplicas,
      `service \`${spec.name}\` runs ${n} instances, and ${port.publishedEnd ? `the host range ${port.published}-${port.publishedEnd} has fewer ports` : `host port ${port.published} can be published only once`}`,
      at ?? replicasAt,
      `publish a host range with a port per instance, e.g. "${port.published}-${port.published + n - 1}:${port.target}", or leave the host port out ("${port.target}") to get free ones`,
    );
  }
}

/** `labels`, over the files of `label_file` (read now, in order). */
function labels(node: MapNode, ctx: NormaliseContext, service: string): Record<string, string> {
  const out: Record<string, string> = {};
  const files = child(node, 'label_file');
  for (const item of isSeq(files) ? files.items : files ? [files] : []) {
    const raw = text(item);
    if (raw === undefined) continue;
    const path = hostPath(raw, ctx.projectDir, ctx.home);
    const content = ctx.fs.isFile(path) ? ctx.fs.readText(path) : undefined;
    if (content === undefined) {
      ctx.diagnostics.error(
        ConfigCode.labelFileMissing,
        `label_file of service \`${service}\` does not exist: ${path}`,
        item.loc,
        `create it (one \`key=value\` per line), or fix the path (relative paths start at ${ctx.projectDir})`,
      );
      continue;
    }
    Object.assign(out, rawKeyValues(content));
  }
  const own = stringMap(child(node, 'labels'), ctx, false);
  for (const [key, value] of Object.entries(own)) {
    if (key.startsWith('dev.devenv.')) {
      const entry = asMapping(child(node, 'labels') as ConfigNode)?.entries.get(key);
      ctx.diagnostics.error(
        ConfigCode.invalidLabel,
        `label \`${key}\` of service \`${service}\` uses devenv's own prefix \`dev.devenv.\``,
        entry?.keyLoc,
        'rename it: devenv finds its containers by these labels',
      );
      continue;
    }
    out[key] = value;
  }
  return out;
}

/** `KEY=value` lines taken as written (label files, `env_file` with `format: raw`); `#` lines skipped. */
function rawKeyValues(content: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of content.split(/\r?\n/)) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) out[line.trim()] = '';
    else out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

function normaliseBuild(node: ConfigNode | undefined, ctx: NormaliseContext, service: string): BuildSpec | undefined {
  if (node === undefined || (isScalar(node) && node.value === null)) return undefined;
  const contextNode = isMap(node) ? child(node, 'context') : node;
  const rawContext = text(contextNode) ?? '.';
  const remote = REMOTE_CONTEXT.test(rawContext);
  const context = remote ? rawContext : hostPath(rawContext, ctx.projectDir, ctx.home);
  const dockerfileNode = child(node, 'dockerfile');
  const dockerfile = text(dockerfileNode) ?? 'Dockerfile';
  const spec: BuildSpec = { context, dockerfile, args: stringMap(child(node, 'args'), ctx) };
  const target = text(child(node, 'target'));
  if (target !== undefined) spec.target = target;
  if (isMap(node)) buildOptions(node, spec, ctx, service);
  if (remote) return spec;
  if (!ctx.fs.isDirectory(context)) {
    const guess = closest(
      basename(context),
      ctx.fs.list(dirname(context)).filter((e) => ctx.fs.isDirectory(join(dirname(context), e))),
    );
    ctx.diagnostics.error(
      ConfigCode.buildContextMissing,
      `build context of service \`${service}\` does not exist: ${context}`,
      (contextNode ?? node).loc,
      guess
        ? `did you mean \`${guess}\`?`
        : `create the directory, or fix the path (relative paths start at ${ctx.projectDir})`,
    );
    return spec;
  }
  if (child(node, 'dockerfile_inline') !== undefined) return spec;
  const dockerfilePath = isAbsolute(dockerfile) ? dockerfile : join(context, dockerfile);
  if (!ctx.fs.isFile(dockerfilePath)) {
    const candidates = ctx.fs.list(dirname(dockerfilePath)).filter((e) => /dockerfile|containerfile/i.test(e));
    const guess = closest(basename(dockerfile), candidates) ?? candidates[0];
    ctx.diagnostics.error(
      ConfigCode.dockerfileMissing,
      `service \`${service}\` builds from ${dockerfilePath}, which does not exist`,
      (dockerfileNode ?? contextNode ?? node).loc,
      guess
        ? `set \`dockerfile: ${guess}\` (found in the context), or create ${dockerfile}`
        : `create ${dockerfile} in ${context}, or point \`dockerfile:\` at an existing file`,
    );
  }
  return spec;
}

/** The build keys beyond context, Dockerfile, args and target, each checked. */
function buildOptions(node: MapNode, spec: BuildSpec, ctx: NormaliseContext, service: string): void {
  const what = (key: string) => `\`build.${key}\` of service \`${service}\``;
  const inline = text(child(node, 'dockerfile_inline'));
  if (inline !== undefined) spec.dockerfileInline = inline;
  const labels = stringMap(child(node, 'labels'), ctx, false);
  if (Object.keys(labels).length > 0) spec.labels = labels;
  const cacheFrom = stringList(child(node, 'cache_from'));
  if (cacheFrom.length > 0) spec.cacheFrom = cacheFrom;
  const tags = stringList(child(node, 'tags'));
  if (tags.length > 0) spec.tags = tags;
  const noCache = boolValue(child(node, 'no_cache'), ctx, what('no_cache'));
  if (noCache !== undefined) spec.noCache = noCache;
  const pull = boolValue(child(node, 'pull'), ctx, what('pull'));
  if (pull !== undefined) spec.pull = pull;
  const network = text(child(node, 'network'));
  if (network !== undefined) spec.network = network;
  const shmSize = sizeValue(child(node, 'shm_size'), ctx, what('shm_size'));
  if (shmSize !== undefined) spec.shmSize = shmSize;
  const extraHosts = extraHostsValue(child(node, 'extra_hosts'), ctx, what('extra_hosts'));
  if (extraHosts.length > 0) spec.extraHosts = extraHosts.map((h) => `${h.host}:${h.address}`);
  const ulimits = ulimitsValue(child(node, 'ulimits'), ctx, what('ulimits'));
  if (ulimits && Object.keys(ulimits).length > 0) spec.ulimits = ulimits;
}

function environment(node: MapNode, ctx: NormaliseContext, service: string): Record<string, string> {
  const out: Record<string, string> = {};
  const envFile = child(node, 'env_file');
  for (const item of isSeq(envFile) ? envFile.items : envFile ? [envFile] : []) {
    const pathNode = isMap(item) ? child(item, 'path') : item;
    const raw = text(pathNode);
    if (raw === undefined || !pathNode) continue;
    const required = isMap(item)
      ? (boolValue(child(item, 'required'), ctx, `\`required\` of an env_file of service \`${service}\``) ?? true)
      : true;
    const formatNode = isMap(item) ? child(item, 'format') : undefined;
    const format = text(formatNode);
    if (format !== undefined && format !== 'raw' && formatNode) {
      ctx.diagnostics.error(
        ConfigCode.invalidValue,
        `\`format\` of an env_file of service \`${service}\` is \`${format}\`; Compose knows \`raw\``,
        formatNode.loc,
        'write `format: raw` (values taken as written), or leave it out for the .env syntax',
      );
    }
    const rawFormat = format === 'raw';
    const path = hostPath(raw, ctx.projectDir, ctx.home);
    const read = readForLoader(ctx.fs, path);
    if ('problem' in read) {
      ctx.diagnostics.add([{ severity: 'error', ...read.problem, location: read.problem.location ?? pathNode.loc }]);
      continue;
    }
    const content = 'text' in read ? read.text : undefined;
    if (content === undefined) {
      if (required) {
        ctx.diagnostics.error(
          ConfigCode.envFileMissing,
          `env_file of service \`${service}\` does not exist: ${path}`,
          pathNode.loc,
          `create it, or mark it optional:\n    env_file:\n      - path: ${raw}\n        required: false`,
        );
      }
      continue;
    }
    if (rawFormat) {
      Object.assign(out, rawKeyValues(content));
      continue;
    }
    // A variable resolves from the same file, then earlier env_files, then the project environment.
    const parsed = parseDotenv(
      content,
      path,
      (name, sofar) => sofar[name] ?? out[name] ?? ctx.env(name),
      ctx.warnedUnset,
      ctx.budget,
    );
    ctx.diagnostics.add(parsed.diagnostics);
    Object.assign(out, parsed.values);
  }
  Object.assign(out, stringMap(child(node, 'environment'), ctx));
  return out;
}

function ports(node: ConfigNode | undefined, ctx: NormaliseContext, locations: ServiceLocations): PortSpec[] {
  const out: PortSpec[] = [];
  for (const item of isSeq(node) ? node.items : []) {
    const parsed = isMap(item)
      ? parsePortMapping(toPlain(item) as LongPort)
      : isScalar(item) && (typeof item.value === 'string' || typeof item.value === 'number')
        ? parsePortString(item.value)
        : undefined;
    if (!parsed) continue;
    if (!parsed.ok) {
      const at = parsed.problem.field ? (child(item, parsed.problem.field) ?? item) : item;
      ctx.diagnostics.error(parsed.problem.code, parsed.problem.message, at.loc, parsed.problem.hint);
      continue;
    }
    for (const port of parsed.ports) {
      locations.ports.set(port, item.loc);
      out.push(port);
    }
  }
  return out;
}

const MOUNT_TYPES = new Set(['volume', 'bind', 'tmpfs']);

const REFUSED_MOUNT_TYPES: Record<string, { why: string; fix: string }> = {
  npipe: { why: 'a named pipe exists on Windows hosts only', fix: 'remove it (devenv runs Linux containers)' },
  cluster: { why: 'a cluster volume belongs to a Swarm', fix: 'use a named volume (`type: volume`)' },
  image: {
    why: 'image mounts need Docker Engine 28 (API 1.48), and devenv does not create them yet',
    fix: 'copy the files into a volume, or into the service’s image',
  },
};

function mounts(node: MapNode, ctx: NormaliseContext, locations: ServiceLocations, service: string): MountSpec[] {
  const out: MountSpec[] = [];
  const volumes = child(node, 'volumes');
  for (const item of isSeq(volumes) ? volumes.items : []) {
    let parsed: ReturnType<typeof parseVolumeString> | undefined;
    if (isMap(item)) {
      const typeNode = child(item, 'type');
      const type = text(typeNode) ?? '';
      const refusal = REFUSED_MOUNT_TYPES[type];
      if (refusal) {
        ctx.diagnostics.error(
          ConfigCode.refusedKey,
          `a \`type: ${type}\` mount in service \`${service}\` cannot be honoured: ${refusal.why}`,
          (typeNode ?? item).loc,
          refusal.fix,
        );
        continue;
      }
      if (!MOUNT_TYPES.has(type)) continue; // the schema reported it
      parsed = parseVolumeMapping(toPlain(item) as LongMount, ctx.projectDir, ctx.home);
    } else if (isScalar(item) && typeof item.value === 'string') {
      parsed = parseVolumeString(item.value, ctx.projectDir, ctx.home);
    }
    if (!parsed) continue;
    if (!parsed.ok) {
      const at = parsed.problem.field && isMap(item) ? (child(item, parsed.problem.field) ?? item) : item;
      ctx.diagnostics.error(ConfigCode.invalidVolume, parsed.problem.message, at.loc, parsed.problem.hint);
      continue;
    }
    const what = `a mount of service \`${service}\``;
    const mount = isMap(item) ? longMountOptions(item, parsed.mount, ctx, what) : parsed.mount;
    checkBindSource(mount, item, ctx, what);
    locations.mounts.set(mount, item.loc);
    out.push(mount);
  }
  const tmpfs = child(node, 'tmpfs');
  for (const item of isSeq(tmpfs) ? tmpfs.items : tmpfs && isScalar(tmpfs) && tmpfs.value !== null ? [tmpfs] : []) {
    const mount = serviceTmpfs(text(item) ?? '');
    if (typeof mount === 'string') {
      ctx.diagnostics.error(
        ConfigCode.invalidVolume,
        `\`tmpfs\` entry of service \`${service}\`: ${mount}`,
        item.loc,
        'write an absolute path, optionally with options: `/run:size=64m,mode=1777`',
      );
      continue;
    }
    locations.mounts.set(mount, item.loc);
    out.push(mount);
  }
  return out;
}

const CONDITIONS = new Set<DependsOnCondition>([
  'service_started',
  'service_healthy',
  'service_completed_successfully',
]);

function dependsOn(
  node: ConfigNode | undefined,
  locations: ServiceLocations,
  ctx: NormaliseContext,
  service: string,
): Record<string, DependsOnSpec> {
  const out: Record<string, DependsOnSpec> = {};
  const mapping = node === undefined ? undefined : asMapping(node, 'depends_on');
  if (!mapping) return out;
  for (const [name, entry] of mapping.entries) {
    const conditionNode = child(entry.value, 'condition');
    const condition = text(conditionNode) as DependsOnCondition | undefined;
    out[name] = {
      condition: condition && CONDITIONS.has(condition) ? condition : 'service_started',
      required:
        boolValue(child(entry.value, 'required'), ctx, `\`depends_on.${name}.required\` of service \`${service}\``) ??
        true,
      restart:
        boolValue(child(entry.value, 'restart'), ctx, `\`depends_on.${name}.restart\` of service \`${service}\``) ??
        false,
    };
    const where: { name: SourceLocation; condition?: SourceLocation } = { name: entry.keyLoc };
    if (conditionNode && node !== undefined && isMap(node)) where.condition = conditionNode.loc;
    locations.dependsOn.set(name, where);
  }
  return out;
}

function restart(node: ConfigNode | undefined, ctx: NormaliseContext, service: string) {
  const raw = text(node);
  if (raw === undefined || !node) return { name: 'no' as const };
  const parsed = parseRestartPolicy(raw);
  if (parsed.ok) return parsed.policy;
  ctx.diagnostics.error(
    ConfigCode.invalidRestart,
    `restart policy of service \`${service}\`: ${parsed.message}`,
    node.loc,
    parsed.hint,
  );
  return { name: 'no' as const };
}
