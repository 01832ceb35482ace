// `extends`: a service starts from another service (in the same file, or in `extends.file`) and
// merges its own settings on top with the Compose merge rules. Relative paths of a service taken
// from another file are made absolute against that file's directory, as Compose does.
// Cycles are reported with the whole loop (`a → b → a`).

import { dirname, resolve } from 'node:path';
import { ConfigCode } from './codes.js';
import {
  type ConfigNode,
  child,
  cloneNode,
  entryOf,
  isMap,
  isScalar,
  isSeq,
  type MapNode,
  type ScalarNode,
  text,
} from './config-node.js';
import type { Diagnostics } from './diagnostics.js';
import { didYouMean } from './edit-distance.js';
import { mergeNode } from './merge.js';
import { hostPath, looksLikePath } from './mounts.js';

export interface ExtendsContext {
  diagnostics: Diagnostics;
  /** Loads (parses, interpolates, validates) another file; undefined when it is missing or broken. */
  loadFile(path: string): MapNode | undefined;
  fileExists(path: string): boolean;
}

interface Resolution {
  memo: Map<string, MapNode>;
  reportedCycles: Set<string>;
}

/** Replaces each service of `root` (from `file`) with its resolved form, without `extends` keys. */
export function resolveExtends(root: MapNode, file: string, ctx: ExtendsContext): void {
  const services = child(root, 'services');
  if (!isMap(services)) return;
  const state: Resolution = { memo: new Map(), reportedCycles: new Set() };
  for (const [name, entry] of services.entries) {
    if (!isMap(entry.value)) continue;
    entry.value = resolveService(file, root, name, [], state, ctx);
  }
}

function withoutExtends(service: MapNode): MapNode {
  const copy = cloneNode(service);
  copy.entries.delete('extends');
  return copy;
}

function resolveService(
  file: string,
  doc: MapNode,
  name: string,
  stack: { file: string; name: string; at: ScalarNode | undefined }[],
  state: Resolution,
  ctx: ExtendsContext,
): MapNode {
  const key = `${file}#${name}`;
  const service = child(child(doc, 'services'), name) as MapNode;
  const cached = state.memo.get(key);
  if (cached) return cached;
  const ext = entryOf(service, 'extends');
  if (!ext) {
    state.memo.set(key, service);
    return service;
  }
  const own = withoutExtends(service);
  const target = extendsTarget(ext.value);
  if (!target) return own;

  let targetFile = file;
  let targetDoc = doc;
  if (target.file) {
    targetFile = resolve(dirname(file), String(target.file.value));
    const loaded = ctx.fileExists(targetFile) ? ctx.loadFile(targetFile) : undefined;
    if (!loaded) {
      if (!ctx.fileExists(targetFile)) {
        ctx.diagnostics.error(
          ConfigCode.extendsFileMissing,
          `\`extends.file\` of service \`${name}\` names a file that does not exist: ${targetFile}`,
          target.file.loc,
          'check the path; it is relative to the file that contains `extends`',
        );
      }
      return own;
    }
    targetDoc = loaded;
  }
  const targetName = String(target.service.value);
  const targetServices = child(targetDoc, 'services');
  const baseNode = child(targetServices, targetName);
  if (!isMap(baseNode)) {
    const known = isMap(targetServices) ? [...targetServices.entries.keys()] : [];
    ctx.diagnostics.error(
      ConfigCode.extendsUnknownService,
      `service \`${name}\` extends \`${targetName}\`, which is not defined${target.file ? ` in ${targetFile}` : ''}`,
      target.service.loc,
      didYouMean(targetName, known) ??
        `define \`${targetName}\` under \`services:\`${known.length ? `; known: ${known.join(', ')}` : ''}`,
    );
    return own;
  }
  const here = { file, name, at: target.service };
  const loopStart = stack.findIndex((s) => s.file === targetFile && s.name === targetName);
  if (loopStart >= 0 || (targetFile === file && targetName === name)) {
    reportCycle([...stack.slice(Math.max(loopStart, 0)), here], targetFile, targetName, state, ctx);
    return own;
  }
  let base = resolveService(targetFile, targetDoc, targetName, [...stack, here], state, ctx);
  if (targetFile !== file) base = rebasePaths(base, dirname(targetFile));
  const merged = mergeNode(withoutExtends(base), own, ['services', name]) as MapNode;
  merged.loc = service.loc;
  state.memo.set(key, merged);
  return merged;
}

