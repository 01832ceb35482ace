import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderKeyTables, withKeyTables, withoutTablePadding } from './compose-keys-docs.js';

const docsPath = new URL('../../../docs/config.md', import.meta.url);

describe('docs/config.md', () => {
  it('holds the key tables generated from compose-keys.ts (run `npm run docs:keys` after changing the table)', () => {
    const doc = readFileSync(docsPath, 'utf8');
    const updated = withKeyTables(doc);
    expect(updated, 'docs/config.md has lost its compose-keys markers').toBeDefined();
    const same = withoutTablePadding(doc) === withoutTablePadding(updated ?? '');
    expect(same, 'docs/config.md is out of date: run `npm run docs:keys`').toBe(true);
  });

  it('renders every state in words a reader can act on', () => {
    const text = renderKeyTables();
    expect(text).toContain('| `cap_add` | yes | **refused**: a host process has the capabilities');
    expect(text).toContain('To do: use the Docker runtime for this service: `devenv --runtime docker up`');
    expect(text).toContain('| `annotations` | yes: annotations of the container (Docker API ≥ 1.43)');
  });
});
