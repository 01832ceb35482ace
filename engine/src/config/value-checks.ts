// Reading one typed value out of a node and reporting, at the value's position, what is wrong
// with it. The schema lets most keys be strings too (so `${VAR}` can stand for a number); these
// readers turn the string into the number, size, boolean or signal it must be, or say why not.

import { ConfigCode } from './codes.js';
import { type ConfigNode, isScalar } from './config-node.js';
import { closest } from './edit-distance.js';
import type { NormaliseContext } from './normalise-context.js';
import {
  parseBoolean,
  parseByteSize,
  parseCpus,
  parseFileMode,
  parseInteger,
  parseSignal,
  SIGNAL_NAMES,
  sizeHint,
} from './units.js';

function present(node: ConfigNode | undefined): node is ConfigNode {
  return node !== undefined && !(isScalar(node) && node.value === null);
}

function raw(node: ConfigNode): unknown {
  return isScalar(node) ? node.value : undefined;
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `\`${value}\`` : String(value);
}

/** Bytes for a size (`256m`); reports and returns undefined when it is not one. */
export function sizeValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): number | undefined {
  if (!present(node)) return undefined;
  const bytes = parseByteSize(raw(node));
  if (bytes !== undefined) return bytes;
  ctx.diagnostics.error(
    ConfigCode.invalidSize,
    `${what} ${shown(raw(node))} is not a size`,
    node.loc,
    sizeHint(raw(node)),
  );
  return undefined;
}

/** A CPU count; reports and returns undefined when it is not a positive number. */
export function cpusValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): number | undefined {
  if (!present(node)) return undefined;
  const cpus = parseCpus(raw(node));
  if (cpus !== undefined) return cpus;
  ctx.diagnostics.error(
    ConfigCode.invalidCpus,
    `${what} ${shown(raw(node))} is not a number of CPUs`,
    node.loc,
    'write a positive number, e.g. `0.5` for half a CPU or `2`',
  );
  return undefined;
}

export interface IntRange {
  min?: number;
  max?: number;
  /** Extra values allowed outside the range (e.g. -1 for "unlimited"). */
  also?: number[];
  hint?: string;
}

/** A whole number within a range; reports and returns undefined otherwise. */
export function intValue(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
  range: IntRange = {},
): number | undefined {
  if (!present(node)) return undefined;
  const n = parseInteger(raw(node));
  const inRange =
    n !== undefined &&
    (range.also?.includes(n) ||
      ((range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max)));
  if (n !== undefined && inRange) return n;
  const bounds =
    range.min !== undefined && range.max !== undefined
      ? `from ${range.min} to ${range.max}`
      : range.min !== undefined
        ? `of at least ${range.min}`
        : range.max !== undefined
          ? `of at most ${range.max}`
          : '';
  ctx.diagnostics.error(
    ConfigCode.invalidNumber,
    `${what} ${shown(raw(node))} is not a whole number${bounds ? ` ${bounds}` : ''}${range.also?.length ? ` (or ${range.also.join(', ')})` : ''}`,
    node.loc,
    range.hint ?? `write a whole number${bounds ? ` ${bounds}` : ''}`,
  );
  return undefined;
}

/** A number (fractions allowed) within a range. */
export function numberValue(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
  range: IntRange = {},
): number | undefined {
  if (!present(node)) return undefined;
  const v = raw(node);
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  if (Number.isFinite(n) && (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max))
    return n;
  ctx.diagnostics.error(
    ConfigCode.invalidNumber,
    `${what} ${shown(v)} is not a number${range.min !== undefined ? ` of at least ${range.min}` : ''}${range.max !== undefined ? ` up to ${range.max}` : ''}`,
    node.loc,
    range.hint ?? 'write a number without quotes',
  );
  return undefined;
}

/** A boolean (`true`, or a string Go's ParseBool accepts, as Compose does). */
export function boolValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): boolean | undefined {
  if (!present(node)) return undefined;
  const b = parseBoolean(raw(node));
  if (b !== undefined) return b;
  ctx.diagnostics.error(
    ConfigCode.invalidBoolean,
    `${what} ${shown(raw(node))} is not true or false`,
    node.loc,
    'write `true` or `false` (unquoted)',
  );
  return undefined;
}

/** A signal, in the form Docker takes (`SIGTERM`, or a number). */
export function signalValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): string | undefined {
  if (!present(node)) return undefined;
  const signal = parseSignal(raw(node));
  if (signal !== undefined) return signal;
  const guess = closest(String(raw(node)).toUpperCase().replace(/^SIG/, ''), SIGNAL_NAMES);
  ctx.diagnostics.error(
    ConfigCode.invalidSignal,
    `${what} ${shown(raw(node))} is not a signal`,
    node.loc,
    guess
      ? `did you mean \`SIG${guess}\`?`
      : 'write a signal name like `SIGTERM`, `SIGINT` or `SIGQUIT`, or its number',
  );
  return undefined;
}

/** Permission bits (`0440`, or 288 read from YAML's octal `0440`). */
export function fileModeValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): number | undefined {
  if (!present(node)) return undefined;
  // YAML 1.2 reads `0440` as the decimal 440; Compose (YAML 1.1) means octal, as written.
  const written = isScalar(node) ? node.source?.raw.trim() : undefined;
  const mode = parseFileMode(written && /^0[0-7]+$/.test(written) ? written : raw(node));
  if (mode !== undefined) return mode;
  ctx.diagnostics.error(
    ConfigCode.invalidFileMode,
    `${what} ${shown(raw(node))} is not a file mode`,
    node.loc,
    'write octal permission bits, e.g. `0440` (owner and group may read)',
  );
  return undefined;
}

/** A numeric user or group id, as a string. */
export function idValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): string | undefined {
  if (!present(node)) return undefined;
  const text = String(raw(node)).trim();
  if (/^\d+$/.test(text)) return text;
  ctx.diagnostics.error(
    ConfigCode.invalidNumber,
    `${what} ${shown(raw(node))} is not a numeric id`,
    node.loc,
    'write the number, e.g. `"1000"` (names are not resolved for files)',
  );
  return undefined;
}
