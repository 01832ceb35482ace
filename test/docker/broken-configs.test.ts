// Every broken config in the corpus, through the real CLI and daemon: `devenv up` exits 1,
// names file:line:col with a hint, prints no stack trace, creates no container, and leaves no
// daemon behind. Warning-only scenarios load, and `devenv config` shows the warning.

import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';
import { dockerAvailable, projectContainers } from '../helpers/docker.js';
import { waitUntil } from '../helpers/wait.js';

const brokenDir = join(repoRoot, 'test', 'fixtures', 'broken');
const scenarios = readdirSync(brokenDir)
  .filter((n) => statSync(join(brokenDir, n)).isDirectory())
  .sort();
const haveDocker = dockerAvailable();

interface Expectation {
  code: string;
  file: string;
  line: number;
  col: number;
  hintIncludes: string;
  warning?: boolean;
  exitCode?: number;
}

const expectation = (name: string) =>
  JSON.parse(readFileSync(join(brokenDir, name, 'expect.json'), 'utf8')) as Expectation;

// As the corpus README prescribes: no variables from the caller but HOME (and PATH to run node).
const baseEnv = (stateDir: string) => ({ HOME: '/home/devenv', PATH: process.env.PATH, DEVENV_STATE_DIR: stateDir });

describe.skipIf(!haveDocker)('broken configs through `devenv up` (needs a Docker engine)', () => {
  const errors = scenarios.filter((n) => !expectation(n).warning);
  it('covers at least 25 scenarios', () => {
    expect(errors.length).toBeGreaterThanOrEqual(25);
  });

  it.concurrent.each(errors)('%s: exit 1 with file:line:col and a hint, nothing started', async (name) => {
    const e = expectation(name);
    const dir = join(brokenDir, name);
    const stateDir = mkdtempSync(join(tmpdir(), `devenv-broken-${name}-`));
    const socketDir = mkdtempSync(join(tmpdir(), 'devenv-sock-'));
    const r = await devenv(['up', '--detach'], {
      cwd: dir,
      env: { ...baseEnv(stateDir), DEVENV_SOCKET_DIR: socketDir },
    });
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(e.exitCode ?? 1);
    expect(r.stderr).toContain(`${e.file}:${e.line}:${e.col}: error:`);
    expect(r.stderr).toContain(e.code);
    expect(r.stderr).toMatch(/hint: .+/);
    expect(r.stderr).toContain(e.hintIncludes);
    expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+\)?\n/); // no stack trace
    expect(projectContainers(name)).toEqual([]);
    // The daemon it started had nothing to run and went away (closing its socket removes it).
    await waitUntil('the daemon to exit', () => readdirSync(socketDir).every((f) => !f.endsWith('.sock')), {
      timeoutMs: 10_000,
    });
    expect(readFileSync(join(stateDir, 'daemon.log'), 'utf8')).toContain('exiting: nothing runs');
  });
});

describe('warning-only configs', () => {
  const warnings = scenarios.filter((n) => expectation(n).warning);
  it.each(warnings)('%s: `devenv config` succeeds and shows the warning at its position', async (name) => {
    const e = expectation(name);
    const r = await devenv(['config'], {
      cwd: join(brokenDir, name),
      env: baseEnv(mkdtempSync(join(tmpdir(), 'devenv-warn-'))),
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`${e.file}:${e.line}:${e.col}: warning:`);
    expect(r.stderr).toContain(e.code);
  });
});
