import { describe, expect, it } from 'vitest';
import { RecordingRunner } from './command-runner.js';
import {
  compareVersions,
  kubernetesDoctorChecks,
  parseHelmVersion,
  parseK3dVersion,
  parseKindVersion,
  parseKubectlVersion,
} from './doctor.js';

describe('version parsers (real outputs)', () => {
  it('reads each CLI', () => {
    expect(parseKindVersion('kind v0.27.0 go1.23.6 linux/amd64\n')).toBe('0.27.0');
    expect(parseK3dVersion('k3d version v5.8.3\nk3s version v1.31.5-k3s1 (default)\n')).toBe('5.8.3');
    expect(parseKubectlVersion('{"clientVersion":{"major":"1","minor":"32","gitVersion":"v1.32.4-dispatcher"}}')).toBe(
      '1.32.4',
    );
    expect(parseKubectlVersion('Client Version: v1.29.2\nKustomize Version: v5.0.4\n')).toBe('1.29.2');
    expect(parseHelmVersion('v3.16.2+g13654a5\n')).toBe('3.16.2');
    expect(compareVersions('0.19.0', '0.20.0')).toBe(-1);
    expect(compareVersions('5.6.0', '5.6.0')).toBe(0);
    expect(compareVersions('1.10.0', '1.9.9')).toBe(1);
  });
});

describe('kubernetesDoctorChecks', () => {
  it('reports versions, an old kind as an error for --runtime kind, a missing helm as information', async () => {
    const runner = new RecordingRunner()
      .on(['kubectl'], { stdout: '{"clientVersion":{"gitVersion":"v1.32.4"}}' })
      .on(['kind'], { stdout: 'kind v0.19.0 go1.20 linux/amd64' })
      .on(['k3d'], { stdout: 'k3d version v5.8.3' })
      .on(['docker'], { stdout: '20.10.24+dfsg1' })
      .on(['git'], { stdout: 'git version 2.39.5' })
      .on(['helm'], () => {
        throw new Error('spawn helm ENOENT');
      });
    const findings = await kubernetesDoctorChecks({ provider: 'kind', runner });
    const byId = Object.fromEntries(findings.map((f) => [f.id, f]));
    expect(byId['kubernetes.kubectl']).toMatchObject({ severity: 'ok', title: 'kubectl 1.32.4' });
    expect(byId['kubernetes.kind']).toMatchObject({ severity: 'error', title: 'kind 0.19.0 is older than 0.20.0' });
    expect(byId['kubernetes.kind']!.fix).toMatch(/kind\.sigs\.k8s\.io/);
    expect(byId['kubernetes.k3d']).toMatchObject({ severity: 'ok' });
    expect(byId['kubernetes.helm']).toMatchObject({ severity: 'info', title: 'helm is not installed' });
    expect(byId['kubernetes.argocd-pin']).toBeDefined();
    expect(runner.lines()).toEqual([
      'kubectl version --client -o json',
      'kind version',
      'k3d version',
      "docker version --format '{{.Server.Version}}'",
      'git --version',
      'helm version --short',
    ]);
  });

  it('makes the provider CLI an error when it is missing, and the other one only information', async () => {
    const runner = new RecordingRunner().on(['k3d'], { exitCode: 127, stderr: 'k3d: command not found' });
    const findings = await kubernetesDoctorChecks({ provider: 'kind', runner });
    expect(findings.find((f) => f.id === 'kubernetes.k3d')?.severity).toBe('info');
    const forK3d = await kubernetesDoctorChecks({ provider: 'k3d', runner });
    expect(forK3d.find((f) => f.id === 'kubernetes.k3d')).toMatchObject({
      severity: 'error',
      fix: expect.stringMatching(/k3d\.io/),
    });
  });
});
