// The `.env` / `env_file` format as Compose reads it: `KEY=VALUE` lines, `export ` prefix, `#`
// comments, single quotes (literal), double quotes (escapes, may span lines) and `${VAR}`
// interpolation in unquoted and double-quoted values. A bare `KEY` takes its value from the lookup.

import type { SourceLocation } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigDiagnostic, Diagnostics } from './diagnostics.js';
import { reportInterpolation } from './interpolate-tree.js';
import { ExpansionBudget, interpolate } from './interpolation.js';

/** Resolves `${NAME}` inside a value; `parsed` holds the entries read so far from the same file. */
export type DotenvLookup = (name: string, parsed: Readonly<Record<string, string>>) => string | undefined;

export interface DotenvResult {
  values: Record<string, string>;
  diagnostics: ConfigDiagnostic[];
}

const KEY = /[A-Za-z_][A-Za-z0-9_.-]*/y;

export function parseDotenv(
  text: string,
  file: string,
  lookup: DotenvLookup,
  warnedUnset: Set<string> = new Set(),
  budget: ExpansionBudget = new ExpansionBudget(),
): DotenvResult {
  const diagnostics = new Diagnostics();
  const values: Record<string, string> = {};
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const at = (offset: number): SourceLocation => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((lineStarts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, col: offset - (lineStarts[lo] ?? 0) + 1 };
  };
  const bad = (offset: number, message: string, hint: string) =>
    diagnostics.error(ConfigCode.dotenvSyntax, message, at(offset), hint);
  const lineEnd = (from: number) => {
    const nl = text.indexOf('\n', from);
    return nl < 0 ? text.length : nl;
  };
  const resolve = (name: string) => lookup(name, values);
  const expand = (raw: string, offset: number): string => {
    const result = interpolate(raw, resolve, budget);
    for (const p of result.problems) reportInterpolation(p, at(offset + p.index), { diagnostics, warnedUnset });
    return result.value;
  };

  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\n' || c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      i = lineEnd(i);
      continue;
    }
    if (/^export[ \t]/.test(text.slice(i, i + 7))) {
      i += 7;
      while (text[i] === ' ' || text[i] === '\t') i++;
    }
    KEY.lastIndex = i;
    const key = KEY.exec(text)?.[0];
    if (!key) {
      bad(
        i,
        `invalid line: \`${text.slice(i, lineEnd(i)).trim()}\``,
        'write `KEY=value`; keys use letters, digits, `_`, `.` and `-`',
      );
      i = lineEnd(i);
      continue;
    }
    i += key.length;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (i >= text.length || text[i] === '\n' || text[i] === '\r' || text[i] === '#') {
      const inherited = resolve(key);
      if (inherited !== undefined) values[key] = inherited;
      i = lineEnd(i);
      continue;
    }
    if (text[i] !== '=') {
      bad(i, `expected \`=\` after \`${key}\``, `write \`${key}=value\` (no spaces inside the key)`);
      i = lineEnd(i);
      continue;
    }
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    const quote = text[i];
    if (quote === "'" || quote === '"') {
      const close = closingQuote(text, i + 1, quote);
      if (close < 0) {
        bad(
          i,
          `unclosed ${quote === '"' ? 'double' : 'single'} quote in the value of \`${key}\``,
          `add the closing ${quote}`,
        );
        break;
      }
      const inner = text.slice(i + 1, close);
      values[key] = quote === "'" ? inner : expand(unescapeDouble(inner), i + 1);
      i = close + 1;
      const rest = text.slice(i, lineEnd(i));
      if (rest.trim() !== '' && !rest.trim().startsWith('#')) {
        bad(
          i,
          `unexpected text after the closing quote of \`${key}\``,
          'put a space before `#` for a comment, or quote the whole value',
        );
      }
      i = lineEnd(i);
      continue;
    }
    const end = lineEnd(i);
    const raw = stripInlineComment(text.slice(i, end)).replace(/\r$/, '').trimEnd();
    values[key] = expand(raw, i);
    i = end;
  }
  return { values, diagnostics: diagnostics.items };
}

function closingQuote(text: string, from: number, quote: string): number {
  for (let i = from; i < text.length; i++) {
    if (quote === '"' && text[i] === '\\') {
      i++;
      continue;
    }
    if (text[i] === quote) return i;
  }
  return -1;
}

/** Escapes in double quotes; an escaped `$` becomes `$$` so interpolation keeps it literal. */
function unescapeDouble(inner: string): string {
  return inner.replace(/\\(.)/gs, (_m, ch: string) => {
    switch (ch) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '$':
        return '$$';
      default:
        return ch;
    }
  });
}

/** `VALUE # note` → `VALUE`; a `#` with no space before it is part of the value. */
function stripInlineComment(raw: string): string {
  const m = /(^|[ \t])#/.exec(raw);
  return m ? raw.slice(0, m.index) : raw;
}
