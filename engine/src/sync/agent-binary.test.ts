import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { agentArchOf, buildAgent, compilersFor } from './agent-binary.js';

function onPath(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('which agent a container gets', () => {
  it('reads the architecture of an image (amd64, arm64) or of an engine (x86_64, aarch64)', () => {
    expect(agentArchOf('amd64')).toBe('amd64');
    expect(agentArchOf('x86_64')).toBe('amd64');
    expect(agentArchOf('arm64')).toBe('arm64');
    expect(agentArchOf('aarch64')).toBe('arm64');
    expect(agentArchOf('s390x')).toBeUndefined();
    expect(agentArchOf(undefined)).toBeUndefined();
  });

  it('says which architectures it has no agent for', async () => {
    expect(await buildAgent({ arch: 's390x' })).toEqual({
      ok: false,
      reason: 'no agent for linux/s390x (built for amd64, arm64)',
    });
  });

  it('compiles natively for this Linux machine, cross for the other architecture, and takes DEVENV_CC_<ARCH> first', () => {
    const linuxAmd64 = { hostArch: 'amd64', platform: 'linux' as const, env: {} };
    expect(compilersFor('amd64', linuxAmd64)).toEqual(['gcc', 'x86_64-linux-gnu-gcc', 'x86_64-linux-musl-gcc']);
    expect(compilersFor('arm64', linuxAmd64)).toEqual(['aarch64-linux-gnu-gcc', 'aarch64-linux-musl-gcc']);
    // A Mac has no gcc that makes Linux binaries: only cross compilers.
    expect(compilersFor('arm64', { hostArch: 'arm64', platform: 'darwin', env: {} })).toEqual([
      'aarch64-linux-gnu-gcc',
      'aarch64-linux-musl-gcc',
    ]);
    expect(compilersFor('arm64', { ...linuxAmd64, env: { DEVENV_CC_ARM64: '/opt/cc' } })[0]).toBe('/opt/cc');
  });
});

describe('the cross-compiled agent', () => {
  const why = !onPath('aarch64-linux-gnu-gcc')
    ? 'needs aarch64-linux-gnu-gcc (apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross)'
    : !onPath('file')
      ? 'needs file(1)'
      : undefined;
  it.skipIf(why !== undefined)(
    `is a static linux/arm64 executable${why ? ` (skipped: ${why})` : ''}`,
    async () => {
      const built = await buildAgent({ arch: 'arm64' });
      expect(built).toMatchObject({ ok: true });
      const what = execFileSync('file', ['-b', built.path!], { encoding: 'utf8' });
      expect(what).toMatch(/^ELF 64-bit LSB executable, ARM aarch64/);
      expect(what).toContain('statically linked');
    },
    120_000,
  );
});
