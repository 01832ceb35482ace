// The workflow's `checks` job runs one script, the same one anyone runs here, and every command
// in it can run: a `tsc -p` names a directory with a tsconfig (the job once ran `npx tsc -p
// test/kubernetes`, which has none), a script exists and is executable.

import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repo = path.resolve(__dirname, '../..');

describe('.github/workflows/kubernetes.yml', () => {
  const workflow = parse(readFileSync(path.join(repo, '.github/workflows/kubernetes.yml'), 'utf8')) as {
    jobs: Record<string, { steps: { run?: string }[] }>;
  };
  const runs = workflow.jobs.checks!.steps.flatMap((s) => (s.run ? [s.run.trim()] : []));
  const script = readFileSync(path.join(repo, 'scripts/kubernetes-checks.sh'), 'utf8');

  it('checks: installs, builds, then runs scripts/kubernetes-checks.sh', () => {
    expect(runs).toEqual(['npm ci', 'npm run build', 'scripts/kubernetes-checks.sh']);
    accessSync(path.join(repo, 'scripts/kubernetes-checks.sh'), constants.X_OK);
  });

  it('every `tsc -p` of the job names a project that exists', () => {
    const projects = [...[...runs, script].join('\n').matchAll(/tsc -p (\S+)/g)].map((m) => m[1]!);
    expect(projects.length).toBeGreaterThan(0);
    for (const p of projects) {
      const file = p.endsWith('.json') ? p : path.join(p, 'tsconfig.json');
      expect(existsSync(path.join(repo, file)), file).toBe(true);
    }
  });

  it('every script the job and the checks script call exists', () => {
    for (const m of [...runs, script].join('\n').matchAll(/(?:^|\s)(scripts\/[\w.-]+)/gm)) {
      expect(existsSync(path.join(repo, m[1]!)), m[1]).toBe(true);
    }
  });
});
