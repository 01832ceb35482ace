// Secrets and configs on the process runtime: each file a service mounts is written under
// `<stateDir>/files/<service>/`, at the same path it has in a container (`/run/secrets/db` →
// `<stateDir>/files/<service>/run/secrets/db`), mode 0600 unless the file sets one, owned by the
// service's user when devenv runs as root (or by its `uid`/`gid`). The process finds them through
// two variables: DEVENV_FILES_DIR (the root of that tree) and DEVENV_SECRETS_DIR (its
// run/secrets). Nothing is ever written outside the state directory: a config's target
// `/etc/nginx/nginx.conf` must not replace the host's.

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { RuntimeFailure } from '../../errors.js';
import type { ServiceFileSpec, ServiceSpec } from '../../model/spec.js';
import { isRoot, prepareOwnedDir, resolveRunAs } from './run-as.js';

export function filesDir(stateDir: string, service: string): string {
  return join(stateDir, 'files', service);
}

function pathOf(root: string, f: ServiceFileSpec): string {
  const path = join(root, f.target);
  // The loader refuses `..` in targets; stay inside even if something slipped through.
  if (relative(root, path).startsWith('..')) throw new Error(`target ${f.target} leaves ${root}`);
  return path;
}

function contentOf(f: ServiceFileSpec): Promise<Buffer> {
  return f.content !== undefined ? Promise.resolve(Buffer.from(f.content)) : readFile(f.file as string);
}

/** What of the files decides whether the instance is recreated: their settings and a digest of each. */
export function serviceFilesHashInput(service: ServiceSpec): unknown {
  return (service.files ?? []).map(({ content, ...f }) => {
    let data = content ?? '';
    if (content === undefined && f.file) {
      try {
        data = readFileSync(f.file, 'utf8');
      } catch {
        data = '';
      }
    }
    return { ...f, digest: createHash('sha256').update(data).digest('hex') };
  });
}

/**
 * Writes the service's secrets and configs afresh (an earlier set is removed first) and returns
 * the variables that tell the process where they are; none when it mounts none.
 */
export async function writeServiceFiles(
  stateDir: string,
  service: ServiceSpec,
  user: string | undefined,
): Promise<Record<string, string>> {
  const root = filesDir(stateDir, service.name);
  await rm(root, { recursive: true, force: true });
  const files = service.files ?? [];
  if (files.length === 0) return {};
  const runAs = isRoot() && user ? await resolveRunAs(user, service.name) : undefined;
  await mkdir(join(stateDir, 'files'), { recursive: true, mode: 0o700 });
  if (runAs) await prepareOwnedDir(root, stateDir, runAs);
  else await mkdir(root, { recursive: true, mode: 0o700 });
  try {
    for (const f of files) {
      const path = pathOf(root, f);
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await writeFile(path, await contentOf(f), { mode: 0o600 });
      await chmod(path, f.mode ?? 0o600);
      if (isRoot()) {
        const uid = f.uid !== undefined ? Number(f.uid) : runAs?.uid;
        const gid = f.gid !== undefined ? Number(f.gid) : runAs?.gid;
        if (uid !== undefined || gid !== undefined) await chown(path, uid ?? 0, gid ?? 0);
        // Directories between the service's root and its files belong to it too, so it can reach them.
        if (runAs) {
          for (let d = dirname(path); d.startsWith(root) && d !== root; d = dirname(d))
            await chown(d, runAs.uid, runAs.gid);
        }
      }
    }
  } catch (err) {
    if (err instanceof RuntimeFailure) throw err;
    throw new RuntimeFailure(
      'process.files-failed',
      `cannot write the secrets and configs of ${service.name} under ${root}: ${err instanceof Error ? err.message : String(err)}`,
      { service: service.name, hint: 'check that the state directory is writable and the source files readable' },
    );
  }
  return { DEVENV_FILES_DIR: root, DEVENV_SECRETS_DIR: join(root, 'run', 'secrets') };
}
