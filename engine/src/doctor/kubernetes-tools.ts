// The doctor's checks for the Kubernetes runtimes (kind, k3d, a kube context): which CLIs are
// there, in the versions devenv drives (versions.ts), each finding with the fix. Errors only for
// what the chosen runtime needs; for other runtimes they are information. Parsers are exported
// for tests against real version output.

import { type CommandRunner, ExecaRunner, installHints } from '../runtimes/kubernetes/command-runner.js';
import { ARGOCD_INSTALL_SHA256, ARGOCD_VERSION, MIN_VERSIONS } from '../runtimes/kubernetes/versions.js';
import type { RuntimeChoice } from '../runtimes/select-runtime.js';
import type { Finding, FindingStatus } from './doctor.js';

/** `1.2.3` from `v1.2.3-k3s1`, `kind v0.27.0 go1.23…`, `v3.16.2+g13654a5`. */
export function extractVersion(text: string): string | undefined {
  return /v?(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

export function parseKindVersion(stdout: string): string | undefined {
  return extractVersion(/kind\s+(v?\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? '');
}

export function parseK3dVersion(stdout: string): string | undefined {
  return extractVersion(/k3d version\s+(v?\d+\.\d+\.\d+)/.exec(stdout)?.[1] ?? '');
}

export function parseKubectlVersion(stdout: string): string | undefined {
  try {
    const v = (JSON.parse(stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
    return v ? extractVersion(v) : undefined;
  } catch {
    return extractVersion(/Client Version:\s*(\S+)/.exec(stdout)?.[1] ?? '');
  }
}

export function parseHelmVersion(stdout: string): string | undefined {
  return extractVersion(stdout.trim());
}

/** -1, 0, 1 comparing dotted numeric versions. */
export function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

interface ToolCheck {
  tool: 'kind' | 'k3d' | 'kubectl' | 'helm' | 'git';
  argv: string[];
  parse: (stdout: string) => string | undefined;
  min?: string;
  /** Why devenv needs it. */
  why: string;
}

const checks: ToolCheck[] = [
  {
    tool: 'kubectl',
    argv: ['kubectl', 'version', '--client', '-o', 'json'],
    parse: parseKubectlVersion,
    min: MIN_VERSIONS.kubectl,
    why: 'applies Argo CD and the bootstrap manifests, renders kustomize, carries git pushes',
  },
  {
    tool: 'kind',
    argv: ['kind', 'version'],
    parse: parseKindVersion,
    min: MIN_VERSIONS.kind,
    why: 'creates kind clusters (`--runtime kind`)',
  },
  {
    tool: 'k3d',
    argv: ['k3d', 'version'],
    parse: parseK3dVersion,
    min: MIN_VERSIONS.k3d,
    why: 'creates k3d clusters (`--runtime k3d`)',
  },
  { tool: 'git', argv: ['git', '--version'], parse: extractVersion, why: 'commits the snapshot Argo CD deploys' },
  {
    tool: 'helm',
    argv: ['helm', 'version', '--short'],
    parse: parseHelmVersion,
    min: MIN_VERSIONS.helm,
    why: 'optional: only for projects whose manifests use Helm charts through kustomize',
  },
];

/**
 * One finding per tool (`check: 'kubernetes'`). The runtime's own CLI, kubectl and git are
 * failures when missing or too old for `--runtime kind|k3d|kubernetes`; everything else informs.
 * The Docker engine the kind/k3d nodes run on is the doctor's own `docker` check.
 */
export async function kubernetesToolFindings(
  runtime: RuntimeChoice,
  runner: CommandRunner = new ExecaRunner(),
): Promise<Finding[]> {
  const provider = runtime === 'kind' || runtime === 'k3d' ? runtime : runtime === 'kubernetes' ? 'context' : undefined;
  const findings: Finding[] = [];
  for (const check of checks) {
    const required =
      provider !== undefined && (check.tool === 'kubectl' || check.tool === 'git' || check.tool === provider);
    const missing: FindingStatus = required ? 'fail' : 'info';
    const unused = provider ? '' : ' (needed only for --runtime kind|k3d|kubernetes)';
    let stdout: string;
    try {
      const r = await runner.run({ argv: check.argv }, { allowFailure: true, timeoutMs: 15_000 });
      if (r.exitCode !== 0) {
        findings.push({
          check: 'kubernetes',
          status: missing,
          detail: `${check.tool}: \`${check.argv.join(' ')}\` failed: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`,
          fix: installHints[check.tool]!,
        });
        continue;
      }
      stdout = r.stdout;
    } catch {
      findings.push({
        check: 'kubernetes',
        status: missing,
        detail: `${check.tool} is not installed${unused}; devenv uses it because it ${check.why}`,
        fix: installHints[check.tool]!,
      });
      continue;
    }
    const version = check.parse(stdout);
    if (check.min && version && compareVersions(version, check.min) < 0) {
      findings.push({
        check: 'kubernetes',
        status: required ? 'fail' : provider ? 'warn' : 'info',
        detail: `${check.tool} ${version} is older than ${check.min}${unused}; devenv ${check.why.startsWith('optional') ? 'can use it' : 'needs it'}: it ${check.why}`,
        fix: `upgrade: ${installHints[check.tool]}`,
      });
      continue;
    }
    findings.push({ check: 'kubernetes', status: 'ok', detail: `${check.tool} ${version ?? '(version unknown)'}` });
  }
  if (!provider) return findings;
  findings.push(
    ARGOCD_INSTALL_SHA256
      ? { check: 'kubernetes', status: 'ok', detail: `Argo CD ${ARGOCD_VERSION}, install manifest pinned by SHA-256` }
      : {
          check: 'kubernetes',
          status: 'warn',
          detail: `Argo CD ${ARGOCD_VERSION}: this build pins no SHA-256 for the install manifest; the first download is recorded and later ones must match it (trust on first use)`,
          fix: 'set DEVENV_ARGOCD_SHA256 to the digest of the release file to verify the first download too',
        },
  );
  return findings;
}
