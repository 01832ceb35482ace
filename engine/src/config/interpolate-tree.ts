// Applies interpolation to every string value of a parsed file (keys are never interpolated, as in
// Compose), reports problems at the exact column of their `$`, and casts interpolated values where
// Compose expects a number or a boolean (`published: ${PORT}` becomes 8000, not "8000").

import type { SourceLocation } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import type { ConfigNode, ScalarNode } from './config-node.js';
import type { Diagnostics } from './diagnostics.js';
import { type ExpansionBudget, type InterpolationProblem, interpolate, type Lookup } from './interpolation.js';

type Cast = 'int' | 'bool';

const CASTS: [string[], Cast][] = [
  [['services', '*', 'ports', '*', 'published'], 'int'],
  [['services', '*', 'ports', '*', 'target'], 'int'],
  [['services', '*', 'healthcheck', 'retries'], 'int'],
  [['services', '*', 'healthcheck', 'disable'], 'bool'],
  [['services', '*', 'tty'], 'bool'],
  [['services', '*', 'stdin_open'], 'bool'],
  [['services', '*', 'init'], 'bool'],
  [['services', '*', 'privileged'], 'bool'],
  [['services', '*', 'read_only'], 'bool'],
  [['services', '*', 'scale'], 'int'],
  [['services', '*', 'volumes', '*', 'read_only'], 'bool'],
  [['services', '*', 'depends_on', '*', 'required'], 'bool'],
  [['services', '*', 'depends_on', '*', 'restart'], 'bool'],
  [['services', '*', 'env_file', '*', 'required'], 'bool'],
  [['services', '*', 'develop', 'watch', '*', 'initial_sync'], 'bool'],
  [['services', '*', 'x-devenv', 'debug', 'port'], 'int'],
  [['services', '*', 'x-devenv', 'debug', 'host_port'], 'int'],
  [['services', '*', 'x-devenv', 'debug', 'wait'], 'bool'],
  [['services', '*', 'x-devenv', 'process', 'healthcheck', 'port'], 'int'],
  [['services', '*', 'x-devenv', 'process', 'healthcheck', 'retries'], 'int'],
  [['x-devenv', 'metrics', 'port'], 'int'],
  [['volumes', '*', 'external'], 'bool'],
  [['networks', '*', 'external'], 'bool'],
  [['networks', '*', 'internal'], 'bool'],
];

function castFor(path: readonly (string | number)[]): Cast | undefined {
  for (const [pattern, cast] of CASTS) {
    if (pattern.length === path.length && pattern.every((p, i) => p === '*' || p === path[i])) return cast;
  }
  return undefined;
}

function castValue(value: string, cast: Cast): string | number | boolean {
  if (cast === 'int') return /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  const lower = value.trim().toLowerCase();
  if (['true', '1', 't'].includes(lower)) return true;
  if (['false', '0', 'f'].includes(lower)) return false;
  return value;
}

export interface InterpolationContext {
  lookup: Lookup;
  /** What all values of the project may still add by expansion (shared across files). */
  budget?: ExpansionBudget;
  diagnostics: Diagnostics;
  /** Unset variables already warned about: one warning per variable per project. */
  warnedUnset: Set<string>;
}

export function interpolateTree(node: ConfigNode, ctx: InterpolationContext, path: (string | number)[] = []): void {
  switch (node.kind) {
    case 'map':
      for (const [key, entry] of node.entries) interpolateTree(entry.value, ctx, [...path, key]);
      return;
    case 'seq':
      node.items.forEach((item, i) => {
        interpolateTree(item, ctx, [...path, i]);
      });
      return;
    case 'scalar':
      if (typeof node.value === 'string' && node.value.includes('$')) interpolateScalar(node, node.value, ctx, path);
  }
}

function interpolateScalar(node: ScalarNode, input: string, ctx: InterpolationContext, path: (string | number)[]) {
  const result = interpolate(input, ctx.lookup, ctx.budget);
  for (const problem of result.problems) reportInterpolation(problem, locateIndex(node, input, problem.index), ctx);
  const cast = result.substituted ? castFor(path) : undefined;
  node.value = cast ? castValue(result.value, cast) : result.value;
}

export function reportInterpolation(
  problem: InterpolationProblem,
  location: SourceLocation,
  ctx: Pick<InterpolationContext, 'diagnostics' | 'warnedUnset'>,
): void {
  if (problem.kind === 'unset') {
    const name = problem.name ?? '';
    if (ctx.warnedUnset.has(name)) return;
    ctx.warnedUnset.add(name);
    ctx.diagnostics.warn(
      ConfigCode.variableUnset,
      problem.message,
      location,
      `set \`${name}\` in your shell or in the .env file, or give a default: \${${name}:-value}`,
    );
  } else if (problem.kind === 'limit') {
    ctx.diagnostics.error(
      ConfigCode.interpolationLimit,
      problem.message,
      location,
      'expand less: set the value directly instead of building it from other variables',
    );
  } else if (problem.kind === 'required') {
    ctx.diagnostics.error(
      ConfigCode.requiredVariable,
      problem.message,
      location,
      `set \`${problem.name}\` in your shell (\`export ${problem.name}=...\`) or in the .env file next to the config`,
    );
  } else {
    ctx.diagnostics.error(
      ConfigCode.interpolationSyntax,
      problem.message,
      location,
      problem.message.startsWith('unclosed')
        ? 'close the expression with `}`, or write `$$` for a literal `$`'
        : // biome-ignore lint/suspicious/noTemplateCurlyInString: Compose syntax shown to the user, not a template
          'write `${NAME}`, `${NAME:-default}`, `${NAME:?message}` or `$$` for a literal `$`',
    );
  }
}

/** Source position of character `index` of a scalar's value: the matching `$` in the raw text. */
function locateIndex(node: ScalarNode, value: string, index: number): SourceLocation {
  if (!node.source) return node.loc;
  let nth = 0;
  for (let i = value.indexOf('$'); i >= 0 && i < index; i = value.indexOf('$', i + 1)) nth++;
  let at = node.source.raw.indexOf('$');
  for (let k = 0; k < nth && at >= 0; k++) at = node.source.raw.indexOf('$', at + 1);
  return at >= 0 ? node.source.locate(at) : node.loc;
}
