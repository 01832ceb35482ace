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
import { type ConfigNode, child, isMap, isScalar, isSeq, type MapNode, text, toPlain } from './config-node.js';
import { normaliseDevelop } from './develop-spec.js';
import { normaliseServiceExtension } from './devenv-extension.js';
import { parseDotenv } from './dotenv.js';
import { closest } from './edit-distance.js';
import { normaliseHealthcheck } from './healthcheck.js';
import { asMapping } from './merge.js';
import { hostPath, type LongMount, parseVolumeMapping, parseVolumeString } from './mounts.js';
import { bool, commandList, durationMs, stringList, stringMap } from './node-values.js';
import type { NormaliseContext, ServiceLocations } from './normalise-context.js';
import { type LongPort, parsePortMapping, parsePortString } from './ports.js';
import { parseRestartPolicy } from './restart-policy.js';

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
): NormalisedService {
  const locations: ServiceLocations = {
    service: keyLoc,
    ports: new Map(),
    mounts: new Map(),
    dependsOn: new Map(),
    networks: new Map(),
  };
  const get = (key: string) => child(node, key);
  const build = normaliseBuild(get('build'), ctx, name);
  const image = text(get('image'));
  const spec: ServiceSpec = {
    name,
    environment: environment(node, ctx, name),
    ports: ports(get('ports'), ctx, locations),
    volumes: mounts(node, ctx, locations),
    dependsOn: dependsOn(get('depends_on'), locations),
    restart: restart(get('restart'), ctx, name),
    labels: stringMap(get('labels'), ctx, false),
    networks: networks(get('networks'), locations),
    profiles: stringList(get('profiles')),
    tty: bool(get('tty')),
    stdinOpen: bool(get('stdin_open')),
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
  const stopSignal = text(get('stop_signal'));
  if (stopSignal !== undefined) spec.stopSignal = stopSignal;
  const grace = durationMs(get('stop_grace_period'), ctx, `\`stop_grace_period\` of service \`${name}\``);
  if (grace !== undefined) spec.stopGracePeriodMs = grace;
  const develop = normaliseDevelop(get('develop'), ctx, name);
  if (develop) spec.develop = develop;
  return { spec, locations };
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

function environment(node: MapNode, ctx: NormaliseContext, service: string): Record<string, string> {
  const out: Record<string, string> = {};
  const envFile = child(node, 'env_file');
  for (const item of isSeq(envFile) ? envFile.items : envFile ? [envFile] : []) {
    const pathNode = isMap(item) ? child(item, 'path') : item;
    const raw = text(pathNode);
    if (raw === undefined || !pathNode) continue;
    const required = isMap(item) ? bool(child(item, 'required'), true) : true;
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

function mounts(node: MapNode, ctx: NormaliseContext, locations: ServiceLocations): MountSpec[] {
  const out: MountSpec[] = [];
  const volumes = child(node, 'volumes');
  for (const item of isSeq(volumes) ? volumes.items : []) {
    let parsed: ReturnType<typeof parseVolumeString> | undefined;
    if (isMap(item)) {
      if (!MOUNT_TYPES.has(text(child(item, 'type')) ?? '')) continue; // reported as unsupported
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
    locations.mounts.set(parsed.mount, item.loc);
    out.push(parsed.mount);
  }
  for (const target of stringList(child(node, 'tmpfs'))) {
    out.push({ type: 'tmpfs', target: target.split(':')[0] ?? target, readOnly: false });
  }
  return out;
}

const CONDITIONS = new Set<DependsOnCondition>([
  'service_started',
  'service_healthy',
  'service_completed_successfully',
]);

function dependsOn(node: ConfigNode | undefined, locations: ServiceLocations): Record<string, DependsOnSpec> {
  const out: Record<string, DependsOnSpec> = {};
  const mapping = node === undefined ? undefined : asMapping(node, 'depends_on');
  if (!mapping) return out;
  for (const [name, entry] of mapping.entries) {
    const conditionNode = child(entry.value, 'condition');
    const condition = text(conditionNode) as DependsOnCondition | undefined;
    out[name] = {
      condition: condition && CONDITIONS.has(condition) ? condition : 'service_started',
      required: bool(child(entry.value, 'required'), true),
      restart: bool(child(entry.value, 'restart')),
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

function networks(node: ConfigNode | undefined, locations: ServiceLocations): string[] {
  const mapping = node === undefined ? undefined : asMapping(node, 'networks');
  if (!mapping) return [];
  for (const [name, entry] of mapping.entries) locations.networks.set(name, entry.keyLoc);
  return [...mapping.entries.keys()];
}
