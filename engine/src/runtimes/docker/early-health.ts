// Early health probing. Docker 20.10 runs a container's first healthcheck only after a full
// `interval` (10 s for a Celery worker), and has no `start_interval` (Docker 25+). While a
// container is starting, devenv runs the same healthcheck command itself every half second
// with `docker exec`; the first success makes the service healthy at once, so dependents start
// seconds earlier. Docker's own verdict still wins as soon as it has one.

import type Dockerode from 'dockerode';

export interface EarlyProbeTarget {
  containerId: string;
  /** Docker form: ['CMD', ...argv] or ['CMD-SHELL', script]. */
  test: string[];
  timeoutMs: number;
  /** Stop probing after this long: Docker's own checks have decided by then. */
  budgetMs: number;
}

export type ProbeVerdict = 'passed' | 'gave-up' | 'cancelled';

const intervalMs = 500;

export function probeCommand(test: string[]): string[] | undefined {
  const [kind, ...rest] = test;
  if (kind === 'CMD') return rest.length > 0 ? rest : undefined;
  if (kind === 'CMD-SHELL') return rest.length > 0 ? ['/bin/sh', '-c', rest.join(' ')] : undefined;
  return undefined;
}

/**
 * Probe until the check passes, Docker decides on its own, the container stops, or the budget
 * runs out. Resolves with what happened; never throws.
 */
export async function probeEarly(
  docker: Dockerode,
  target: EarlyProbeTarget,
  signal: AbortSignal,
): Promise<ProbeVerdict> {
  const cmd = probeCommand(target.test);
  if (!cmd) return 'gave-up';
  const container = docker.getContainer(target.containerId);
  const deadline = Date.now() + target.budgetMs;
  while (!signal.aborted && Date.now() < deadline) {
    try {
      const info = await container.inspect();
      if (!info.State.Running) return 'gave-up';
      const dockerSays = info.State.Health?.Status;
      if (dockerSays === 'healthy' || dockerSays === 'unhealthy') return 'gave-up';
      if ((await execExitCode(container, cmd, target.timeoutMs)) === 0) return 'passed';
    } catch {
      // The container went away or exec failed (no such binary yet): try again until the budget ends.
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return signal.aborted ? 'cancelled' : 'gave-up';
}

async function execExitCode(container: Dockerode.Container, cmd: string[], timeoutMs: number): Promise<number | null> {
  const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      stream.destroy();
      resolve();
    }, timeoutMs);
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('error', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.resume();
  });
  const info = await exec.inspect();
  return info.Running ? null : info.ExitCode;
}
