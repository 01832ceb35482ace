// The wrapper under the real /bin/sh: a child restarted in place on SIGHUP, TERM passed on, a
// child that ignores TERM killed after the grace period, and the child's exit status kept.

import { type ChildProcess, spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isWrappedForRestart, wrapForRestart } from './in-place-restart.js';

const running: ChildProcess[] = [];
afterEach(() => {
  // The wrapper's whole process group: a child left behind would keep the test's pipes open.
  for (const p of running.splice(0)) {
    try {
      process.kill(-p.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function start(argv: string[], grace = 1): { proc: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const [file, ...args] = wrapForRestart(argv, grace);
  const proc = spawn(file!, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  running.push(proc);
  const lines: string[] = [];
  proc.stdout!.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return { proc, lines, exited };
}

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const server = ['sh', '-c', 'echo "start $$"; trap "echo term $$; exit 0" TERM; while :; do sleep 0.05; done'];

describe('the in-place restart wrapper', () => {
  it('restarts its child on SIGHUP in the same process (PID 1 in a pod), and ends with it on SIGTERM', async () => {
    const { proc, lines, exited } = start(server);
    await until(() => lines.some((l) => l.startsWith('start ')));
    const first = lines.find((l) => l.startsWith('start '))!.split(' ')[1];
    proc.kill('SIGHUP');
    await until(() => lines.filter((l) => l.startsWith('start ')).length === 2);
    const second = lines.filter((l) => l.startsWith('start '))[1]!.split(' ')[1];
    expect(second).not.toBe(first);
    expect(lines).toContain(`term ${first}`);
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines).toContain(`term ${second}`);
  });

  it('kills a child that ignores SIGTERM once the grace period is over, then starts it again', async () => {
    const stubborn = ['sh', '-c', 'echo "start $$"; trap "" TERM; while :; do sleep 0.05; done'];
    const { proc, lines } = start(stubborn, 1);
    await until(() => lines.length === 1);
    const t0 = Date.now();
    proc.kill('SIGHUP');
    await until(() => lines.length === 2, 5000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it("exits with the child's status when the child ends on its own", async () => {
    const { exited } = start(['sh', '-c', 'exit 7']);
    expect(await exited).toBe(7);
  });

  it('is recognised as the wrapper', () => {
    expect(isWrappedForRestart(wrapForRestart(['node', 'a.js'], 10))).toBe(true);
    expect(isWrappedForRestart(['/bin/sh', '-c', 'node a.js'])).toBe(false);
  });
});
