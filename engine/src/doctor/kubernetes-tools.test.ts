import { describe, expect, it } from 'vitest';
import { RecordingRunner } from '../runtimes/kubernetes/command-runner.js';
import type { Finding } from './doctor.js';
import {
  compareVersions,
  kubernetesToolFindings,
  parseHelmVersion,
  parseK3dVersion,
  parseKindVersion,
  parseKubectlVersion,
} from './kubernetes-tools.js';

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

describe('kubernetesToolFindings', () => {
  it('reports versions, an old kind as a failure for --runtime kind, a missing helm as information', async () => {
    const runner = new RecordingRunner()
      .on(['kubectl'], { stdout: '{"clientVersion":{"gitVersion":"v1.32.4"}}' })
      .on(['kind'], { stdout: 'kind v0.19.0 go1.20 linux/amd64' })
      .on(['k3d'], { stdout: 'k3d version v5.8.3' })
      .on(['git'], { stdout: 'git version 2.39.5' })
      .on(['helm'], () => {
        throw new Error('spawn helm ENOENT');
      });
    const findings = await kubernetesToolFindings('kind', runner);
    const about = (tool: string) => findings.find((f) => f.detail.startsWith(`${tool} `))!;
    expect(about('kubectl')).toMatchObject({ status: 'ok', detail: 'kubectl 1.32.4' });
    expect(about('kind')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^kind 0\.19\.0 is older than 0\.20\.0/),
    });
    expect(about('kind').fix).toMatch(/kind\.sigs\.k8s\.io/);
    expect(about('k3d')).toMatchObject({ status: 'ok' });
    expect(about('helm')).toMatchObject({ status: 'info', detail: expect.stringMatching(/^helm is not installed/) });
    expect(findings.some((f) => f.detail.startsWith('Argo CD '))).toBe(true);
    expect(runner.lines()).toEqual([
      'kubectl version --client -o json',
      'kind version',
      'k3d version',
      'git --version',
      'helm version --short',
    ]);
  });

  it("makes the runtime's own CLI a failure when it is missing, the other one information", async () => {
    const runner = new RecordingRunner().on(['k3d'], { exitCode: 127, stderr: 'k3d: command not found' });
    const k3d = (f: Finding[]) => f.find((x) => x.detail.startsWith('k3d'));
    expect(k3d(await kubernetesToolFindings('kind', runner))?.status).toBe('info');
    expect(k3d(await kubernetesToolFindings('k3d', runner))).toMatchObject({
      status: 'fail',
      fix: expect.stringMatching(/k3d\.io/),
    });
  });

  it('informs only, with no Argo CD line, when the project runs on Docker or processes', async () => {
    const runner = new RecordingRunner().on(['kind'], () => {
      throw new Error('spawn kind ENOENT');
    });
    const findings = await kubernetesToolFindings('docker', runner);
    expect(findings.every((f) => f.status === 'ok' || f.status === 'info')).toBe(true);
    expect(findings.find((f) => f.detail.startsWith('kind'))?.detail).toMatch(/needed only for --runtime/);
    expect(findings.some((f) => f.detail.startsWith('Argo CD'))).toBe(false);
  });
});
