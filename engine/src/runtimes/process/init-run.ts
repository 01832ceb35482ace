// `x-devenv.process.init`: the one-off command run before a start while its `creates` file is
// missing (initdb, npm ci), detached, with the service's cwd, environment and user, its output in
// the service log. A failure fails the start with the last lines of that output.

import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { RuntimeFailure } from '../../errors.js';
import { readFrom } from './log-file.js';
import type { RunAs } from './run-as.js';
import type { ServiceLogs } from './service-logs.js';
import { exitStatus } from './wrapper.js';

export interface InitRun {
  service: string;
  /** The init command as argv, and where and how it runs. */
  command: string[];
  cwd: string;
  env: Record<string, string>;
  runAs: RunAs | undefined;
}

/** Run init to its end; throws `process.init-failed` when it exits non-zero. */
export async function runInit(run: InitRun, logs: ServiceLogs): Promise<void> {
  const [file, ...args] = run.command;
  if (!file) return;
  const logPath = logs.path(run.service);
  const from = await stat(logPath).then(
    (s) => s.size,
    () => 0,
  );
  logs.note(run.service, `init: ${run.command.join(' ')}`);
  const logFd = openSync(logPath, 'a', 0o600);
  let status: number;
  try {
    const child = spawn(file, args, {
      cwd: run.cwd,
      env: run.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
      ...(run.runAs ? { uid: run.runAs.uid, gid: run.runAs.gid } : {}),
    });
    status = await new Promise<number>((res) => {
      child.once('error', (err) => {
        logs.note(run.service, `init could not start: ${err.message}`);
        res(127);
      });
      child.once('exit', (code, sig) => res(exitStatus(code, sig)));
    });
  } finally {
    closeSync(logFd);
  }
  if (status === 0) return;
  const tail = (await readFrom(logPath, from).catch(() => Buffer.alloc(0)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .slice(-15);
  const last = tail.filter((l) => !l.startsWith('[devenv] ')).at(-1);
  throw new RuntimeFailure(
    'process.init-failed',
    `init of ${run.service} (${run.command.join(' ')}) exited with code ${status}${last ? `: ${last}` : ''}`,
    {
      service: run.service,
      hint: `its last output (all of it in ${logPath}):\n    ${tail.join('\n    ')}`,
    },
  );
}
