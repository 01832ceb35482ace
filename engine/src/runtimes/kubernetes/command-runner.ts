// Every CLI the Kubernetes runtime drives (kind, k3d, kubectl, docker, git) goes through one
// interface, so the exact command lines are what tests assert on (RecordingRunner) and what
// `--dry-run` prints. execa is imported only here.

import { execa } from 'execa';
import { RuntimeFailure, UserError } from '../../errors.js';

export interface Command {
  argv: string[];
  /** Extra environment variables (added to the process's own). */
  env?: Record<string, string>;
  cwd?: string;
  /** Bytes written to the command's stdin. */
  stdin?: string;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when the command exits non-zero. */
  allowFailure?: boolean;
  /** Each output line as it comes (stdout and stderr), for progress. */
  onLine?: (line: string) => void;
}

export interface CommandRunner {
  run(cmd: Command, opts?: RunOptions): Promise<CommandResult>;
}

/** Install hints for the CLIs devenv needs, shown when one is missing. */
export const installHints: Record<string, string> = {
  kind: 'install kind ≥ 0.20: https://kind.sigs.k8s.io/docs/user/quick-start/#installation',
  k3d: 'install k3d ≥ 5.6: https://k3d.io/#installation',
  kubectl: 'install kubectl: https://kubernetes.io/docs/tasks/tools/',
  docker: 'install Docker (Docker Desktop, colima, or docker.io on Debian)',
  git: 'install git',
  helm: 'install helm ≥ 3.12 (optional): https://helm.sh/docs/intro/install/',
};

export class ExecaRunner implements CommandRunner {
  async run(cmd: Command, opts: RunOptions = {}): Promise<CommandResult> {
    const [file, ...args] = cmd.argv;
    if (!file) throw new Error('empty command');
    const child = execa(file, args, {
      reject: false,
      stdin: cmd.stdin === undefined ? 'ignore' : 'pipe',
      input: cmd.stdin,
      ...(cmd.env ? { env: cmd.env, extendEnv: true } : {}),
      ...(cmd.cwd ? { cwd: cmd.cwd } : {}),
      ...(opts.signal ? { cancelSignal: opts.signal } : {}),
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
      stripFinalNewline: true,
      ...(opts.onLine
        ? {
            stdout: ['pipe', lineTap(opts.onLine)],
            stderr: ['pipe', lineTap(opts.onLine)],
          }
        : {}),
    });
    const result = await child;
    if ((result as { code?: string }).code === 'ENOENT') {
      throw new UserError(
        {
          code: 'kubernetes.tool-missing',
          message: `${file} is not installed (or not on PATH)`,
          hint: installHints[file] ?? `install ${file}`,
        },
        ['devenv doctor'],
      );
    }
    const out: CommandResult = {
      stdout: String(result.stdout ?? ''),
      stderr: String(result.stderr ?? ''),
      exitCode: result.exitCode ?? (result.failed ? 1 : 0),
    };
    if (out.exitCode !== 0 && !opts.allowFailure) throw commandFailed(cmd, out, result.timedOut === true);
    return out;
  }
}

function lineTap(onLine: (line: string) => void) {
  return function* (line: unknown) {
    onLine(String(line));
    yield line;
  };
}

export function commandFailed(cmd: Command, result: CommandResult, timedOut = false): RuntimeFailure {
  const tail = (result.stderr || result.stdout).trim().split('\n').slice(-12).join('\n    ');
  return new RuntimeFailure(
    'kubernetes.command-failed',
    `${timedOut ? 'timed out' : `failed (exit ${result.exitCode})`}: ${formatCommand(cmd)}`,
    { hint: tail ? `its output ended with:\n    ${tail}` : 'it printed nothing' },
  );
}

/** One shell-quoted line, as `--dry-run` prints it and a person could paste it. */
export function formatCommand(cmd: Command | string[]): string {
  const c = Array.isArray(cmd) ? { argv: cmd } : cmd;
  const env = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
  return [...env, ...c.argv.map(shellQuote)].join(' ');
}

export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

type Answer = Partial<CommandResult> | ((cmd: Command) => Partial<CommandResult> | undefined);

/**
 * The fake beside the interface: records every command and answers from a list of
 * (prefix → result) rules, first match wins; unmatched commands succeed with empty output.
 */
export class RecordingRunner implements CommandRunner {
  readonly commands: Command[] = [];
  private readonly rules: { prefix: string[]; answer: Answer }[] = [];

  /** Answer commands whose argv starts with `prefix`. */
  on(prefix: string[], answer: Answer): this {
    this.rules.push({ prefix, answer });
    return this;
  }

  async run(cmd: Command, opts: RunOptions = {}): Promise<CommandResult> {
    this.commands.push(cmd);
    let result: CommandResult = { stdout: '', stderr: '', exitCode: 0 };
    for (const rule of this.rules) {
      if (!rule.prefix.every((p, i) => cmd.argv[i] === p)) continue;
      const answer = typeof rule.answer === 'function' ? rule.answer(cmd) : rule.answer;
      if (answer === undefined) continue;
      result = { stdout: '', stderr: '', exitCode: 0, ...answer };
      break;
    }
    if (result.exitCode !== 0 && !opts.allowFailure) throw commandFailed(cmd, result);
    return result;
  }

  /** The recorded command lines, formatted. */
  lines(): string[] {
    return this.commands.map((c) => formatCommand(c));
  }
}
