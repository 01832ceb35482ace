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

/**
 * One checked value: `parse` it, or report `problem` at the value's position and return
 * undefined. Absent and null values are undefined without a report.
 */
function checked<T>(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  parse: (value: unknown) => T | undefined,
  problem: (value: unknown) => { code: string; message: string; hint: string },
): T | undefined {
  if (!present(node)) return undefined;
  const value = parse(raw(node));
  if (value !== undefined) return value;
  const p = problem(raw(node));
  ctx.diagnostics.error(p.code, p.message, node.loc, p.hint);
  return undefined;
}

/** Bytes for a size (`256m`); reports and returns undefined when it is not one. */
export function sizeValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): number | undefined {
  return checked(node, ctx, parseByteSize, (v) => ({
    code: ConfigCode.invalidSize,
    message: `${what} ${shown(v)} is not a size`,
    hint: sizeHint(v),
  }));
}

/** A CPU count; reports and returns undefined when it is not a positive number. */
export function cpusValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): number | undefined {
  return checked(node, ctx, parseCpus, (v) => ({
    code: ConfigCode.invalidCpus,
    message: `${what} ${shown(v)} is not a number of CPUs`,
    hint: 'write a positive number, e.g. `0.5` for half a CPU or `2`',
  }));
}

export interface IntRange {
  min?: number;
  max?: number;
  /** Extra values allowed outside the range (e.g. -1 for "unlimited"). */
  also?: number[];
  hint?: string;
}

function inRange(n: number, range: IntRange): boolean {
  if (range.also?.includes(n)) return true;
  return (range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max);
}

function boundsText(range: IntRange): string {
  if (range.min !== undefined && range.max !== undefined) return ` from ${range.min} to ${range.max}`;
  if (range.min !== undefined) return ` of at least ${range.min}`;
  if (range.max !== undefined) return ` of at most ${range.max}`;
  return '';
}

/** A whole number within a range; reports and returns undefined otherwise. */
export function intValue(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
  range: IntRange = {},
): number | undefined {
  const bounds = boundsText(range);
  return checked(
    node,
    ctx,
    (v) => {
      const n = parseInteger(v);
      return n !== undefined && inRange(n, range) ? n : undefined;
    },
    (v) => ({
      code: ConfigCode.invalidNumber,
      message: `${what} ${shown(v)} is not a whole number${bounds}${range.also?.length ? ` (or ${range.also.join(', ')})` : ''}`,
      hint: range.hint ?? `write a whole number${bounds}`,
    }),
  );
}

/** A number (fractions allowed) within a range. */
export function numberValue(
  node: ConfigNode | undefined,
  ctx: NormaliseContext,
  what: string,
  range: IntRange = {},
): number | undefined {
  return checked(
    node,
    ctx,
    (v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
      return Number.isFinite(n) && inRange(n, range) ? n : undefined;
    },
    (v) => ({
      code: ConfigCode.invalidNumber,
      message: `${what} ${shown(v)} is not a number${boundsText(range)}`,
      hint: range.hint ?? 'write a number without quotes',
    }),
  );
}

/** A boolean (`true`, or a string Go's ParseBool accepts, as Compose does). */
export function boolValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): boolean | undefined {
  return checked(node, ctx, parseBoolean, (v) => ({
    code: ConfigCode.invalidBoolean,
    message: `${what} ${shown(v)} is not true or false`,
    hint: 'write `true` or `false` (unquoted)',
  }));
}

/** A signal, in the form Docker takes (`SIGTERM`, or a number). */
export function signalValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): string | undefined {
  return checked(node, ctx, parseSignal, (v) => {
    const guess = closest(String(v).toUpperCase().replace(/^SIG/, ''), SIGNAL_NAMES);
    return {
      code: ConfigCode.invalidSignal,
      message: `${what} ${shown(v)} is not a signal`,
      hint: guess
        ? `did you mean \`SIG${guess}\`?`
        : 'write a signal name like `SIGTERM`, `SIGINT` or `SIGQUIT`, or its number',
    };
  });
}

/** Permission bits (`0440`, or 288 read from YAML's octal `0440`). */
export function fileModeValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): number | undefined {
  // YAML 1.2 reads `0440` as the decimal 440; Compose (YAML 1.1) means octal, as written.
  const written = isScalar(node) ? node.source?.raw.trim() : undefined;
  const octal = written !== undefined && /^0[0-7]+$/.test(written);
  return checked(
    node,
    ctx,
    (v) => parseFileMode(octal ? written : v),
    (v) => ({
      code: ConfigCode.invalidFileMode,
      message: `${what} ${shown(v)} is not a file mode`,
      hint: 'write octal permission bits, e.g. `0440` (owner and group may read)',
    }),
  );
}

/** A numeric user or group id, as a string. */
export function idValue(node: ConfigNode | undefined, ctx: NormaliseContext, what: string): string | undefined {
  return checked(
    node,
    ctx,
    (v) => (/^\d+$/.test(String(v).trim()) ? String(v).trim() : undefined),
    (v) => ({
      code: ConfigCode.invalidNumber,
      message: `${what} ${shown(v)} is not a numeric id`,
      hint: 'write the number, e.g. `"1000"` (names are not resolved for files)',
    }),
  );
}
