// Top-level `include`: other Compose files (each with its own project directory and `.env`)
// whose services, networks, volumes, secrets and configs join the project, as in Compose. The
// included files are loaded like any other (interpolated with their own variables under the
// project's, schema-checked, their own `include` and `extends` resolved), their relative paths
// made absolute against their own directory, and a resource defined on both sides is an error.

import { dirname, resolve } from 'node:path';
import { ConfigCode } from './codes.js';
import { type ConfigFs, readForLoader } from './config-fs.js';
import { type ConfigNode, child, entryOf, isMap, isScalar, isSeq, type MapNode, text } from './config-node.js';
import type { Diagnostics } from './diagnostics.js';
import { parseDotenv } from './dotenv.js';
import { rebasePaths } from './extends.js';
import type { Lookup } from './interpolation.js';
import { mergeNode, withoutResets } from './merge.js';
import { hostPath } from './mounts.js';

export interface IncludeContext {
  diagnostics: Diagnostics;
  fs: ConfigFs;
  home: string;
  warnedUnset: Set<string>;
  /** Parses, interpolates (with `lookup`) and schema-checks one file. */
  load(path: string, text: string, lookup: Lookup): MapNode | undefined;
  /** Resolves `extends` inside one loaded file. */
  resolveExtends(root: MapNode, path: string): void;
}

const GROUPS = ['services', 'networks', 'volumes', 'secrets', 'configs'] as const;

/** Replaces `root`'s `include` with the resources of the files it names. */
export function applyIncludes(
  root: MapNode,
  projectDir: string,
  lookup: Lookup,
  ctx: IncludeContext,
  stack: readonly string[],
): void {
  const include = entryOf(root, 'include');
  if (!include) return;
  root.entries.delete('include');
  for (const item of isSeq(include.value) ? include.value.items : []) {
    const pathNode = isMap(item) ? child(item, 'path') : item;
    const paths = listOf(pathNode);
    if (paths.length === 0) continue;
    const files = paths.map((p) => ({ node: p, path: hostPath(text(p) ?? '', projectDir, ctx.home) }));
    const dirNode = isMap(item) ? child(item, 'project_directory') : undefined;
    const dirText = text(dirNode);
    const includedDir = dirText === undefined ? dirname(files[0]?.path ?? projectDir) : resolve(projectDir, dirText);
    const variables = includedVariables(item, includedDir, projectDir, lookup, ctx);
    if (!variables) continue;
    const includedLookup: Lookup = (name) => lookup(name) ?? variables[name];
    let merged: MapNode | undefined;
    for (const file of files) {
      if (stack.includes(file.path)) {
        ctx.diagnostics.error(
          ConfigCode.includeConflict,
          `\`include\` loop: ${[...stack, file.path].join(' → ')}`,
          file.node.loc,
          'remove the `include` that leads back to a file already included',
        );
        continue;
      }
      const read = readForLoader(ctx.fs, file.path);
      if ('problem' in read) {
        ctx.diagnostics.add([{ severity: 'error', ...read.problem, location: read.problem.location ?? file.node.loc }]);
        continue;
      }
      const source = 'text' in read ? read.text : undefined;
      if (source === undefined) {
        ctx.diagnostics.error(
          ConfigCode.includeFileMissing,
          `the included file ${file.path} does not exist`,
          file.node.loc,
          `fix the path (relative paths start at ${projectDir})`,
        );
        continue;
      }
      const loaded = ctx.load(file.path, source, includedLookup);
      if (!loaded) continue;
      applyIncludes(loaded, includedDir, includedLookup, ctx, [...stack, file.path]);
      ctx.resolveExtends(loaded, file.path);
      merged = merged ? (mergeNode(merged, loaded) as MapNode) : withoutResets(loaded);
    }
    if (merged) addResources(root, rebased(merged, includedDir, ctx.home), ctx.diagnostics);
  }
}

function listOf(node: ConfigNode | undefined): ConfigNode[] {
  if (isSeq(node)) return node.items;
  return isScalar(node) && node.value !== null ? [node] : [];
}

/** The included project's variables: its `env_file`s, or its directory's `.env`. */
function includedVariables(
  item: ConfigNode,
  includedDir: string,
  projectDir: string,
  lookup: Lookup,
  ctx: IncludeContext,
): Record<string, string> | undefined {
  const envNodes = isMap(item) ? listOf(child(item, 'env_file')) : [];
  const envFiles = envNodes.length
    ? envNodes.map((n) => ({ node: n as ConfigNode | undefined, path: hostPath(text(n) ?? '', projectDir, ctx.home) }))
    : [{ node: undefined, path: resolve(includedDir, '.env') }];
  const values: Record<string, string> = {};
  for (const env of envFiles) {
    const read = readForLoader(ctx.fs, env.path);
    if ('problem' in read) {
      const location = read.problem.location ?? env.node?.loc;
      ctx.diagnostics.add([{ severity: 'error', ...read.problem, ...(location ? { location } : {}) }]);
      return undefined;
    }
    const content = 'text' in read ? read.text : undefined;
    if (content === undefined) {
      if (!env.node) continue;
      ctx.diagnostics.error(
        ConfigCode.envFileMissing,
        `the env_file of an include does not exist: ${env.path}`,
        env.node.loc,
        'fix the path, or leave `env_file` out to read the included project’s .env',
      );
      return undefined;
    }
    const parsed = parseDotenv(
      content,
      env.path,
      (name, sofar) => lookup(name) ?? sofar[name] ?? values[name],
      ctx.warnedUnset,
    );
    ctx.diagnostics.add(parsed.diagnostics);
    Object.assign(values, parsed.values);
  }
  return values;
}

/** Relative paths of an included file made absolute against its own project directory. */
function rebased(doc: MapNode, dir: string, home: string): MapNode {
  const services = child(doc, 'services');
  for (const entry of isMap(services) ? services.entries.values() : []) {
    if (isMap(entry.value)) entry.value = rebasePaths(entry.value, dir);
  }
  for (const group of ['secrets', 'configs']) {
    const defs = child(doc, group);
    for (const entry of isMap(defs) ? defs.entries.values() : []) {
      const file = child(entry.value, 'file');
      if (isScalar(file) && typeof file.value === 'string') file.value = hostPath(file.value, dir, home);
    }
  }
  return doc;
}

function addResources(root: MapNode, included: MapNode, diagnostics: Diagnostics): void {
  for (const group of GROUPS) {
    const theirs = entryOf(included, group);
    if (!theirs || !isMap(theirs.value)) continue;
    let ours = entryOf(root, group);
    if (!ours || !isMap(ours.value)) {
      ours = { key: group, keyLoc: theirs.keyLoc, value: { kind: 'map', loc: theirs.value.loc, entries: new Map() } };
      root.entries.set(group, ours);
    }
    const target = ours.value as MapNode;
    for (const [name, entry] of theirs.value.entries) {
      const existing = target.entries.get(name);
      if (existing) {
        diagnostics.error(
          ConfigCode.includeConflict,
          `${group.slice(0, -1)} \`${name}\` is defined here and in the included file ${entry.keyLoc.file}`,
          existing.keyLoc,
          'rename one of them, or drop it here (an included resource cannot be overridden; use `extends` to build on it)',
        );
        continue;
      }
      target.entries.set(name, entry);
    }
  }
}
