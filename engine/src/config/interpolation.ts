// Compose variable interpolation: `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`,
// `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`, `$$` for a literal `$`, and nested
// expressions inside defaults. A lone `$` not followed by a name, `{` or `$` stays literal, as in
// Compose. Problems carry the index of their `$` so callers can point at the exact column.

export type Lookup = (name: string) => string | undefined;

export interface InterpolationProblem {
  kind: 'syntax' | 'required' | 'unset' | 'limit';
  /** Index of the `$` that starts the expression, in the input string. */
  index: number;
  name?: string;
  message: string;
}

export interface InterpolationResult {
  value: string;
  problems: InterpolationProblem[];
  /** True when at least one expression was substituted (used to cast interpolated numbers). */
  substituted: boolean;
}

const NAME = /^[_a-zA-Z][_a-zA-Z0-9]*/;

/** `${A:-${B:-…}}` nested deeper than this is refused (Compose files use two or three levels). */
export const MAX_INTERPOLATION_DEPTH = 32;
/** One value may expand to at most this many characters. */
export const MAX_INTERPOLATED_LENGTH = 1024 * 1024;

/**
 * Characters a whole file (or project) may still produce by interpolation: a `.env` whose lines
 * each double the one before must end in an error, not in an exhausted heap.
 */
export class ExpansionBudget {
  constructor(public remaining: number = 16 * 1024 * 1024) {}
}

interface State {
  substituted: boolean;
  /** Set once a limit was hit: the rest of the value is not expanded. */
  stopped: boolean;
  depth: number;
}

export function interpolate(input: string, lookup: Lookup, budget?: ExpansionBudget): InterpolationResult {
  const problems: InterpolationProblem[] = [];
  const state: State = { substituted: false, stopped: false, depth: 0 };
  let value = expand(input, 0, lookup, problems, state);
  if (budget && !state.stopped && value.length > input.length) {
    budget.remaining -= value.length - input.length;
    if (budget.remaining < 0) {
      problems.push({
        kind: 'limit',
        index: Math.max(0, input.indexOf('$')),
        message: 'variables in this file expand to more than 16 MB in all (does each value double the one before?)',
      });
      value = '';
    }
  }
  if (state.stopped) value = '';
  return { value, problems, substituted: state.substituted };
}

function expand(input: string, base: number, lookup: Lookup, problems: InterpolationProblem[], state: State): string {
  let out = '';
  let i = 0;
  while (i < input.length && !state.stopped) {
    if (out.length > MAX_INTERPOLATED_LENGTH) {
      state.stopped = true;
      problems.push({
        kind: 'limit',
        index: base + Math.max(0, input.lastIndexOf('$', i - 1)),
        message: `this value expands to more than ${MAX_INTERPOLATED_LENGTH.toLocaleString('en')} characters`,
      });
      return '';
    }
    const c = input[i];
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const close = matchingBrace(input, i + 2);
      if (close < 0) {
        problems.push({
          kind: 'syntax',
          index: base + i,
          message: `unclosed \`\${\` in "${input.slice(i)}"`,
        });
        return out + input.slice(i);
      }
      state.substituted = true;
      out += braced(input.slice(i + 2, close), base + i, base + i + 2, lookup, problems, state);
      i = close + 1;
      continue;
    }
    const name = NAME.exec(input.slice(i + 1))?.[0];
    if (!name) {
      out += '$';
      i++;
      continue;
    }
    state.substituted = true;
    const value = lookup(name);
    if (value === undefined) problems.push(unset(name, base + i));
    out += value ?? '';
    i += 1 + name.length;
  }
  if (out.length > MAX_INTERPOLATED_LENGTH && !state.stopped) {
    state.stopped = true;
    problems.push({
      kind: 'limit',
      index: base + Math.max(0, input.indexOf('$')),
      message: `this value expands to more than ${MAX_INTERPOLATED_LENGTH.toLocaleString('en')} characters`,
    });
    return '';
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from`, honouring nested `${...}`. */
function matchingBrace(input: string, from: number): number {
  let depth = 1;
  for (let i = from; i < input.length; i++) {
    if (input[i] === '$' && input[i + 1] === '$') {
      i++;
    } else if (input[i] === '$' && input[i + 1] === '{') {
      depth++;
      i++;
    } else if (input[i] === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  return -1;
}

const OPERATORS = [':-', ':?', ':+', '-', '?', '+'] as const;

function braced(
  body: string,
  dollarIndex: number,
  bodyIndex: number,
  lookup: Lookup,
  problems: InterpolationProblem[],
  state: State,
): string {
  const name = NAME.exec(body)?.[0];
  if (!name) {
    const shown = `\${${body}}`;
    problems.push({
      kind: 'syntax',
      index: dollarIndex,
      message: `invalid variable name in \`${shown}\`: names start with a letter or \`_\``,
    });
    return '';
  }
  const rest = body.slice(name.length);
  const value = lookup(name);
  if (rest === '') {
    if (value === undefined) problems.push(unset(name, dollarIndex));
    return value ?? '';
  }
  const op = OPERATORS.find((o) => rest.startsWith(o));
  if (!op) {
    problems.push({
      kind: 'syntax',
      index: dollarIndex,
      message: `unexpected \`${rest[0]}\` after \`\${${name}\`: expected \`}\`, \`:-\`, \`-\`, \`:?\`, \`?\`, \`:+\` or \`+\``,
    });
    return '';
  }
  const argIndex = bodyIndex + name.length + op.length;
  const arg = () => {
    if (state.depth >= MAX_INTERPOLATION_DEPTH) {
      if (!state.stopped) {
        problems.push({
          kind: 'limit',
          index: dollarIndex,
          message: `\`\${…}\` expressions are nested more than ${MAX_INTERPOLATION_DEPTH} deep here`,
        });
      }
      state.stopped = true;
      return '';
    }
    state.depth++;
    try {
      return expand(rest.slice(op.length), argIndex, lookup, problems, state);
    } finally {
      state.depth--;
    }
  };
  const empty = value === undefined || value === '';
  switch (op) {
    case ':-':
      return empty ? arg() : value;
    case '-':
      return value === undefined ? arg() : value;
    case ':+':
      return empty ? '' : arg();
    case '+':
      return value === undefined ? '' : arg();
    case ':?':
    case '?': {
      const missing = op === ':?' ? empty : value === undefined;
      if (!missing) return value ?? '';
      const detail = arg();
      problems.push({
        kind: 'required',
        index: dollarIndex,
        name,
        message: detail
          ? `required variable \`${name}\` is ${value === undefined ? 'not set' : 'empty'}: ${detail}`
          : `required variable \`${name}\` is ${value === undefined ? 'not set' : 'empty'}`,
      });
      return '';
    }
  }
}

function unset(name: string, index: number): InterpolationProblem {
  return { kind: 'unset', index, name, message: `variable \`${name}\` is not set; using an empty string` };
}
