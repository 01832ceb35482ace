// A Compose document as a tree that remembers where every key and value came from. Parsing,
// interpolation, merging and `extends` all work on this tree, so a problem found at any phase
// (even in a value inherited from another file) still points at the line that wrote it.

import type { SourceLocation } from '../model/spec.js';

export type ScalarValue = string | number | boolean | null;

/** Compose's `!reset` (drop the inherited value) and `!override` (replace instead of merge). */
export type MergeTag = 'reset' | 'override';

/** The scalar's text as written, so a position inside a value (a bad `${`) can be located exactly. */
export interface ScalarSource {
  raw: string;
  locate(rawOffset: number): SourceLocation;
}

interface NodeBase {
  loc: SourceLocation;
  tag?: MergeTag;
}

export interface ScalarNode extends NodeBase {
  kind: 'scalar';
  value: ScalarValue;
  source?: ScalarSource;
}

export interface SeqNode extends NodeBase {
  kind: 'seq';
  items: ConfigNode[];
}

export interface MapEntry {
  key: string;
  keyLoc: SourceLocation;
  value: ConfigNode;
}

export interface MapNode extends NodeBase {
  kind: 'map';
  entries: Map<string, MapEntry>;
}

export type ConfigNode = ScalarNode | SeqNode | MapNode;

export function isMap(node: ConfigNode | undefined): node is MapNode {
  return node?.kind === 'map';
}

export function isSeq(node: ConfigNode | undefined): node is SeqNode {
  return node?.kind === 'seq';
}

export function isScalar(node: ConfigNode | undefined): node is ScalarNode {
  return node?.kind === 'scalar';
}

export function scalar(value: ScalarValue, loc: SourceLocation): ScalarNode {
  return { kind: 'scalar', value, loc };
}

export function mapNode(loc: SourceLocation, entries: MapEntry[] = []): MapNode {
  return { kind: 'map', loc, entries: new Map(entries.map((e) => [e.key, e])) };
}

export function seqNode(loc: SourceLocation, items: ConfigNode[] = []): SeqNode {
  return { kind: 'seq', loc, items };
}

/** The value under `key` when `node` is a mapping. */
export function child(node: ConfigNode | undefined, key: string): ConfigNode | undefined {
  return isMap(node) ? node.entries.get(key)?.value : undefined;
}

export function entryOf(node: ConfigNode | undefined, key: string): MapEntry | undefined {
  return isMap(node) ? node.entries.get(key) : undefined;
}

/** The string value of a scalar (numbers and booleans stringified), or undefined. */
export function text(node: ConfigNode | undefined): string | undefined {
  if (!isScalar(node) || node.value === null) return undefined;
  return String(node.value);
}

/** Plain JavaScript value of the tree, as a JSON-minded consumer (the schema, `devenv config`) sees it. */
export function toPlain(node: ConfigNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toPlain);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [key, entry] of node.entries) out[key] = toPlain(entry.value);
      return out;
    }
  }
}

/** Deep copy, so merging never mutates a tree another service still refers to. */
export function cloneNode<T extends ConfigNode>(node: T): T {
  switch (node.kind) {
    case 'scalar':
      return { ...node };
    case 'seq':
      return { ...node, items: node.items.map(cloneNode) };
    case 'map':
      return {
        ...node,
        entries: new Map([...node.entries].map(([k, e]) => [k, { ...e, value: cloneNode(e.value) }])),
      };
  }
}

export type PathSegment = string | number;

/** Splits an RFC 6901 JSON pointer (ajv's `instancePath`) into segments. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
}

export interface Located {
  node?: ConfigNode;
  /** Position of the last key on the path, when the path ends in a mapping key. */
  keyLoc?: SourceLocation;
  /** The deepest node that exists along the path. */
  nearest: ConfigNode;
}

/** Walks the tree along `path`; stops at the deepest existing node when the path runs out. */
export function locate(root: ConfigNode, path: readonly PathSegment[]): Located {
  let node: ConfigNode = root;
  let keyLoc: SourceLocation | undefined;
  for (const segment of path) {
    if (node.kind === 'map') {
      const entry = node.entries.get(String(segment));
      if (!entry) return { nearest: node };
      keyLoc = entry.keyLoc;
      node = entry.value;
    } else if (node.kind === 'seq') {
      const item = node.items[Number(segment)];
      if (!item) return { nearest: node };
      keyLoc = undefined;
      node = item;
    } else {
      return { nearest: node };
    }
  }
  const located: Located = { node, nearest: node };
  if (keyLoc) located.keyLoc = keyLoc;
  return located;
}
