import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { declaredVolumes } from './declared-volumes.js';

describe('declaredVolumes', () => {
  it('names the non-external top-level volumes as the Docker runtime does, over merged files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devenv-volumes-'));
    const a = join(dir, 'compose.yaml');
    const b = join(dir, 'compose.override.yaml');
    writeFileSync(a, 'services: {}\nvolumes:\n  pgdata:\n  shared:\n    external: true\n  cache: {}\n');
    writeFileSync(b, 'volumes:\n  cache:\n    external: true\n');
    expect(declaredVolumes([a], 'shop')).toEqual(['shop_cache', 'shop_pgdata']);
    expect(declaredVolumes([a, b], 'shop')).toEqual(['shop_pgdata']);
  });

  it('is empty without volumes and undefined when a file cannot be read', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devenv-volumes-'));
    const a = join(dir, 'compose.yaml');
    writeFileSync(a, 'services: {}\n');
    expect(declaredVolumes([a], 'shop')).toEqual([]);
    expect(declaredVolumes([join(dir, 'missing.yaml')], 'shop')).toBeUndefined();
  });
});
