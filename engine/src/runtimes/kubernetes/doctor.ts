// `devenv doctor` for the Kubernetes runtimes: which CLIs are there, in versions devenv drives,
// each finding with the fix. Parsers are exported for tests against real version output.

import { type CommandRunner, ExecaRunner, installHints } from './command-runner.js';
import { ARGOCD_INSTALL_SHA256, ARGOCD_VERSION, MIN_VERSIONS } from './versions.js';

export interface DoctorFinding {
  id: string;
  severity: 'ok' | 'info' | 'warning' | 'error';
  title: string;
  detail?: string;
  fix?: string;
}

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
  tool: 'kind' | 'k3d' | 'kubectl' | 'helm' | 'docker' | 'git';
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
  {
    tool: 'docker',
    argv: ['docker', 'version', '--format', '{{.Server.Version}}'],
    parse: (s) => extractVersion(s) ?? (s.trim() || undefined),
    why: 'builds images and runs the kind/k3d nodes and the registry',
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
 * Findings for the Kubernetes runtimes. `provider` makes its CLI an error when missing; the other
 * provider's CLI is then only informational.
 */
export async function kubernetesDoctorChecks(
  opts: { provider?: 'kind' | 'k3d' | 'context'; runner?: CommandRunner } = {},
): Promise<DoctorFinding[]> {
  const runner = opts.runner ?? new ExecaRunner();
  const findings: DoctorFinding[] = [];
  for (const check of checks) {
    const required =
      check.tool === 'kubectl' ||
      check.tool === 'git' ||
      (check.tool === 'docker' && opts.provider !== 'context') ||
      check.tool === opts.provider;
    const missingSeverity: DoctorFinding['severity'] =
      check.tool === 'helm' ? 'info' : required ? 'error' : opts.provider ? 'info' : 'warning';
    let stdout: string;
    try {
      const r = await runner.run({ argv: check.argv }, { allowFailure: true, timeoutMs: 15_000 });
      if (r.exitCode !== 0) {
        findings.push({
          id: `kubernetes.${check.tool}`,
          severity: missingSeverity,
          title: `${check.tool}: \`${check.argv.join(' ')}\` failed`,
          detail: (r.stderr || r.stdout).trim().split('\n').slice(-2).join(' '),
          fix:
            check.tool === 'docker'
              ? 'start the Docker engine (Docker Desktop, colima, `sudo systemctl start docker`)'
              : installHints[check.tool],
        });
        continue;
      }
      stdout = r.stdout;
    } catch {
      findings.push({
        id: `kubernetes.${check.tool}`,
        severity: missingSeverity,
        title: `${check.tool} is not installed`,
        detail: `needed because it ${check.why}`,
        ...(installHints[check.tool] ? { fix: installHints[check.tool] } : {}),
      });
      continue;
    }
    const version = check.parse(stdout);
    if (check.min && version && compareVersions(version, check.min) < 0) {
      findings.push({
        id: `kubernetes.${check.tool}`,
        severity: required ? 'error' : 'warning',
        title: `${check.tool} ${version} is older than ${check.min}`,
        detail: `devenv ${check.why.startsWith('optional') ? 'can use it' : 'needs it'}: it ${check.why}`,
        fix: `upgrade: ${installHints[check.tool] ?? check.tool}`,
      });
      continue;
    }
    findings.push({
      id: `kubernetes.${check.tool}`,
      severity: 'ok',
      title: `${check.tool} ${version ?? '(version unknown)'}`,
    });
  }
  findings.push(
    ARGOCD_INSTALL_SHA256
      ? {
          id: 'kubernetes.argocd-pin',
          severity: 'ok',
          title: `Argo CD ${ARGOCD_VERSION}, install manifest pinned by SHA-256`,
        }
      : {
          id: 'kubernetes.argocd-pin',
          severity: 'warning',
          title: `Argo CD ${ARGOCD_VERSION}: this build pins no SHA-256 for the install manifest`,
          detail: 'the first download is recorded and later ones must match it (trust on first use)',
          fix: 'set DEVENV_ARGOCD_SHA256 to the digest of the release file to verify the first download too',
        },
  );
  return findings;
}
