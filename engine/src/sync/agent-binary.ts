// Finds (or builds) the static sync agent binary for an architecture. The source ships in
// engine/agent/; `npm run build -w engine` compiles it when gcc exists, and the engine
// compiles it on first use otherwise. No gcc, or a container of another architecture: the
// engine falls back to the archive transport (docker-transport.ts).

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** engine/ (this file is engine/src/sync/*.ts or engine/dist/sync/*.js). */
const engineDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export const AGENT_SOURCE = path.join(engineDir, 'agent', 'devenv-sync-agent.c');

/** Docker's name for Node's architecture. */
export function dockerArch(nodeArch: string = process.arch): string {
  return (
    (
      { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' } as Record<
        string,
        string
      >
    )[nodeArch] ?? nodeArch
  );
}

export function agentBinaryPath(arch: string = dockerArch()): string {
  return path.join(engineDir, 'agent', 'build', `devenv-sync-agent-linux-${arch}`);
}

export interface BuildResult {
  ok: boolean;
  path?: string;
  built?: boolean;
  reason?: string;
}

let inFlight: Promise<BuildResult> | undefined;

/**
 * Compiles the agent for this machine when its binary is missing or older than its source.
 * Writes next to the source when it can, else under the temp dir.
 */
export function buildAgent(opts: { force?: boolean } = {}): Promise<BuildResult> {
  inFlight ??= doBuild(opts.force ?? false).finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}

async function doBuild(force: boolean): Promise<BuildResult> {
  const fromEnv = process.env.DEVENV_SYNC_AGENT;
  if (fromEnv)
    return existsSync(fromEnv)
      ? { ok: true, path: fromEnv, built: false }
      : { ok: false, reason: `DEVENV_SYNC_AGENT=${fromEnv} does not exist` };
  if (process.platform !== 'linux') {
    return { ok: false, reason: `the agent is built on Linux hosts only (this is ${process.platform})` };
  }
  const candidates = [agentBinaryPath()];
  if (existsSync(AGENT_SOURCE)) {
    const srcHash = createHash('sha1').update(readFileSync(AGENT_SOURCE)).digest('hex').slice(0, 12);
    candidates.push(path.join(tmpdir(), `devenv-sync-agent-${srcHash}-linux-${dockerArch()}`));
  }
  const sourceTime = existsSync(AGENT_SOURCE) ? statSync(AGENT_SOURCE).mtimeMs : 0;
  for (const out of candidates) {
    // A packaged devenv ships the binaries without the source: then they are what there is.
    if (!force && existsSync(out) && statSync(out).mtimeMs >= sourceTime) return { ok: true, path: out, built: false };
  }
  if (!existsSync(AGENT_SOURCE)) return { ok: false, reason: `agent source missing at ${AGENT_SOURCE}` };
  let lastError = '';
  for (const out of candidates) {
    try {
      mkdirSync(path.dirname(out), { recursive: true });
      const tmp = `${out}.${process.pid}.tmp`;
      await run(process.env.CC ?? 'gcc', ['-O2', '-static', '-s', '-o', tmp, AGENT_SOURCE], { timeout: 120_000 });
      renameSync(tmp, out);
      return { ok: true, path: out, built: true };
    } catch (err) {
      const e = err as NodeJS.ErrnoException & { stderr?: string };
      if (e.code === 'ENOENT') return { ok: false, reason: 'gcc not found (install gcc and libc6-dev to build it)' };
      lastError = (e.stderr ?? e.message).trim().split('\n').slice(-3).join(' ');
    }
  }
  return { ok: false, reason: `gcc failed: ${lastError}` };
}
