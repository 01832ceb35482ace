import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { UserError } from '../../errors.js';
import { clusterSpec } from './cluster-config.js';
import { ensureCluster, recreateCluster } from './cluster-lifecycle.js';
import { RecordingRunner } from './command-runner.js';

const kind = clusterSpec({ provider: 'kind', name: 'devenv' });
const k3d = clusterSpec({ provider: 'k3d', name: 'devenv' });

function state(): string {
  return mkdtempSync(path.join(tmpdir(), 'k8s-life-'));
}

describe('ensureCluster (kind)', () => {
  it('creates registry and cluster when absent, then aliases the registry on every node', async () => {
    const dir = state();
    const runner = new RecordingRunner()
      .on(['docker', 'inspect', '-f', '{{.State.Running}}'], { exitCode: 1, stderr: 'No such object' })
      .on(['kind', 'get', 'clusters'], { stdout: '' })
      .on(['kind', 'get', 'nodes'], { stdout: 'devenv-control-plane\n' })
      .on(['docker', 'inspect', '-f', '{{json .NetworkSettings.Networks.kind}}'], { stdout: 'null' });
    expect(await ensureCluster(runner, kind, dir, () => {})).toBe('created');
    expect(runner.lines()).toEqual([
      "docker inspect -f '{{.State.Running}}' devenv-registry",
      "docker ps --filter publish=5001 --format '{{.Names}}\t{{.Image}}\t{{.Ports}}'",
      'docker run -d --restart=always -p 127.0.0.1:5001:5000 --network bridge --name devenv-registry -v devenv-registry-data:/var/lib/registry registry:2.8.3',
      'kind get clusters',
      `kind create cluster --name devenv --config ${dir}/kind-cluster.yaml --wait 120s`,
      'kind get nodes --name devenv',
      "docker inspect -f '{{json .NetworkSettings.Networks.kind}}' devenv-registry",
      'docker exec devenv-control-plane mkdir -p /etc/containerd/certs.d/localhost:5001',
      'docker exec -i devenv-control-plane cp /dev/stdin /etc/containerd/certs.d/localhost:5001/hosts.toml',
      'docker network connect kind devenv-registry',
      `kubectl --context kind-devenv apply -f ${dir}/bootstrap/registry-hosting.yaml`,
    ]);
    expect(parse(readFileSync(path.join(dir, 'kind-cluster.yaml'), 'utf8'))).toEqual(kind.config);
  });

  it("uses the registry kind's own guide runs on 5001 (kind-registry) instead of starting a second one", async () => {
    const dir = state();
    const runner = new RecordingRunner()
      .on(['docker', 'inspect', '-f', '{{.State.Running}}'], { exitCode: 1, stderr: 'No such object' })
      .on(['docker', 'ps', '--filter', 'publish=5001'], {
        stdout: 'kind-registry\tregistry:2\t127.0.0.1:5001->5000/tcp\n',
      })
      .on(['kind', 'get', 'clusters'], { stdout: '' })
      .on(['kind', 'get', 'nodes'], { stdout: 'devenv-control-plane\n' })
      .on(['docker', 'inspect', '-f', '{{json .NetworkSettings.Networks.kind}}'], { stdout: 'null' });
    await ensureCluster(runner, kind, dir, () => {});
    const lines = runner.lines();
    expect(lines.some((l) => l.startsWith('docker run'))).toBe(false);
    expect(lines).toContain('docker network connect kind kind-registry');
    const hosts = runner.commands.find((c) => c.argv.includes('/dev/stdin'));
    expect(hosts?.stdin).toBe('[host."http://kind-registry:5000"]\n');
  });

  it('says who holds the registry port when it is not a registry', async () => {
    const runner = new RecordingRunner()
      .on(['docker', 'inspect', '-f', '{{.State.Running}}'], { exitCode: 1, stderr: 'No such object' })
      .on(['docker', 'ps', '--filter', 'publish=5001'], { stdout: 'web\tnginx:1.27\t127.0.0.1:5001->80/tcp\n' });
    const err = (await ensureCluster(runner, kind, state(), () => {}).catch((e: unknown) => e)) as UserError;
    expect(err).toBeInstanceOf(UserError);
    expect(err.problems[0]).toMatchObject({
      code: 'kubernetes.registry-port-busy',
      message: expect.stringContaining('container web (nginx:1.27)'),
      hint: 'stop it: `docker stop web`',
    });
  });

  it('reuses a running cluster made from this config, and connects nothing twice', async () => {
    const dir = state();
    const runner = new RecordingRunner()
      .on(['docker', 'inspect', '-f', '{{.State.Running}}'], { stdout: 'true' })
      .on(['kind', 'get', 'clusters'], { stdout: 'other\ndevenv\n' })
      .on(['kubectl'], (c) => (c.argv.includes('nodes') ? { stdout: 'node/devenv-control-plane' } : undefined))
      .on(['kind', 'get', 'nodes'], { stdout: 'devenv-control-plane' })
      .on(['docker', 'inspect', '-f', '{{json .NetworkSettings.Networks.kind}}'], {
        stdout: '{"IPAddress":"172.18.0.3"}',
      });
    expect(await ensureCluster(runner, kind, dir, () => {})).toBe('reused');
    const lines = runner.lines();
    expect(lines).toContain(
      `kubectl --context kind-devenv get nodes -l dev.devenv/config-hash=${kind.configHash} -o name`,
    );
    expect(
      lines.some((l) => l.startsWith('kind create') || l.startsWith('docker run') || l.includes('network connect')),
    ).toBe(false);
  });

  it('refuses to replace a cluster made from another config, and says how', async () => {
    const runner = new RecordingRunner()
      .on(['docker', 'inspect'], { stdout: 'true' })
      .on(['kind', 'get', 'clusters'], { stdout: 'devenv' })
      .on(['kubectl'], { stdout: '' });
    const err = await ensureCluster(runner, kind, state(), () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).problems[0]).toMatchObject({
      code: 'kubernetes.cluster-mismatch',
      hint: expect.stringContaining('reset --hard'),
    });
  });

  it('hard reset deletes and recreates the cluster, never the registry', async () => {
    let exists = true;
    const runner = new RecordingRunner()
      .on(['docker', 'inspect', '-f', '{{.State.Running}}'], { stdout: 'true' })
      .on(['kind', 'delete'], () => {
        exists = false;
        return {};
      })
      .on(['kind', 'get', 'clusters'], () => ({ stdout: exists ? 'devenv' : '' }))
      .on(['kind', 'get', 'nodes'], { stdout: 'devenv-control-plane' });
    await recreateCluster(runner, kind, state(), () => {});
    const lines = runner.lines();
    expect(lines).toContain('kind delete cluster --name devenv');
    expect(lines.some((l) => l.startsWith('kind create cluster'))).toBe(true);
    expect(lines.some((l) => /docker (rm|volume rm|stop)/.test(l))).toBe(false);
  });
});

describe('ensureCluster (k3d)', () => {
  it('clears a registry container left by a deleted cluster (its volume stays), then creates', async () => {
    const dir = state();
    const runner = new RecordingRunner().on(['k3d', 'cluster', 'list'], { stdout: '[{"name":"other"}]' });
    expect(await ensureCluster(runner, k3d, dir, () => {})).toBe('created');
    expect(runner.lines()).toEqual([
      'k3d cluster list -o json',
      'docker rm -f devenv-k3d-registry',
      `k3d cluster create --config ${dir}/k3d-cluster.yaml`,
    ]);
  });
});
