import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { schemaSourcesKey, setSchemaCacheFile, validateAgainstSchema } from './compose-schema.js';
import { documentDigest, sourcesKey, ValidDocumentCache } from './schema-cache.js';

const dirs: string[] = [];
const tmp = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'devenv-schema-cache-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  setSchemaCacheFile(undefined);
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const lines = (file: string) => readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('ValidDocumentCache', () => {
  it('remembers digests across instances (processes) in one file, newest last, at most `keep`', () => {
    const file = path.join(tmp(), 'sub', 'valid');
    const a = new ValidDocumentCache(file, 3);
    const d = (n: number) => n.toString(16).padStart(64, '0');
    for (const n of [1, 2, 3, 4]) a.add(d(n));
    a.add(d(2)); // seen again: moves to the end
    expect(lines(file)).toEqual([d(3), d(4), d(2)]);
    const b = new ValidDocumentCache(file, 3);
    expect(b.has(d(2))).toBe(true);
    expect(b.has(d(1))).toBe(false);
  });

  it('ignores lines that are not digests, and a file it cannot read or write', () => {
    const dir = tmp();
    const file = path.join(dir, 'valid');
    writeFileSync(file, `garbage\n${'f'.repeat(64)}\n${'g'.repeat(64)}\n`);
    const cache = new ValidDocumentCache(file);
    expect(cache.has('f'.repeat(64))).toBe(true);
    expect(cache.has('g'.repeat(64))).toBe(false);
    const none = new ValidDocumentCache(undefined);
    none.add('a'.repeat(64));
    expect(none.has('a'.repeat(64))).toBe(true); // still remembered in this process
    if (process.getuid?.() !== 0) {
      chmodSync(dir, 0o500);
      expect(() => new ValidDocumentCache(path.join(dir, 'x', 'valid')).add('b'.repeat(64))).not.toThrow();
      chmodSync(dir, 0o700);
    }
  });
});

describe('documentDigest and sourcesKey', () => {
  it('changes with the document and with the schema sources', () => {
    const dir = tmp();
    const schema = path.join(dir, 'schema.json');
    writeFileSync(schema, '{"type":"object"}');
    const k1 = sourcesKey([schema])!;
    writeFileSync(schema, '{"type":"array"}');
    const k2 = sourcesKey([schema])!;
    expect(k1).not.toBe(k2);
    const doc = { services: { web: { image: 'nginx' } } };
    expect(documentDigest(k1, doc)).toBe(documentDigest(k1, structuredClone(doc)));
    expect(documentDigest(k1, doc)).not.toBe(documentDigest(k2, doc));
    expect(documentDigest(k1, doc)).not.toBe(documentDigest(k1, { services: { web: { image: 'nginx:1' } } }));
    expect(sourcesKey([path.join(dir, 'missing.json')])).toBeUndefined();
  });
});

describe('validateAgainstSchema with the cache', () => {
  it('remembers a document that passed, never one that failed', () => {
    const file = path.join(tmp(), 'valid');
    setSchemaCacheFile(file);
    expect(validateAgainstSchema({ services: { web: { image: 'nginx' } } })).toEqual([]);
    expect(lines(file)).toHaveLength(1);
    expect(validateAgainstSchema({ services: { web: { image: 42 } } })).not.toEqual([]);
    expect(validateAgainstSchema({ services: { web: { image: 42 } } })).not.toEqual([]);
    expect(lines(file)).toHaveLength(1);
    expect(validateAgainstSchema({ services: { web: { image: 'nginx' } } })).toEqual([]);
    expect(lines(file)).toHaveLength(1);
  });

  it('answers from the cache when it knows the digest (so a second load skips ajv)', () => {
    const file = path.join(tmp(), 'valid');
    setSchemaCacheFile(file);
    const good = { services: { web: { image: 'nginx' } } };
    expect(validateAgainstSchema(good)).toEqual([]);
    // Put the digest of an invalid document in the file, as if it had passed: the cache answers.
    const key = schemaSourcesKey()!;
    expect(lines(file)).toEqual([documentDigest(key, good)]);
    const bad = { services: { web: { image: 42 } } };
    writeFileSync(file, `${documentDigest(key, bad)}\n`);
    setSchemaCacheFile(file);
    expect(validateAgainstSchema(bad)).toEqual([]);
    setSchemaCacheFile(undefined);
    expect(validateAgainstSchema(bad)).not.toEqual([]);
  });
});