function extendsTarget(node: ConfigNode): { service: ScalarNode; file?: ScalarNode } | undefined {
  if (isScalar(node) && node.value !== null) return { service: node };
  const service = child(node, 'service');
  if (!isScalar(service)) return undefined;
  const file = child(node, 'file');
  return isScalar(file) && file.value !== null ? { service, file } : { service };
}

function reportCycle(
  chain: { file: string; name: string; at: ScalarNode | undefined }[],
  targetFile: string,
  targetName: string,
  state: Resolution,
  ctx: ExtendsContext,
): void {
  const files = new Set([...chain.map((c) => c.file), targetFile]);
  const label = (f: string, n: string) => (files.size > 1 ? `${f}:${n}` : n);
  const names = [...chain.map((c) => label(c.file, c.name)), label(targetFile, targetName)];
  const id = [...new Set(names)].sort().join('|');
  if (state.reportedCycles.has(id)) return;
  state.reportedCycles.add(id);
  const last = chain.at(-1);
  ctx.diagnostics.error(
    ConfigCode.extendsCycle,
    names.length === 2 ? `service \`${names[0]}\` extends itself` : `\`extends\` cycle: ${names.join(' → ')}`,
    last?.at?.loc,
    'break the loop: one of these services must define its settings instead of extending another',
  );
}

const URL_CONTEXT = /^([a-z][a-z0-9+.-]*:\/\/|git@|github\.com\/)/i;

/** Makes the service's relative host paths absolute against `dir` (a copy; scalar positions kept). */
export function rebasePaths(service: MapNode, dir: string): MapNode {
  const copy = cloneNode(service);
  const absolute = (node: ConfigNode | undefined) => {
    if (isScalar(node) && typeof node.value === 'string' && !URL_CONTEXT.test(node.value)) {
      node.value = hostPath(node.value, dir);
    }
  };
  const build = child(copy, 'build');
  if (isScalar(build)) absolute(build);
  else if (isMap(build)) {
    const context = child(build, 'context');
    if (context) absolute(context);
    else
      build.entries.set('context', {
        key: 'context',
        keyLoc: build.loc,
        value: { kind: 'scalar', value: dir, loc: build.loc },
      });
  }
  const envFile = child(copy, 'env_file');
  for (const item of isSeq(envFile) ? envFile.items : envFile ? [envFile] : []) {
    absolute(isMap(item) ? child(item, 'path') : item);
  }
  const volumes = child(copy, 'volumes');
  for (const item of isSeq(volumes) ? volumes.items : []) {
    if (isMap(item)) {
      if (text(child(item, 'type')) === 'bind') absolute(child(item, 'source'));
    } else if (isScalar(item) && typeof item.value === 'string') {
      const [source, ...rest] = item.value.split(':');
      if (source !== undefined && rest.length > 0 && looksLikePath(source)) {
        item.value = [hostPath(source, dir), ...rest].join(':');
      }
    }
  }
  const labelFile = child(copy, 'label_file');
  for (const item of isSeq(labelFile) ? labelFile.items : labelFile ? [labelFile] : []) absolute(item);
  const watch = child(child(copy, 'develop'), 'watch');
  for (const rule of isSeq(watch) ? watch.items : []) absolute(child(rule, 'path'));
  absolute(child(child(child(copy, 'x-devenv'), 'process'), 'cwd'));
  return copy;
}
