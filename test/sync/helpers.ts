// Shared set-up for the sync integration tests: real containers (named syncdev-*, or
// $SYNC_TEST_PREFIX-* so parallel checkouts can tell theirs apart), an
// independent view of a container's tree (Docker's own tar export, not our agent), and the
// host tree in the same shape, so "converged" means byte-for-byte equal listings.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import Docker from 'dockerode';
import * as tarStream from 'tar-stream';
import type { WatchRule } from '../../engine/src/model/spec.js';
import { type DockerSyncChannel, openDockerChannel } from '../../engine/src/sync/docker-transport.js';
import { IgnoreMatcher } from '../../engine/src/sync/ignore.js';
import { linkStaysInside } from '../../engine/src/sync/paths.js';
import { ProjectSync } from '../../engine/src/sync/project-sync.js';
import { SyncSession, type SyncSessionOptions } from '../../engine/src/sync/session.js';
import type { ProjectWatcherOptions } from '../../engine/src/sync/watcher.js';

export const docker = new Docker();
export const IMAGE = 'debian:bookworm-slim';

const created: string[] = [];

/** Prefix of every container and image these tests create. */
export const NAME_PREFIX = process.env.SYNC_TEST_PREFIX || 'syncdev';

export function containerName(what: string): string {
  return `${NAME_PREFIX}-${what}-${process.pid}-${Math.random().toString(36).slice(2, 7)}`;
}

export async function startContainer(
  what: string,
  extra: Partial<Docker.ContainerCreateOptions> = {},
): Promise<Docker.Container> {
  const c = await docker.createContainer({
    Image: IMAGE,
    name: containerName(what),
    Cmd: ['sleep', 'infinity'],
    Labels: { 'devenv.test': 'sync' },
    ...extra,
    HostConfig: { Init: true, ...(extra.HostConfig ?? {}) },
  });
  created.push(c.id);
  await c.start();
  return c;
}

export async function removeContainers(): Promise<void> {
  for (const id of created.splice(0)) {
    await docker
      .getContainer(id)
      .remove({ force: true, v: true })
      .catch(() => {});
  }
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(tmpdir(), `syncdev-${prefix}-`));
}

export interface Listed {
  kind: 'file' | 'dir' | 'symlink';
  mode: number;
  /** sha1 for files, target for links. */
  content: string;
}

/** The container tree under `dir`, read through Docker's archive export. */
export async function containerTree(container: Docker.Container, dir: string): Promise<Map<string, Listed>> {
  const stream = (await container.getArchive({ path: `${dir}/.` })) as unknown as Readable;
  const out = new Map<string, Listed>();
  const extract = tarStream.extract();
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, body, next) => {
      const hash = createHash('sha1');
      body.on('data', (c) => hash.update(c as Buffer));
      body.on('end', () => {
        const name = h.name.replace(/^\.\/?/, '').replace(/\/$/, '');
        if (name !== '') {
          const kind = h.type === 'directory' ? 'dir' : h.type === 'symlink' ? 'symlink' : 'file';
          out.set(name, {
            kind,
            mode: (h.mode ?? 0) & 0o7777,
            content: kind === 'file' ? hash.digest('hex') : kind === 'symlink' ? (h.linkname ?? '') : '',
          });
        }
        next();
      });
      body.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
    stream.pipe(extract);
  });
  return out;
}

/** The host tree as sync should reproduce it: ignores applied, links leading out left out. */
export function hostTree(root: string, matcher = new IgnoreMatcher(root)): Map<string, Listed> {
  const out = new Map<string, Listed>();
  const walk = (rel: string) => {
    const abs = rel ? path.join(root, rel) : root;
    for (const name of fs.readdirSync(abs)) {
      const childRel = rel ? `${rel}/${name}` : name;
      const childAbs = path.join(abs, name);
      const st = fs.lstatSync(childAbs);
      if (matcher.ignores(childAbs, st.isDirectory())) continue;
      if (st.isDirectory()) {
        out.set(childRel, { kind: 'dir', mode: st.mode & 0o7777, content: '' });
        walk(childRel);
      } else if (st.isSymbolicLink()) {
        const target = fs.readlinkSync(childAbs);
        if (linkStaysInside(childRel, target)) out.set(childRel, { kind: 'symlink', mode: 0o777, content: target });
      } else if (st.isFile()) {
        out.set(childRel, {
          kind: 'file',
          mode: st.mode & 0o7777,
          content: createHash('sha1').update(fs.readFileSync(childAbs)).digest('hex'),
        });
      }
    }
  };
  walk('');
  return out;
}

