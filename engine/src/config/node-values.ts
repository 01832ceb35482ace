// Reading typed values out of (already schema-checked) nodes, reporting what the schema cannot
// say: commands that do not split, durations that are not durations.

import { shellSplit } from '../shared/shell-words.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, isMap, isScalar, isSeq, type ScalarNode, text } from './config-node.js';
import { durationHint, parseDuration } from './durations.js';
import { asMapping } from './merge.js';
import type { NormaliseContext } from './normalise-context.js';

/** A command given as a string (shell-split like Compose) or a list; undefined for null/absent. */
export function commandList(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): string[] | undefined {
  if (node === undefined) return undefined;
  if (isSeq(node)) return node.items.map((i) => text(i) ?? '');
  if (!isScalar(node) || node.value === null) return undefined;
  const value = String(node.value);
  const split = shellSplit(value);
  if (split.ok) return split.args;
  ctx.diagnostics.error(
    ConfigCode.invalidCommand,
    `${what} has an ${split.message}: ${value}`,
    locateChar(node, split.index),
    'close the quote, or write the command as a list: ["python", "-m", "app"]',
  );
  return undefined;
}

/** The source position of character `index` of a scalar's value (exact for plain and simply quoted scalars). */
export function locateChar(node: ScalarNode, index: number) {
  const source = node.source;
  if (!source) return node.loc;
  const value = String(node.value);
  const quoted = source.raw.startsWith('"') || source.raw.startsWith("'");
  const offset = quoted ? index + 1 : index;
  return source.raw.slice(quoted ? 1 : 0, (quoted ? 1 : 0) + value.length) === value ? source.locate(offset) : node.loc;
}

/** Milliseconds for a duration value; reports and returns undefined when it is not one. */
export function durationMs(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): number | undefined {
  if (!isScalar(node) || node.value === null) return undefined;
  const raw = String(node.value);
  const ms = parseDuration(raw);
  if (ms !== undefined) return ms;
  ctx.diagnostics.error(
    ConfigCode.invalidDuration,
    `${what} \`${raw}\` is not a duration`,
    node.loc,
    durationHint(raw),
  );
  return undefined;
}

/**
 * `KEY: value` mapping or `KEY=value` list → strings. A key with no value takes the variable
 * of that name from the environment (left out when unset), as Compose does for `environment`.
 */
export function stringMap(node: ConfigNode | undefined, ctx: NormaliseContext, inherit = true): Record<string, string> {
  const out: Record<string, string> = {};
  const mapping = node === undefined ? undefined : asMapping(node);
  if (!mapping) return out;
  for (const [key, entry] of mapping.entries) {
    const value = isScalar(entry.value) ? entry.value.value : null;
    if (value === null) {
      if (!inherit) {
        out[key] = '';
        continue;
      }
      const inherited = ctx.env(key);
      if (inherited !== undefined) out[key] = inherited;
      continue;
    }
    out[key] = String(value);
  }
  return out;
}

/** A string or list of strings as a list. */
export function stringList(node: ConfigNode | undefined): string[] {
  if (node === undefined) return [];
  if (isSeq(node)) return node.items.map((i) => text(i)).filter((s): s is string => s !== undefined);
  const single = text(node);
  return single === undefined ? [] : [single];
}

export function bool(node: ConfigNode | undefined, fallback = false): boolean {
  return isScalar(node) && typeof node.value === 'boolean' ? node.value : fallback;
}

export function mapKeys(node: ConfigNode | undefined): string[] {
  return isMap(node) ? [...node.entries.keys()] : [];
}
