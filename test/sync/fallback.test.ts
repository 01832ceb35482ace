// Acceptance 5: where the agent cannot run, sync still converges through putArchive (+ an `rm`
// exec for deletes); and an image with no shell at all (built here from a tarball holding one
// static binary) is synced by the agent, or, forced onto the fallback, gets its writes and a
// clear warning that deletions cannot be applied.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type Docker from 'dockerode';
import * as tarStream from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDockerChannel } from '../../engine/src/sync/docker-transport.js';
import {
  containerName,
  containerTree,
  docker,
  hostTree,
  removeContainers,
  startContainer,
  startSync,
  tempDir,
  treeDiff,
} from './helpers.js';
import { randomOps } from './random-ops.js';

const OPS = Number(process.env.SYNC_FALLBACK_OPS ?? 300);
const NOSHELL_IMAGE = `syncdev-noshell:${process.pid}`;
const created: Docker.Container[] = [];

afterAll(async () => {
  await removeContainers();
  for (const c of created) await c.remove({ force: true, v: true }).catch(() => {});
  await docker
    .getImage(NOSHELL_IMAGE)
    .remove({ force: true })
    .catch(() => {});
});

/** An image whose whole filesystem is one static `pause` binary and two empty directories. */
async function buildNoShellImage(): Promise<void> {
  const dir = tempDir('noshell');
  fs.writeFileSync(path.join(dir, 'pause.c'), '#include <unistd.h>\nint main(void){for(;;)pause();}\n');
  execFileSync('gcc', ['-O2', '-static', '-s', '-o', path.join(dir, 'pause'), path.join(dir, 'pause.c')]);
  const pack = tarStream.pack();
  pack.entry({ name: 'pause', mode: 0o755 }, fs.readFileSync(path.join(dir, 'pause')));
  pack.entry({ name: 'tmp/', type: 'directory', mode: 0o1777 });
  pack.entry({ name: 'app/', type: 'directory', mode: 0o755 });
  pack.finalize();
  const [repo, tag] = NOSHELL_IMAGE.split(':') as [string, string];
  const stream = (await docker.importImage(pack as unknown as Readable, { repo, tag })) as unknown as Readable;
  await new Promise((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('error', reject);
    stream.resume();
  });
}

/** Exit code of a command run without a shell (non-zero, or -1, when it cannot even start). */
async function exitCodeOf(container: Docker.Container, cmd: string[]): Promise<number> {
  try {
    const exec = await container.exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
    const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Readable;
    await new Promise((r) => {
      stream.on('end', r);
      stream.on('close', r);
      stream.resume();
    });
    return (await exec.inspect()).ExitCode ?? -1;
  } catch {
    return -1;
  }
}

async function startNoShell(what: string): Promise<Docker.Container> {
  const c = await docker.createContainer({ Image: NOSHELL_IMAGE, name: containerName(what), Cmd: ['/pause'] });
  created.push(c);
  await c.start();
  return c;
}

describe('archive fallback', () => {
  beforeAll(buildNoShellImage, 120_000);

  it('forced by option: random operations converge (deletes through an rm exec)', async () => {
    const container = await startContainer('fb-forced');
    const root = tempDir('fb-forced');
    const fx = await startSync(container, root, '/app', { forceArchive: true });
    expect(fx.channel.kind).toBe('archive');
    expect(fx.warnings.some((w) => /slower archive fallback.*forced by option/.test(w))).toBe(true);
    await randomOps(root, 101, OPS);
    await fx.settle(600);
    expect(treeDiff(hostTree(root), await containerTree(container, '/app'))).toEqual([]);
    await fx.close();
  });

  it('agent unable to run (read-only root, noexec /tmp): falls back on its own and converges', async () => {
    // /tmp is a tmpfs-backed volume mounted noexec: the archive API may write the agent there
    // (volumes stay writable on a read-only root), but it cannot be executed.
    const container = await startContainer('fb-noexec', {
      HostConfig: {
        ReadonlyRootfs: true,
        Mounts: [
          {
            Type: 'volume',
            Source: '',
            Target: '/tmp',
            VolumeOptions: {
              NoCopy: false,
              Labels: {},
              DriverConfig: { Name: 'local', Options: { type: 'tmpfs', device: 'tmpfs', o: 'noexec' } },
            },
          },
        ],
      },
      Volumes: { '/app': {} },
    });
    const root = tempDir('fb-noexec');
    fs.writeFileSync(path.join(root, 'seed.txt'), 'seed');
    const fx = await startSync(container, root, '/app');
    expect(fx.channel.kind).toBe('archive');
    expect(fx.channel.fallbackReason).toMatch(/\/\.devenv: copy failed/);
    expect(fx.channel.fallbackReason).toMatch(/\/tmp\/\.devenv: agent did not start/);
    await randomOps(root, 202, OPS);
    await fx.settle(600);
    expect(treeDiff(hostTree(root), await containerTree(container, '/app'))).toEqual([]);
    await fx.close();
  });

  it('image without a shell: the static agent still runs and syncs everything', async () => {
    const container = await startNoShell('noshell-agent');
    expect(await exitCodeOf(container, ['/bin/sh', '-c', 'true'])).not.toBe(0);
    expect(await exitCodeOf(container, ['rm', '--version'])).not.toBe(0);
    const root = tempDir('noshell-agent');
    const fx = await startSync(container, root, '/app');
    expect(fx.channel.kind).toBe('agent');
    await randomOps(root, 303, OPS);
    await fx.settle();
    expect(treeDiff(hostTree(root), await containerTree(container, '/app'))).toEqual([]);
    await fx.close();
  });

  it('image without a shell, forced onto the fallback: writes land, deletions are refused with a warning', async () => {
    const container = await startNoShell('noshell-archive');
    const root = tempDir('noshell-archive');
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src/keep.py'), 'keep = 1\n');
    fs.writeFileSync(path.join(root, 'src/doomed.py'), 'doomed = 1\n');
    const fx = await startSync(container, root, '/app', { forceArchive: true });
    expect(fx.warnings.some((w) => /no `rm`, so deletions cannot be applied/.test(w))).toBe(true);
    fs.writeFileSync(path.join(root, 'src/keep.py'), 'keep = 2\n');
    fs.writeFileSync(path.join(root, 'src/new.py'), 'new = 1\n');
    fs.chmodSync(path.join(root, 'src/new.py'), 0o755);
    fs.rmSync(path.join(root, 'src/doomed.py'));
    await fx.settle(600);
    const diff = treeDiff(hostTree(root), await containerTree(container, '/app'));
    expect(diff).toEqual(['extra in container: "src/doomed.py"']);
    expect(fx.warnings.some((w) => /deletions are not applied/.test(w))).toBe(true);
    await fx.close();
  });

  it('the channel reports the agent when nothing stands in its way', async () => {
    const container = await startContainer('fb-control');
    const channel = await openDockerChannel(docker, container.id);
    expect(channel.kind).toBe('agent');
    await channel.close();
  });
});
