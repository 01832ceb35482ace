// Finds (or builds) the static sync agent binary for a container's architecture (linux/amd64 or
// linux/arm64: Apple silicon runs arm64 images). The source ships in engine/agent/; the build
// (`npm run build`, engine/agent/build.mjs) compiles both when it can: natively with gcc for
// this machine's own architecture on Linux, and with a cross compiler for the other
// (`aarch64-linux-gnu-gcc` / `x86_64-linux-gnu-gcc` from Debian's gcc-<arch>-linux-gnu, or a musl
// one such as `aarch64-linux-musl-gcc`, which is how a Mac builds them). The engine compiles on
// first use otherwise. No binary for the container's architecture: the engine falls back to the
// archive transport (docker-transport.ts), slower but complete.

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

/** The architectures the agent is built for. */
export const AGENT_ARCHES = ['amd64', 'arm64'] as const;
export type AgentArch = (typeof AGENT_ARCHES)[number];

/** Docker's architecture name from an image's `Architecture` or an engine's (`x86_64`, `aarch64`). */
export function agentArchOf(name: string | undefined): AgentArch | undefined {
  const arch = ({ x86_64: 'amd64', aarch64: 'arm64', arm64v8: 'arm64' } as Record<string, string>)[name ?? ''] ?? name;
  return (AGENT_ARCHES as readonly string[]).includes(arch ?? '') ? (arch as AgentArch) : undefined;
}

const TRIPLES: Record<AgentArch, string[]> = {
  amd64: ['x86_64-linux-gnu', 'x86_64-linux-musl'],
  arm64: ['aarch64-linux-gnu', 'aarch64-linux-musl'],
};

/**
 * Compilers that may build a static Linux binary for `arch` here, in the order tried:
 * DEVENV_CC_<ARCH> (e.g. DEVENV_CC_ARM64), then `$CC`/gcc for this Linux machine's own
 * architecture, then the cross compilers by their usual names.
 */
export function compilersFor(
  arch: AgentArch,
  opts: { hostArch?: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv } = {},
): string[] {
  const env = opts.env ?? process.env;
  const out: string[] = [];
  const forced = env[`DEVENV_CC_${arch.toUpperCase()}`];
  if (forced) out.push(forced);
  if ((opts.platform ?? process.platform) === 'linux' && arch === (opts.hostArch ?? dockerArch())) {
    out.push(env.CC ?? 'gcc');
  }
  for (const triple of TRIPLES[arch]) out.push(`${triple}-gcc`);
  return [...new Set(out)];
}

export interface BuildResult {
  ok: boolean;
  path?: string;
  built?: boolean;
  reason?: string;
}

const inFlight = new Map<string, Promise<BuildResult>>();

/**
 * The agent for `arch` (default: this machine's): the binary next to the source when it is not
 * older than the source, else compiled now, next to the source when it can write there, else
 * under the temp dir.
 */
export function buildAgent(opts: { force?: boolean; arch?: string } = {}): Promise<BuildResult> {
  const arch = opts.arch ?? dockerArch();
  let build = inFlight.get(arch);
  if (!build) {
    build = doBuild(arch, opts.force ?? false).finally(() => inFlight.delete(arch));
    inFlight.set(arch, build);
  }
  return build;
}

async function doBuild(archName: string, force: boolean): Promise<BuildResult> {
  // A binary of the user's own, for containers of this machine's architecture.
  const fromEnv = archName === dockerArch() ? process.env.DEVENV_SYNC_AGENT : undefined;
  if (fromEnv)
    return existsSync(fromEnv)
      ? { ok: true, path: fromEnv, built: false }
      : { ok: false, reason: `DEVENV_SYNC_AGENT=${fromEnv} does not exist` };
  const arch = agentArchOf(archName);
  if (!arch) return { ok: false, reason: `no agent for linux/${archName} (built for ${AGENT_ARCHES.join(', ')})` };
  const candidates = [agentBinaryPath(arch)];
  if (existsSync(AGENT_SOURCE)) {
    const srcHash = createHash('sha1').update(readFileSync(AGENT_SOURCE)).digest('hex').slice(0, 12);
    candidates.push(path.join(tmpdir(), `devenv-sync-agent-${srcHash}-linux-${arch}`));
  }
  const sourceTime = existsSync(AGENT_SOURCE) ? statSync(AGENT_SOURCE).mtimeMs : 0;
  for (const out of candidates) {
    // A packaged devenv may ship the binaries without the source: then they are what there is.
    if (!force && existsSync(out) && statSync(out).mtimeMs >= sourceTime) return { ok: true, path: out, built: false };
  }
  if (!existsSync(AGENT_SOURCE)) return { ok: false, reason: `agent source missing at ${AGENT_SOURCE}` };
  const compilers = compilersFor(arch);
  let lastError = '';
  for (const cc of compilers) {
    for (const out of candidates) {
      try {
        mkdirSync(path.dirname(out), { recursive: true });
        const tmp = `${out}.${process.pid}.tmp`;
        await run(cc, ['-O2', '-static', '-s', '-o', tmp, AGENT_SOURCE], { timeout: 120_000 });
        renameSync(tmp, out);
        return { ok: true, path: out, built: true };
      } catch (err) {
        const e = err as NodeJS.ErrnoException & { stderr?: string };
        if (e.code === 'ENOENT') break; // no such compiler: try the next one
        lastError = `${cc}: ${(e.stderr ?? e.message).trim().split('\n').slice(-3).join(' ')}`;
      }
    }
  }
  if (lastError) return { ok: false, reason: `compiling for linux/${arch} failed: ${lastError}` };
  return {
    ok: false,
    reason: `no compiler for linux/${arch} here (tried ${compilers.join(', ')}); ${installHintFor(arch)}`,
  };
}

function installHintFor(arch: AgentArch): string {
  if (process.platform === 'darwin') {
    return `a Mac builds it with a musl cross compiler (${TRIPLES[arch][1]}-gcc, e.g. from the musl-cross Homebrew tap), or uses the binaries a packaged devenv ships`;
  }
  const cross = {
    amd64: 'gcc-x86-64-linux-gnu libc6-dev-amd64-cross',
    arm64: 'gcc-aarch64-linux-gnu libc6-dev-arm64-cross',
  };
  const pkg = arch === dockerArch() ? 'gcc libc6-dev' : cross[arch];
  return `install it: apt-get install -y ${pkg}`;
}
