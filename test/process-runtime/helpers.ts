// Fixtures for the process runtime's integration tests: tiny real services written into a temp
// directory, a project around them, and ways to wait for and look at real processes.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProcessSpec, ProjectSpec, ServiceSpec } from '../../engine/src/model/spec.js';
import { type HostProcesses, hostProcesses, type PlatformKind } from '../../engine/src/platform/host-processes.js';
import type { InstanceState, LogLine, Runtime } from '../../engine/src/runtime-interface/runtime.js';
import { TOKEN_VAR } from '../../engine/src/runtimes/process/instance-record.js';

export interface Sandbox {
  dir: string;
  stateDir: string;
  write(name: string, text: string, mode?: number): string;
  cleanup(): void;
}

/** A temp directory others may traverse (0711), so services run as another user can reach it. */
export function sandbox(prefix = 'devenv-proc-'): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(dir, 0o711);
  const stateDir = join(dir, 'state');
  return {
    dir,
    stateDir,
    write(name, text, mode = 0o755) {
      const p = join(dir, name);
      writeFileSync(p, text, { mode });
      chmodSync(p, mode);
      return p;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function service(
  name: string,
  proc: Partial<ProcessSpec> & { command: string[] },
  extra: Partial<ServiceSpec> = {},
): ServiceSpec {
  return {
    name,
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    ...extra,
    devenv: { process: { cwd: proc.cwd ?? tmpdir(), env: {}, ...proc } },
  };
}

export function project(name: string, services: ServiceSpec[], dir = tmpdir()): ProjectSpec {
  return {
    name,
    projectDir: dir,
    configFiles: [],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    volumes: {},
    networks: {},
    devenv: {},
  };
}

export async function createAndStart(rt: Runtime, svc: ServiceSpec, proj: ProjectSpec): Promise<string> {
  const id = await rt.create(svc, { project: proj, specHash: 'test-hash' });
  await rt.start(id);
  return id;
}

export async function waitFor<T>(
  what: string,
  fn: () => Promise<T | undefined | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export async function waitForState(rt: Runtime, id: string, ok: (s: InstanceState) => boolean, timeoutMs = 10_000) {
  let seen: InstanceState | undefined;
  try {
    return await waitFor(
      `state of ${id}`,
      async () => {
        seen = await rt.inspect(id);
        return ok(seen) ? seen : undefined;
      },
      timeoutMs,
    );
  } catch (err) {
    // Say what the runtime last reported, so a timeout shows how far the service got.
    throw new Error(`${(err as Error).message}; last state: ${JSON.stringify(seen)}`);
  }
}

export async function collectLogs(
  rt: Runtime,
  id: string,
  opts: { tail?: number; since?: number } = {},
): Promise<LogLine[]> {
  const out: LogLine[] = [];
  for await (const l of rt.logs(id, { follow: false, ...opts }, new AbortController().signal)) out.push(l);
  return out;
}

export function tokenOf(id: string): string {
  return id.split(':').at(-1)!;
}

/** Processes still carrying the instance's token (should be none after stop). */
export async function survivors(id: string, host: HostProcesses = hostProcesses()): Promise<number[]> {
  return (await host.withEnv(TOKEN_VAR, tokenOf(id))).map((p) => p.pid);
}

/**
 * The process readers the tests run over: Linux /proc where there is one, and always the
 * portable ps + lsof one (what macOS uses), so both pass the same tests.
 */
export function platformKinds(): PlatformKind[] {
  return process.platform === 'linux' ? ['procfs', 'portable'] : ['portable'];
}

/** A start time that is certainly not `real`'s, in the same implementation's format (a reused pid). */
export function anotherStart(real: string): string {
  const ps = /^ps:(\d+)$/.exec(real);
  return ps ? `ps:${Number(ps[1]) - 3600}` : String(Number(real) - 1);
}

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}
