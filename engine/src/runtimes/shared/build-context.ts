// The files of a build context after `.dockerignore`, a digest of them (so an unchanged
// context skips the build entirely), and the tar stream sent to the engine.

import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { Readable } from 'node:stream';
import dockerignore from '@balena/dockerignore';
import tarFs from 'tar-fs';
import type { BuildSpec } from '../../model/spec.js';

export interface ContextEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  size: number;
  mtimeMs: number;
  link?: string;
}

export interface BuildContext {
  root: string;
  entries: ContextEntry[];
  /** Digest of the file list (names, modes, sizes, mtimes, link targets), the Dockerfile and the build options. */
  digest: string;
}

/** Where a `dockerfile_inline` goes in the context sent to the engine. */
export const INLINE_DOCKERFILE = '.devenv-inline.Dockerfile';

export async function readDockerignore(root: string, dockerfile: string): Promise<string[]> {
  // BuildKit's rule, also honoured by the classic CLI in recent versions: <Dockerfile>.dockerignore wins.
  for (const name of [`${dockerfile}.dockerignore`, '.dockerignore']) {
    try {
      const text = await readFile(join(root, name), 'utf8');
      return text
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#'));
    } catch {
      // not there: try the next name
    }
  }
  return [];
}

export async function scanContext(build: BuildSpec): Promise<BuildContext> {
  const root = build.context;
  const patterns = await readDockerignore(root, build.dockerfile);
  // The package is CommonJS (`module.exports = factory`); its typings describe an ES default export.
  const factory = dockerignore as unknown as typeof dockerignore.default;
  const ig = factory().add(patterns);
  const hasExceptions = patterns.some((p) => p.startsWith('!'));
  // The Dockerfile and .dockerignore are always sent, as the Docker CLI does.
  const always = new Set([toPosix(build.dockerfile), '.dockerignore']);
  const entries: ContextEntry[] = [];

  const walk = async (dir: string): Promise<void> => {
    const names = await readdir(dir);
    names.sort();
    for (const name of names) {
      const abs = join(dir, name);
      const rel = toPosix(relative(root, abs));
      const st = await lstat(abs);
      const ignored = ig.ignores(rel) && !always.has(rel);
      if (st.isDirectory()) {
        // An ignored directory is skipped whole unless an exception (`!pattern`) could re-include something in it.
        if (ignored && !hasExceptions) continue;
        if (!ignored) entries.push({ path: rel, type: 'dir', mode: st.mode, size: 0, mtimeMs: 0 });
        await walk(abs);
        continue;
      }
      if (ignored) continue;
      if (st.isSymbolicLink()) {
        entries.push({
          path: rel,
          type: 'symlink',
          mode: st.mode,
          size: 0,
          mtimeMs: st.mtimeMs,
          link: await readlink(abs),
        });
      } else if (st.isFile()) {
        entries.push({ path: rel, type: 'file', mode: st.mode, size: st.size, mtimeMs: st.mtimeMs });
      }
    }
  };
  await walk(root);

  const hash = createHash('sha256');
  for (const e of entries) hash.update(`${e.type}\0${e.path}\0${e.mode}\0${e.size}\0${e.mtimeMs}\0${e.link ?? ''}\n`);
  hash.update(
    build.dockerfileInline !== undefined
      ? Buffer.from(build.dockerfileInline)
      : await readFile(join(root, build.dockerfile)).catch(() => Buffer.from('')),
  );
  const { context: _context, args, dockerfileInline: _inline, ...options } = build;
  hash.update(JSON.stringify({ ...sortObject(options as Record<string, unknown>), args: sortObject(args) }));
  return { root, entries, digest: hash.digest('hex').slice(0, 32) };
}

/** A tar of exactly the context's entries, owned by root as the Docker CLI sends it (plus an inline Dockerfile). */
export function packContext(ctx: BuildContext, build?: BuildSpec): Readable {
  const included = new Set<string>();
  for (const e of ctx.entries) {
    included.add(e.path);
    // Parents of included files must be walked even when the directory itself was ignored.
    let parent = e.path;
    while (parent.includes('/')) {
      parent = parent.slice(0, parent.lastIndexOf('/'));
      included.add(parent);
    }
  }
  const inline = build?.dockerfileInline;
  const pack = tarFs.pack(ctx.root, {
    ignore: (name: string) => !included.has(toPosix(relative(ctx.root, name))),
    map: (header) => Object.assign(header, { uid: 0, gid: 0, uname: 'root', gname: 'root' }),
    ...(inline === undefined
      ? {}
      : {
          finalize: false,
          finish: (p: { entry(h: object, data: string): void; finalize(): void }) => {
            p.entry({ name: INLINE_DOCKERFILE, mode: 0o644, uid: 0, gid: 0 }, inline);
            p.finalize();
          },
        }),
  });
  return pack as unknown as Readable;
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function sortObject<T>(o: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
