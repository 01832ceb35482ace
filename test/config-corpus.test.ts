// The config loader against the fixture corpus: every broken config must fail with its code at
// its exact line and column, with a hint; every good config must load into the expected spec.
// See test/fixtures/broken/README.md for the expect.json format.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type LoadOptions, type LoadResult, loadProject } from '../engine/src/config/index.js';
import { type Problem, UserError } from '../engine/src/errors.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const brokenDir = join(fixtures, 'broken');
const goodDir = join(fixtures, 'config');

function scenarios(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory())
    .sort();
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

interface BrokenExpectation {
  description: string;
  code: string;
  file: string;
  line: number;
  col: number;
  hintIncludes: string;
  warning?: boolean;
  exitCode?: number;
}

/** Loads with the folder as cwd and an environment holding only HOME, as the README prescribes. */
async function outcome(dir: string): Promise<{ errors: Problem[]; warnings: Problem[] }> {
  try {
    const result = await loadProject({ cwd: dir, env: { HOME: '/home/devenv' } });
    return { errors: [], warnings: result.warnings };
  } catch (error) {
    if (error instanceof UserError) return { errors: error.problems, warnings: [] };
    throw error;
  }
}

describe('broken configs', () => {
  const names = scenarios(brokenDir);

  it('has at least 30 scenarios', () => {
    expect(names.length).toBeGreaterThanOrEqual(30);
  });

  it.each(names)('%s', async (name) => {
    const dir = join(brokenDir, name);
    const expected = readJson<BrokenExpectation>(join(dir, 'expect.json'));
    const { errors, warnings } = await outcome(dir);
    const reported = expected.warning ? warnings : errors;
    if (expected.warning) expect(errors).toEqual([]);
    else expect(expected.exitCode).toBe(1);
    expect(reported.length, JSON.stringify(reported, null, 2)).toBe(1);
    const [problem] = reported as [Problem];
    expect(problem.code).toBe(expected.code);
    expect(problem.location, problem.message).toBeDefined();
    expect({
      file: relative(dir, problem.location?.file ?? ''),
      line: problem.location?.line,
      col: problem.location?.col,
    }).toEqual({ file: expected.file, line: expected.line, col: expected.col });
    expect(problem.message.length).toBeGreaterThan(10);
    expect(problem.hint).toContain(expected.hintIncludes);
    expect(problem.message).not.toMatch(/\n\s+at /);
  });
});

interface GoodExpectation {
  project: Record<string, unknown>;
  /** Dotted paths into {project, serviceNames, disabledServiceNames, resolvedServiceNames}, compared exactly. */
  exact?: Record<string, unknown>;
  warnings: string[];
}

function withDir(value: unknown, dir: string): unknown {
  if (typeof value === 'string') return value.replaceAll('<dir>', dir);
  if (Array.isArray(value)) return value.map((v) => withDir(v, dir));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withDir(v, dir)]));
  }
  return value;
}

function at(root: unknown, dotted: string): unknown {
  return dotted.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], root);
}

describe('good configs', () => {
  it.each(scenarios(goodDir))('%s', async (name) => {
    const dir = join(goodDir, name);
    const options = readJson<LoadOptions>(join(dir, 'options.json'));
    const expected = withDir(readJson<GoodExpectation>(join(dir, 'expected.json')), dir) as GoodExpectation;
    const result: LoadResult = await loadProject({
      ...options,
      cwd: dir,
      env: { HOME: '/home/devenv', ...options.env },
    });
    expect(result.project).toMatchObject(expected.project);
    const view = {
      project: result.project,
      serviceNames: Object.keys(result.project.services),
      disabledServiceNames: Object.keys(result.project.disabledServices ?? {}),
      resolvedServiceNames: Object.keys(result.resolved.services as Record<string, unknown>),
    };
    for (const [path, value] of Object.entries(expected.exact ?? {})) expect(at(view, path), path).toEqual(value);
    expect(result.warnings.map((w) => w.code)).toEqual(expected.warnings);
    expect(result.project.projectDir).toBe(dir);
  });
});
