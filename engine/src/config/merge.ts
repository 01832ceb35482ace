// Compose merge rules, used both for several `-f` files and for `extends`:
// mappings merge key by key; sequences append; `command`, `entrypoint` and `healthcheck.test` are
// replaced; `ports` and `volumes` are unique (by value and by container path); `environment`,
// `labels`, `build.args`, `depends_on`, `networks`… merge by key whichever form (list or mapping)
// each side used; `!reset` drops an inherited value and `!override` replaces it whole.

import {
  type ConfigNode,
  cloneNode,
  isMap,
  isScalar,
  isSeq,
  type MapEntry,
  type MapNode,
  mapNode,
  type SeqNode,
  scalar,
  seqNode,
  text,
  toPlain,
} from './config-node.js';

type Rule = 'replace' | 'mapping' | 'unique' | 'append';

const REPLACE = new Set(['command', 'entrypoint', 'healthcheck.test', 'x-devenv.process.command', 'x-devenv.debug']);
const MAPPING = new Set([
  'environment',
  'labels',
  'annotations',
  'build.args',
  'build.labels',
  'extra_hosts',
  'sysctls',
  'depends_on',
  'networks',
  'ulimits',
  'x-devenv.process.env',
]);
const UNIQUE = new Set(['ports', 'volumes', 'devices', 'secrets', 'configs']);
/** Keys that accept a string where a list is meant (`dns: 8.8.8.8`). */
const STRING_OR_LIST = new Set(['dns', 'dns_search', 'env_file', 'tmpfs', 'label_file', 'profiles']);

function ruleFor(serviceRelative: string): Rule | undefined {
  if (REPLACE.has(serviceRelative)) return 'replace';
  if (MAPPING.has(serviceRelative)) return 'mapping';
  if (UNIQUE.has(serviceRelative)) return 'unique';
  return undefined;
}

/** Merges `override` onto `base` (neither is modified). `path` is where the nodes sit in the document. */
export function mergeNode(base: ConfigNode, override: ConfigNode, path: readonly string[] = []): ConfigNode {
  if (override.tag === 'override') return untagged(override);
  const rel = path[0] === 'services' && path.length >= 2 ? path.slice(2).join('.') : undefined;
  const rule = rel === undefined ? undefined : ruleFor(rel);
  if (rel === 'build') return mergeMaps(buildMapping(base), buildMapping(override), path);
  if (rule === 'replace') return cloneNode(override);
  if (rule === 'mapping') {
    const a = asMapping(base, rel);
    const b = asMapping(override, rel);
    return a && b ? mergeMaps(a, b, path) : cloneNode(override);
  }
  if (rule === 'unique' && isSeq(base) && isSeq(override)) return mergeUnique(base, override, rel ?? '');
  const baseSeq = rel !== undefined && STRING_OR_LIST.has(rel) ? asList(base) : base;
  const overrideSeq = rel !== undefined && STRING_OR_LIST.has(rel) ? asList(override) : override;
  if (isSeq(baseSeq) && isSeq(overrideSeq)) return appendUnique(baseSeq, overrideSeq);
  if (isMap(base) && isMap(override)) return mergeMaps(base, override, path);
  return cloneNode(override);
}

function untagged(node: ConfigNode): ConfigNode {
  const copy = cloneNode(node);
  delete copy.tag;
  return copy;
}

function mergeMaps(base: MapNode, override: MapNode, path: readonly string[]): MapNode {
  const out = mapNode(
    base.loc,
    [...base.entries.values()].map((e) => ({ ...e, value: cloneNode(e.value) })),
  );
  for (const [key, entry] of override.entries) {
    if (entry.value.tag === 'reset') {
      out.entries.delete(key);
      continue;
    }
    const existing = out.entries.get(key);
    if (!existing) {
      out.entries.set(key, { ...entry, value: withoutResets(entry.value) });
      continue;
    }
    out.entries.set(key, {
      key,
      keyLoc: existing.keyLoc,
      value: mergeNode(existing.value, entry.value, [...path, key]),
    });
  }
  return out;
}

