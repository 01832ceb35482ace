// Two kinds of failure, kept apart so users get "what to do" and never a stack for their own
// mistakes: UserError (bad config, missing engine, busy port: exit 1) and RuntimeFailure
// (a container that would not start, a build that failed: exit 2). Anything else is a bug.

import type { SourceLocation } from './model/spec.js';

export interface Problem {
  /** Stable code, e.g. `config.yaml-syntax`, documented in docs/troubleshooting.md. */
  code: string;
  message: string;
  location?: SourceLocation;
  /** How to fix it, one sentence. */
  hint?: string;
}

export class UserError extends Error {
  override readonly name = 'UserError';
  readonly problems: Problem[];
  readonly nextSteps: string[];

  constructor(problems: Problem | Problem[], nextSteps: string[] = []) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map((p) => p.message).join('\n'));
    this.problems = list;
    this.nextSteps = nextSteps;
  }
}

export class RuntimeFailure extends Error {
  override readonly name = 'RuntimeFailure';
  readonly code: string;
  readonly hint?: string;
  readonly service?: string;

  constructor(code: string, message: string, opts: { hint?: string; service?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.code = code;
    if (opts.hint !== undefined) this.hint = opts.hint;
    if (opts.service !== undefined) this.service = opts.service;
  }
}

export const ExitCode = { ok: 0, userError: 1, runtimeFailure: 2 } as const;

export function formatLocation(loc: SourceLocation, cwd = process.cwd()): string {
  const rel = loc.file.startsWith(`${cwd}/`) ? loc.file.slice(cwd.length + 1) : loc.file;
  return `${rel}:${loc.line}:${loc.col}`;
}

/** `file:line:col: message` then an indented hint, the form every CLI path prints. */
export function formatProblem(p: Problem, cwd = process.cwd()): string {
  const where = p.location ? `${formatLocation(p.location, cwd)}: ` : '';
  const hint = p.hint ? `\n  hint: ${p.hint}` : '';
  return `${where}error: ${p.message} [${p.code}]${hint}`;
}
