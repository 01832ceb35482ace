// The in-cluster git server's image, run here as a plain container: built by the image builder
// the Kubernetes runtime uses (runtimes/shared) from its FROM debian:bookworm-slim context, pushed
// to with git's ext:: transport through an exec (`docker exec -i` here, `kubectl exec -i` in a
// cluster: the same receive helper), and cloned from over smart HTTP as Argo CD's repo server
// does. Skips without a Docker engine or the base image, saying which, except where
// DEVENV_REQUIRE_DOCKER=1 (scripts/kubernetes-checks.sh in CI), where that is a failure.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  repoName,
  toolsImageBuild,
  toolsImageTag,
  writeToolsContext,
} from '../../engine/src/runtimes/kubernetes/git-server.js';
import { dockerEngine } from '../../engine/src/runtimes/shared/docker-engine.js';
import { ImageBuilder } from '../../engine/src/runtimes/shared/image-builder.js';
import { dockerAvailable, imageExists } from '../helpers/docker.js';
import { waitUntil } from '../helpers/wait.js';

const missing = !dockerAvailable()
  ? 'no Docker engine answers'
  : !imageExists('debian:bookworm-slim')
    ? 'the base image debian:bookworm-slim is missing (make it with scripts/ensure-base-image.sh)'
    : undefined;
const ready = missing === undefined;
const name = `k8s-gitserver-${process.pid}`;

it.runIf(process.env.DEVENV_REQUIRE_DOCKER === '1')('has what it needs (DEVENV_REQUIRE_DOCKER=1)', () => {
  expect(missing).toBeUndefined();
});

afterAll(() => {
  if (ready) execFileSync('docker', ['rm', '-f', name], { stdio: 'ignore' });
});

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' }).trim();

describe.skipIf(!ready)(`the git server image${missing ? ` (skipped: ${missing})` : ''}`, () => {
  it('accepts a push over an exec stream and serves clones over HTTP', async () => {
    const context = fs.mkdtempSync(path.join(tmpdir(), 'k8s-tools-'));
    await writeToolsContext(context);
    const tag = `devenv-tools:${toolsImageTag()}`;
    const { service: tools, project } = toolsImageBuild(context);
    const images = new ImageBuilder(dockerEngine().docker);
    const artifact = await images.prepareArtifacts([tools], project, () => {}, new AbortController().signal, {
      force: [],
    })['devenv-tools'];
    expect(artifact?.ref).toBe(tag);
    execFileSync('docker', ['run', '-d', '--name', name, '-p', '127.0.0.1::8080', tag], { stdio: 'ignore' });
    const port = execFileSync('docker', ['port', name, '8080/tcp'], { encoding: 'utf8' }).trim().split(':').pop();
    await waitUntil(
      'lighttpd',
      async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok,
    );

    const src = fs.mkdtempSync(path.join(tmpdir(), 'k8s-src-'));
    git(src, 'init', '-q', '-b', 'main');
    fs.writeFileSync(path.join(src, 'kustomization.yaml'), 'resources: []\n');
    git(src, 'add', '.');
    git(src, 'commit', '-qm', 'snapshot');
    git(src, 'update-ref', 'refs/devenv/demo', 'HEAD');
    const remote = `ext::docker exec -i ${name} devenv-git-receive ${repoName('demo')}`;
    git(
      src,
      '-c',
      'protocol.ext.allow=always',
      'push',
      '--force',
      '--quiet',
      remote,
      'refs/devenv/demo:refs/heads/devenv/demo',
    );

    const url = `http://127.0.0.1:${port}/git/demo.git`;
    expect(git(src, 'ls-remote', url)).toBe(`${git(src, 'rev-parse', 'HEAD')}\trefs/heads/devenv/demo`);
    const clone = fs.mkdtempSync(path.join(tmpdir(), 'k8s-clone-'));
    git(clone, 'clone', '-q', '--branch', 'devenv/demo', url, 'repo');
    expect(fs.readFileSync(path.join(clone, 'repo/kustomization.yaml'), 'utf8')).toBe('resources: []\n');

    // Read-only over HTTP: only an exec into the pod can write.
    expect(() => git(src, 'push', '--quiet', url, 'HEAD:refs/heads/other')).toThrow();
    // A name that is not a DNS label is refused before git sees it.
    expect(() => execFileSync('docker', ['exec', name, 'devenv-git-receive', '../etc'], { stdio: 'pipe' })).toThrow();
    // The smoke-test image carries curl.
    expect(execFileSync('docker', ['exec', name, 'curl', '--version'], { encoding: 'utf8' })).toMatch(/^curl /);
  });
});