/** Drops `!reset` entries and tags from a tree that is not merged onto anything (a file on its own). */
export function withoutResets<T extends ConfigNode>(node: T): T {
  const copy = cloneNode(node);
  strip(copy);
  return copy;
}

function strip(node: ConfigNode): void {
  delete node.tag;
  if (isMap(node)) {
    for (const [key, entry] of node.entries) {
      if (entry.value.tag === 'reset') node.entries.delete(key);
      else strip(entry.value);
    }
  } else if (isSeq(node)) {
    node.items = node.items.filter((item) => item.tag !== 'reset');
    for (const item of node.items) strip(item);
  }
}

/** `build: ./dir` is `build: {context: ./dir}` for merging. */
function buildMapping(node: ConfigNode): MapNode {
  if (isMap(node)) return node;
  return mapNode(node.loc, [{ key: 'context', keyLoc: node.loc, value: cloneNode(node) }]);
}

function asList(node: ConfigNode): ConfigNode {
  return isScalar(node) && node.value !== null ? seqNode(node.loc, [cloneNode(node)]) : node;
}

/**
 * A list-or-mapping value as a mapping. `KEY=VALUE` list entries split at the first `=` (a bare
 * `KEY` keeps a null value: "take it from the environment"); `depends_on` and `networks` lists
 * become entries with their default settings.
 */
export function asMapping(node: ConfigNode, rel = ''): MapNode | undefined {
  if (isMap(node)) return node;
  if (!isSeq(node)) return undefined;
  const entries: MapEntry[] = [];
  for (const item of node.items) {
    const raw = text(item);
    if (raw === undefined) continue;
    if (rel === 'depends_on') {
      entries.push({
        key: raw,
        keyLoc: item.loc,
        value: mapNode(item.loc, [{ key: 'condition', keyLoc: item.loc, value: scalar('service_started', item.loc) }]),
      });
    } else if (rel === 'networks') {
      entries.push({ key: raw, keyLoc: item.loc, value: scalar(null, item.loc) });
    } else {
      const eq = raw.indexOf('=');
      const key = eq < 0 ? raw : raw.slice(0, eq);
      entries.push({ key, keyLoc: item.loc, value: scalar(eq < 0 ? null : raw.slice(eq + 1), item.loc) });
    }
  }
  return mapNode(node.loc, entries);
}

function appendUnique(base: SeqNode, override: SeqNode): SeqNode {
  const out = seqNode(base.loc, base.items.map(cloneNode));
  const seen = new Set(out.items.map((i) => JSON.stringify(toPlain(i))));
  for (const item of override.items) {
    if (item.tag === 'reset') continue;
    const key = JSON.stringify(toPlain(item));
    if (seen.has(key)) continue;
    seen.add(key);
    out.items.push(withoutResets(item));
  }
  return out;
}

/** Unique resources: a later entry with the same key replaces the earlier one in place. */
function mergeUnique(base: SeqNode, override: SeqNode, rel: string): SeqNode {
  const keyOf = (item: ConfigNode) => uniqueKey(item, rel);
  const out = seqNode(base.loc, base.items.map(cloneNode));
  for (const item of override.items) {
    const key = keyOf(item);
    const at = out.items.findIndex((existing) => keyOf(existing) === key);
    if (at >= 0) out.items[at] = withoutResets(item);
    else out.items.push(withoutResets(item));
  }
  return out;
}

function uniqueKey(item: ConfigNode, rel: string): string {
  if (rel === 'volumes' || rel === 'devices') {
    if (isMap(item)) return `target:${text(item.entries.get('target')?.value) ?? ''}`;
    const raw = text(item) ?? '';
    const parts = raw.split(':');
    return `target:${parts.length === 1 ? parts[0] : parts[1]}`;
  }
  if (rel === 'secrets' || rel === 'configs') {
    if (isMap(item))
      return `target:${text(item.entries.get('target')?.value) ?? text(item.entries.get('source')?.value)}`;
    return `target:${text(item)}`;
  }
  return JSON.stringify(toPlain(item));
}
