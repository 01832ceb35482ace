// docs/ci.md's GitHub Actions example is the job the project's own workflow runs: the two must
// not drift apart.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

describe('docs/ci.md', () => {
  it('shows the devenv-ci job of .github/workflows/ci.yml as it is', () => {
    const doc = readFileSync(path.join(root, 'docs', 'ci.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## GitHub Actions'));
    // A fence of three or more backticks (more when the block itself holds three).
    const block = /(`{3,})yaml\n([\s\S]*?)\n\1\n/.exec(section)?.[2];
    expect(block).toBeDefined();
    const shown = { jobs: parse(block ?? '') as Record<string, unknown> };
    const workflow = parse(readFileSync(path.join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
      jobs: Record<string, unknown>;
    };
    expect(Object.keys(shown.jobs)).toEqual(['devenv-ci']);
    expect(shown.jobs['devenv-ci']).toEqual(workflow.jobs['devenv-ci']);
  });
});
