// Secrets and configs that are not bind-mounted (their content is known when loading, from a
// variable or inline, or they set an owner or mode) are copied into the created container before
// it starts, as Docker Compose v2 does: one tar extracted at `/`, each file with its mode
// (default 0444) and owner (default root).

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type Dockerode from 'dockerode';
import * as tarStream from 'tar-stream';
import { RuntimeFailure } from '../../errors.js';
import type { ServiceFileSpec, ServiceSpec } from '../../model/spec.js';
import { errMessage } from './docker-errors.js';
import { isMountedFile } from './mount-config.js';

export function copiedFiles(svc: ServiceSpec): ServiceFileSpec[] {
  return (svc.files ?? []).filter((f) => !isMountedFile(f));
}

/** What of the copied files decides the container's hash: their settings and a digest of each content. */
export function copiedFilesHashInput(svc: ServiceSpec): unknown {
  return copiedFiles(svc).map((f) => {
    let content = f.content;
    if (content === undefined && f.file) {
      try {
        content = readFileSync(f.file, 'utf8');
      } catch {
        content = '';
      }
    }
    const { content: _c, ...rest } = f;
    return {
      ...rest,
      digest: createHash('sha256')
        .update(content ?? '')
        .digest('hex'),
    };
  });
}

async function tarOf(files: readonly ServiceFileSpec[]): Promise<Buffer> {
  const pack = tarStream.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const f of files) {
    const data = f.content !== undefined ? Buffer.from(f.content) : await readFile(f.file as string);
    pack.entry(
      {
        name: f.target.replace(/^\/+/, ''),
        mode: f.mode ?? 0o444,
        uid: f.uid === undefined ? 0 : Number(f.uid),
        gid: f.gid === undefined ? 0 : Number(f.gid),
        mtime: new Date(),
      },
      data,
    );
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Copies the service's non-mounted secrets and configs into a created (not started) container. */
export async function injectFiles(container: Dockerode.Container, svc: ServiceSpec): Promise<void> {
  const files = copiedFiles(svc);
  if (files.length === 0) return;
  if (svc.container?.readOnly) {
    throw new RuntimeFailure(
      'docker.read-only-files',
      `service ${svc.name} has a read-only file system, so ${files.map((f) => f.target).join(', ')} cannot be copied into it`,
      {
        service: svc.name,
        hint: 'give the secret or config a `file:` source without uid, gid or mode (it is then mounted, not copied), or drop `read_only`',
      },
    );
  }
  try {
    const owned = files.some((f) => f.uid !== undefined || f.gid !== undefined);
    await container.putArchive(await tarOf(files), { path: '/', ...(owned ? { copyUIDGID: '1' } : {}) });
  } catch (err) {
    throw new RuntimeFailure(
      'docker.copy-files-failed',
      `cannot copy the secrets and configs of ${svc.name} into its container: ${errMessage(err)}`,
      { service: svc.name, cause: err },
    );
  }
}
