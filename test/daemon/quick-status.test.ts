// `devenv status` answers from a running daemon through the bundled quick path
// (cli/dist/quick.cjs, see cli/src/quick.ts) with exactly what the full CLI prints, and hands
// over to the full CLI whenever it cannot answer: no daemon, no project, anything it does not parse.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devenv, repoRoot } from '../helpers/cli.js';

const quickBundle = join(repoRoot, 'cli', 'dist', 'quick.cjs');
const fullMain = join(repoRoot, 'cli', 'dist', 'main.js');
const { quickBundle: quickBundleFor } = createRequire(import.meta.url)(
  join(repoRoot, 'cli', 'bin', 'quick-path.js'),
) as {
  quickBundle(dist: string): string | undefined;
};

interface Ran {
  /** quick(): its result ('undefined' when it hands over); main(): the exit code it set. */
  result: string;
  stdout: string;
}

/** One of the two paths, alone, in a child process. */
function run(path: 'quick' | 'full', argv: string[], opts: { env: Record<string, string>; cwd?: string }): Ran {
  const call =
    path === 'quick'
      ? `require(${JSON.stringify(quickBundle)}).quick(${JSON.stringify(argv)})`
      : `import(${JSON.stringify(`file://${fullMain}`)}).then((m) => m.main(${JSON.stringify(argv)})).then(() => process.exitCode ?? 0)`;
  const r = spawnSync(
    process.execPath,
    ['-e', `${call}.then((c) => { process.stderr.write('\\nresult=' + String(c)); process.exit(0); })`],
    { cwd: opts.cwd ?? repoRoot, env: { ...process.env, NO_COLOR: '1', ...opts.env }, encoding: 'utf8' },
  );
  expect(r.status, r.stderr).toBe(0);
  return { result: /result=(.*)$/.exec(r.stderr)?.[1] ?? `no result in: ${r.stderr}`, stdout: r.stdout };
}

describe('devenv status through the quick path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'devenv-quick-'));
  const file = join(dir, 'compose.yaml');
  writeFileSync(
    file,
    'name: quicktest\nservices:\n  idle:\n    restart: "no"\n    x-devenv:\n      process:\n        command: ["sleep", "300"]\n',
  );
  const env = { DEVENV_SOCKET_DIR: join(dir, 'sockets'), DEVENV_STATE_DIR: join(dir, 'state') };
  const args = ['-f', file, '-p', 'quicktest', '--runtime', 'process'];

  beforeAll(async () => {
    // The build made the bundle from the tsc output; bin/devenv.js ignores a bundle older than that.
    expect(statSync(quickBundle).mtimeMs).toBeGreaterThanOrEqual(
      statSync(join(repoRoot, 'cli', 'dist', 'quick.js')).mtimeMs,
    );
  });

  afterAll(async () => {
    await devenv([...args, 'down'], { env });
  });

  it('hands over when no daemon runs, and the full CLI answers from the runtime', async () => {
    expect(run('quick', [...args, 'status', '--json'], { env }).result).toBe('undefined');
    const r = await devenv([...args, 'status', '--json'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).project).toBe('quicktest');
  });

  it('answers from the daemon with what the full CLI prints, table and JSON, every spelling', async () => {
    const up = await devenv([...args, 'up', '--detach'], { env });
    expect(up.code, up.stderr).toBe(0);
    for (const argv of [
      [...args, 'status'],
      [...args, 'status', '--json'],
      [`--file=${file}`, '--project-name=quicktest', 'ps', '--json'],
    ]) {
      const quick = run('quick', argv, { env });
      const full = run('full', argv, { env });
      expect(quick.result, argv.join(' ')).toBe('0');
      expect(full.result).toBe('0');
      expect(quick.stdout).toBe(full.stdout);
    }
    const status = JSON.parse(run('quick', [...args, 'status', '--json'], { env }).stdout);
    expect(status.services.map((s: { name: string; state: string }) => [s.name, s.state])).toEqual([
      ['idle', 'running'],
    ]);
    // From the project directory, no flags: the project is found the same way.
    const here = run('quick', ['status', '--json'], { env, cwd: dir });
    expect(here.result).toBe('0');
    expect(JSON.parse(here.stdout).project).toBe(
      JSON.parse(run('full', ['status', '--json'], { env, cwd: dir }).stdout).project,
    );
  });

  it('hands anything it does not parse to the full CLI, which reports it', async () => {
    expect(run('quick', [...args, 'status', '--bogus'], { env }).result).toBe('undefined');
    const r = await devenv([...args, 'status', '--bogus'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unknown option '--bogus'");
    expect(run('quick', ['status'], { env, cwd: tmpdir() }).result).toBe('undefined');
    const none = await devenv(['status'], { env, cwd: tmpdir() });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no compose.yaml');
    expect(none.stderr).not.toContain('    at ');
  });
});

describe('the bin uses the bundle only while it is newer than everything it was made from', () => {
  it('skips a bundle that is missing, has no input list, or is older than one input (a bare tsc -b)', () => {
    const dist = mkdtempSync(join(tmpdir(), 'devenv-quick-dist-'));
    mkdirSync(join(dist, 'output'));
    const old = new Date(Date.now() - 60_000);
    for (const f of ['quick.js', 'output/table.js']) {
      writeFileSync(join(dist, f), '');
      utimesSync(join(dist, f), old, old);
    }
    expect(quickBundleFor(dist)).toBeUndefined(); // no bundle
    writeFileSync(join(dist, 'quick.cjs'), '');
    expect(quickBundleFor(dist)).toBeUndefined(); // no input list
    writeFileSync(join(dist, 'quick.inputs.json'), JSON.stringify(['quick.js', 'output/table.js']));
    expect(quickBundleFor(dist)).toBe(join(dist, 'quick.cjs'));
    utimesSync(join(dist, 'output/table.js'), new Date(), new Date(Date.now() + 5_000)); // rewritten by tsc
    expect(quickBundleFor(dist)).toBeUndefined();
  });
});
