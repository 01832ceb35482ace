// Runs one test command of `devenv ci` on the host: in its own process group (a timeout or
// Ctrl-C ends everything it started), its output passed through as it comes and its last part
// kept for the JUnit report, with the environment's URLs and ports in its environment.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { StringDecoder } from 'node:string_decoder';

export interface TestCommand {
  name: string;
  command: string[];
  cwd: string;
  env: Record<string, string>;
  timeoutMs?: number;
}

export interface TestOutcome {
  /** The command's exit status; 128 + n when signal n ended it; 127 when it could not start. */
  exitCode: number;
  durationMs: number;
  timedOut: boolean;
  /** Why it could not start, when it could not. */
  error?: string;
  /** The last part of what it printed (stdout and stderr interleaved). */
  output: string;
}

const KEEP_OUTPUT = 64 * 1024;
const KILL_AFTER_MS = 5_000;

export interface RunningTest {
  done: Promise<TestOutcome>;
  /** End it now (Ctrl-C): SIGTERM to its group, SIGKILL if it is still there 5 s later. */
  stop(): void;
}

export function runTest(
  test: TestCommand,
  env: Record<string, string | undefined>,
  write: (stream: 'stdout' | 'stderr', text: string) => void,
): RunningTest {
  const started = performance.now();
  const child = spawn(test.command[0]!, test.command.slice(1), {
    cwd: test.cwd,
    env: { ...env, ...test.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let kept = '';
  const keep = (text: string) => {
    kept = (kept + text).slice(-KEEP_OUTPUT);
  };
  for (const stream of ['stdout', 'stderr'] as const) {
    const decoder = new StringDecoder('utf8');
    child[stream].on('data', (chunk: Buffer) => {
      const text = decoder.write(chunk);
      keep(text);
      write(stream, text);
    });
  }
  let timedOut = false;
  let killTimer: NodeJS.Timeout | undefined;
  const signalGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  const stop = () => {
    signalGroup('SIGTERM');
    killTimer ??= setTimeout(() => signalGroup('SIGKILL'), KILL_AFTER_MS);
  };
  const timer =
    test.timeoutMs !== undefined
      ? setTimeout(() => {
          timedOut = true;
          stop();
        }, test.timeoutMs)
      : undefined;
  const done = new Promise<TestOutcome>((resolve) => {
    const finish = (exitCode: number, error?: string) => {
      clearTimeout(timer);
      clearTimeout(killTimer);
      resolve({
        exitCode,
        durationMs: performance.now() - started,
        timedOut,
        ...(error ? { error } : {}),
        output: kept,
      });
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      const why =
        err.code === 'ENOENT'
          ? `${test.command[0]}: command not found (in ${test.cwd}, on PATH)`
          : `${test.command[0]}: ${err.message}`;
      finish(err.code === 'ENOENT' ? 127 : 126, why);
    });
    child.on('close', (code, signal) => {
      if (code === null && signal === null) return;
      finish(code ?? 128 + signalNumber(signal));
    });
  });
  return { done, stop };
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return (signal && constants.signals[signal]) || 1;
}