/** Differences between two listings, as readable lines (empty when equal). */
export function treeDiff(expected: Map<string, Listed>, actual: Map<string, Listed>): string[] {
  const lines: string[] = [];
  for (const [p, e] of expected) {
    const a = actual.get(p);
    if (!a) lines.push(`missing in container: ${JSON.stringify(p)} (${e.kind})`);
    else if (a.kind !== e.kind || a.content !== e.content || (e.kind !== 'symlink' && a.mode !== e.mode)) {
      lines.push(`differs: ${JSON.stringify(p)} host=${JSON.stringify(e)} container=${JSON.stringify(a)}`);
    }
  }
  for (const p of actual.keys()) if (!expected.has(p)) lines.push(`extra in container: ${JSON.stringify(p)}`);
  return lines;
}

export interface SyncFixture {
  session: SyncSession;
  project: ProjectSync;
  channel: DockerSyncChannel;
  warnings: string[];
  /** Waits until the watcher has been quiet for `quietMs` and nothing is pending or in flight. */
  settle(quietMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Watches `root` and syncs it into `target` of `container` through a fresh channel. */
export async function startSync(
  container: Docker.Container,
  root: string,
  target: string,
  opts: {
    forceArchive?: boolean;
    rule?: Partial<WatchRule>;
    session?: Partial<SyncSessionOptions>;
    channel?: DockerSyncChannel;
    watcher?: ProjectWatcherOptions;
  } = {},
): Promise<SyncFixture> {
  const warnings: string[] = [];
  const reporter = { warning: (_s: string, m: string) => warnings.push(m) };
  const channel =
    opts.channel ??
    (await openDockerChannel(docker, container.id, {
      ...(opts.forceArchive ? { forceArchive: true } : {}),
      onWarning: (m) => warnings.push(m),
    }));
  const rule: WatchRule = { path: root, action: 'sync', target, ignore: [], initialSync: true, ...opts.rule };
  const session = new SyncSession({ service: 'app', rule, reporter, ...opts.session });
  const project = new ProjectSync([session], { reporter, ...(opts.watcher ? { watcher: opts.watcher } : {}) });
  let lastChange = performance.now();
  project.watcher.on('changes', () => {
    lastChange = performance.now();
  });
  await project.start();
  await session.attach(await channel.target(target), { reconcile: true });
  return {
    session,
    project,
    channel,
    warnings,
    async settle(quietMs = 400) {
      // Events for writes made just before this call have not been read yet: count the quiet
      // time from now at the earliest.
      lastChange = Math.max(lastChange, performance.now());
      for (;;) {
        await project.idle();
        const quiet = performance.now() - lastChange;
        if (quiet >= quietMs) {
          await project.idle();
          if (performance.now() - lastChange >= quietMs) return;
        }
        await new Promise((r) => setTimeout(r, Math.max(20, quietMs - quiet)));
      }
    },
    async close() {
      await project.close();
      if (!opts.channel) await channel.close();
    },
  };
}

/** Runs a shell command in the container and returns stdout (fails the test on a non-zero exit). */
export async function sh(container: Docker.Container, script: string): Promise<string> {
  const exec = await container.exec({ Cmd: ['sh', '-c', script], AttachStdout: true, AttachStderr: true });
  const stream = (await exec.start({ hijack: true, stdin: false })) as unknown as Readable;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((r) => stream.on('end', r));
  const raw = Buffer.concat(chunks);
  let out = '';
  for (let i = 0; i + 8 <= raw.length; ) {
    const len = raw.readUInt32BE(i + 4);
    if (raw[i] === 1) out += raw.toString('utf8', i + 8, i + 8 + len);
    i += 8 + len;
  }
  const info = await exec.inspect();
  if (info.ExitCode !== 0) throw new Error(`'${script}' exited ${info.ExitCode}: ${out}`);
  return out;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 't',
      GIT_AUTHOR_EMAIL: 't@example.invalid',
      GIT_COMMITTER_NAME: 't',
      GIT_COMMITTER_EMAIL: 't@example.invalid',
    },
  });
}

/** Deterministic PRNG (mulberry32) so a failing seed can be replayed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
