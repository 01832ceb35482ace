// Problems are collected, never thrown one by one: a user fixing a config wants every mistake
// in one run. The collector keeps errors and warnings apart; the loader throws a UserError at the
// end of a phase when it holds any error.

import type { Problem } from '../errors.js';
import type { SourceLocation } from '../model/spec.js';

/** A Problem with its severity, for callers (the language server) that show warnings too. */
export interface ConfigDiagnostic extends Problem {
  severity: 'error' | 'warning';
}

export class Diagnostics {
  readonly items: ConfigDiagnostic[] = [];

  error(code: string, message: string, location: SourceLocation | undefined, hint?: string): void {
    this.items.push(diagnostic('error', code, message, location, hint));
  }

  warn(code: string, message: string, location: SourceLocation | undefined, hint?: string): void {
    this.items.push(diagnostic('warning', code, message, location, hint));
  }

  add(items: readonly ConfigDiagnostic[]): void {
    this.items.push(...items);
  }

  get errors(): ConfigDiagnostic[] {
    return this.items.filter((d) => d.severity === 'error');
  }

  get warnings(): ConfigDiagnostic[] {
    return this.items.filter((d) => d.severity === 'warning');
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

function diagnostic(
  severity: ConfigDiagnostic['severity'],
  code: string,
  message: string,
  location: SourceLocation | undefined,
  hint: string | undefined,
): ConfigDiagnostic {
  const d: ConfigDiagnostic = { severity, code, message };
  if (location) d.location = location;
  if (hint) d.hint = hint;
  return d;
}

/** In reading order: problems without a position first, then by file, line and column. */
export function byPosition(a: ConfigDiagnostic, b: ConfigDiagnostic): number {
  const la = a.location;
  const lb = b.location;
  if (!la || !lb) return la ? 1 : lb ? -1 : 0;
  return la.file.localeCompare(lb.file) || la.line - lb.line || la.col - lb.col;
}

/** Drops the severity, for APIs typed as plain Problems. */
export function toProblem(d: ConfigDiagnostic): Problem {
  const { severity: _severity, ...problem } = d;
  return problem;
}
