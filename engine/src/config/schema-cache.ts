// Documents that passed the Compose schema before, remembered by digest so the next load of the
// same file skips ajv: compiling the schema costs ~300 ms of CPU, and every fresh daemon (`devenv
// up` after `down`) paid it before planning anything. Only passes are remembered (a failure must
// be explained, which needs ajv anyway). The digest covers the schema file and the module that
// extends it (their bytes), and the interpolated document, so any change to either validates
// afresh; ajv here never changes the data it checks (no defaults, no coercion).
//
// The file lives in the user's cache (`$XDG_CACHE_HOME/devenv`, else `~/.cache/devenv`), one hex
// digest per line, the newest last, at most `keep` of them. A cache that cannot be read or written
// is no cache: validation simply runs.

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { devenvCacheDir } from '../cache-dir.js';

export function defaultSchemaCacheFile(): string | undefined {
  if (process.env.DEVENV_NO_CACHE) return undefined;
  return path.join(devenvCacheDir(), 'valid-compose-documents');
}

/** sha256 of the schema's identity (its sources' bytes) and the document. */
export function documentDigest(schemaKey: string, document: unknown): string {
  return createHash('sha256').update(schemaKey).update('\0').update(JSON.stringify(document)).digest('hex');
}

/** A key that changes whenever any of these files changes; undefined when one cannot be read. */
export function sourcesKey(files: string[]): string | undefined {
  const hash = createHash('sha256');
  try {
    for (const file of files) hash.update(readFileSync(file)).update('\0');
  } catch {
    return undefined;
  }
  return hash.digest('hex');
}

export class ValidDocumentCache {
  private known: string[] | undefined;

  constructor(
    private readonly file: string | undefined,
    private readonly keep = 64,
  ) {}

  has(digest: string): boolean {
    return this.load().includes(digest);
  }

  add(digest: string): void {
    const known = this.load().filter((d) => d !== digest);
    known.push(digest);
    this.known = known.slice(-this.keep);
    if (!this.file) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
      // Write then rename: a reader never sees half a file, and two writers lose at most an entry.
      const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
      writeFileSync(tmp, `${this.known.join('\n')}\n`, { mode: 0o600 });
      renameSync(tmp, this.file);
    } catch {
      // read-only home, full disk: validate every time
    }
  }

  private load(): string[] {
    if (this.known) return this.known;
    let text = '';
    try {
      text = this.file ? readFileSync(this.file, 'utf8') : '';
    } catch {
      // none yet
    }
    this.known = text.split('\n').filter((line) => /^[0-9a-f]{64}$/.test(line));
    return this.known;
  }
}
