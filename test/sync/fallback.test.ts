// Acceptance 5: where the agent cannot run, sync still converges through putArchive (+ an `rm`
// exec for deletes); and an image with no shell at all (built here from a tarball holding one
// static binary) is synced by the agent, or, forced onto the fallback, gets its writes and a
// clear warning that deletions cannot be applied.
//
// The forced fallback is fuzzed like the agent (fuzz.test.ts) over several seeds, with the same
// knobs: SYNC_FUZZ_SEEDS (default 5 here), SYNC_FUZZ_OPS (default 300 here; SYNC_FALLBACK_OPS
// overrides it for this file alone) and SYNC_FUZZ_FIRST_SEED (default 101).
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
  NAME_PREFIX,
  removeContainers,
  sh,
  startContainer,
  startSync,
  tempDir,
  treeDiff,
} from './helpers.js';
import { randomOps } from './random-ops.js';

const SEEDS = Number(process.env.SYNC_FUZZ_SEEDS ?? 5);
const OPS = Number(process.env.SYNC_FALLBACK_OPS ?? process.env.SYNC_FUZZ_OPS ?? 300);
const FIRST = Number(process.env.SYNC_FUZZ_FIRST_SEED ?? 101);
const NOSHELL_IMAGE = `${NAME_PREFIX}-noshell:${process.pid}`;
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

  describe(`forced by option: ${SEEDS} seeds × ${OPS} operations`, () => {
    let container: Docker.Container;
    beforeAll(async () => {
      container = await startContainer('fb-forced');
    });
    const seeds = Array.from({ length: SEEDS }, (_, i) => FIRST + i);
    it.each(seeds)('seed %i: random operations converge (deletes through an rm exec)', async (seed) => {
      // From an empty tree, so seed 101 replays the exact sequence that exposed the bug below.
      const root = tempDir(`fb-forced${seed}`);
      const target = `/app/s${seed}`;
      const fx = await startSync(container, root, target, { forceArchive: true });
      try {
        expect(fx.channel.kind).toBe('archive');
        expect(fx.warnings.some((w) => /slower archive fallback.*forced by option/.test(w))).toBe(true);
        await randomOps(root, seed, OPS);
        await fx.settle(600);
        const diff = treeDiff(hostTree(root), await containerTree(container, target));
        expect(diff.slice(0, 20), `seed ${seed}: ${diff.length} differences`).toEqual([]);
        // A refused op is a divergence even when a later event happens to repair it.
        expect(fx.warnings.filter((w) => /refused|lost the connection/.test(w))).toEqual([]);
      } finally {
        await fx.close();
        fs.rmSync(root, { recursive: true, force: true });
      }
    });

    // Seed 101 once lost a whole directory: `b` was synced as a symlink, then `mv b elsewhere &&
    // mv some-dir b` arrived as one batch [delete b, mkdir b, write b/…], and the fallback judged
    // `b/…` against the container before the batch, where `b` was still a link: all refused.
    it('regression: a directory where a symlink was (the minimal batches, straight to the transport)', async () => {
      const target = '/app/minimal';
      const channel = await openDockerChannel(docker, container.id, { forceArchive: true });
      try {
        const t = await channel.target(target);
        const w = (p: string, text: string) =>
          ({ op: 'write', path: p, mode: 0o644, data: Buffer.from(text) }) as const;
        const first = await t.apply([w('a', 'a'), { op: 'symlink', path: 'b', target: 'a' }]);
        expect(first.errors).toEqual([]);
        const swap = await t.apply([
          { op: 'delete', path: 'b' },
          { op: 'mkdir', path: 'b', mode: 0o755 },
          w('b/x', 'x'),
          { op: 'mkdir', path: 'b/c d', mode: 0o750 },
          w('b/c d/y', 'y'),
        ]);
        expect(swap.errors).toEqual([]);
        // The same without the delete (a reconcile sends only the mkdir): the link is replaced,
        // never written through, even when it was planted in the container and leads to /etc.
        await sh(container, `ln -s /etc ${target}/planted`);
        const planted = await t.apply([{ op: 'mkdir', path: 'planted', mode: 0o755 }, w('planted/hostname', 'z')]);
        expect(planted.errors).toEqual([]);
        expect(await sh(container, `test ! -L ${target}/planted && grep -vx z /etc/hostname && echo intact`)).toMatch(
          /intact/,
        );
        const tree = await containerTree(container, target);
        expect([...tree].map(([p, e]) => `${p} ${e.kind} ${e.mode.toString(8)}`).sort()).toEqual([
          'a file 644',
          'b dir 755',
          'b/c d dir 750',
          'b/c d/y file 644',
          'b/x file 644',
          'planted dir 755',
          'planted/hostname file 644',
        ]);
      } finally {
        await channel.close();
      }
    });

    it('regression: every kind replaced by a directory, and back, through the session', async () => {
      const root = tempDir('fb-swaps');
      const at = (rel: string) => path.join(root, rel);
      const fill = (dir: string) => {
        fs.mkdirSync(at(`${dir}/c d/x\x01y`), { recursive: true });
        fs.writeFileSync(at(`${dir}/.hidden`), dir);
        fs.writeFileSync(at(`${dir}/c d/x\x01y/q'uote`), dir);
      };
      fs.writeFileSync(at('a'), 'a');
      fs.symlinkSync('a', at('b'));
      fs.symlinkSync('a', at('s'));
      fill('moving');
      fill('d2');
      fill('d3');
      fs.writeFileSync(at('f4'), 'f4');
      fill('d5');
      const fx = await startSync(container, root, '/app/swaps', { forceArchive: true });
      try {
        await fx.settle();
        // Each swap runs in one go, so its events (and ops) share a batch.
        fs.renameSync(at('b'), at('b-moved')); // seed 101: a link moved away, a directory moved in
        fs.renameSync(at('moving'), at('b'));
        fs.rmSync(at('s')); // a link replaced by a new directory
        fill('s');
        fs.renameSync(at('d2'), at('d2-away')); // a directory moved away, another made in its place
        fs.mkdirSync(at('d2'));
        fs.writeFileSync(at('d2/new'), 'new');
        fs.rmSync(at('d3'), { recursive: true }); // directory → file
        fs.writeFileSync(at('d3'), 'd3');
        fs.rmSync(at('f4')); // file → directory
        fill('f4');
        fs.rmSync(at('d5'), { recursive: true }); // directory → symlink
        fs.symlinkSync('a', at('d5'));
        await fx.settle();
        // And back: the directories become links and files again, the links directories.
        fs.rmSync(at('b'), { recursive: true });
        fs.symlinkSync('d2', at('b'));
        fs.rmSync(at('d5'));
        fill('d5');
        fs.rmSync(at('d3'));
        fill('d3');
        await fx.settle();
        const diff = treeDiff(hostTree(root), await containerTree(container, '/app/swaps'));
        expect(diff).toEqual([]);
        expect(fx.warnings.filter((w) => /refused|lost the connection/.test(w))).toEqual([]);
      } finally {
        await fx.close();
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
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
