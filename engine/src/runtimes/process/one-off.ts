// A one-off host process in a service's environment (cwd, variables, its virtualenv), its output
// collected (bounded), killed after the timeout. Not an instance: no record, no wrapper.

import { spawn } from 'node:child_process';
import type { ExecResult } from '../../runtime-interface/runtime.js';

const MAX_OUTPUT = 64 * 1024;

export function runOneOffProcess(
  argv: string[],
  opts: { cwd: string; env: Record<string, string>; timeoutMs: number },
): Promise<ExecResult> {
  const [program, ...args] = argv;
  if (!program) return Promise.resolve({ exitCode: -1, output: 'nothing to run' });
  return new Promise((resolve) => {
    let output = '';
    const child = spawn(program, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => {
      if (output.length < MAX_OUTPUT) output += d.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const timer = setTimeout(() => {
      output += `\n(no answer within ${opts.timeoutMs} ms)`;
      child.kill('SIGKILL');
    }, opts.timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      resolve({ exitCode: -1, output: err.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal ? -1 : 0), output: output.slice(0, MAX_OUTPUT) });
    });
  });
}
