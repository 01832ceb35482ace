#!/usr/bin/env node
// Save a backend route → the running backend (uvicorn --reload) serves the new code, on the
// reference stack on Docker, with and without debugpy. devenv: its live sync delivers the file and
// its fork reloader reloads. Baselines from the same run: what a Compose user has today (the file
// delivered by `docker cp`, uvicorn's own reloader), and uvicorn's own reloader behind devenv's
// sync (the reloader's share alone). Runs on a private copy of the stack. Measures, never asserts.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const cli = path.join(repoRoot, 'cli', 'bin', 'devenv.js');
const PROJECT = 'devenvbench-live';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function servedWithin(marker, timeoutMs = 30_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    try {
      const r = await fetch('http://127.0.0.1:8000/api/health', { signal: AbortSignal.timeout(2000) });
      if ((await r.text()).includes(marker)) return performance.now() - t0;
    } catch {
      // reloading: the server is down for a moment
    }
    await sleep(20);
  }
  throw new Error(`the backend did not serve ${marker} within ${timeoutMs} ms`);
}

export async function runLiveBench({ samples = 5, log = () => {} } = {}) {
  const root = mkdtempSync(path.join(tmpdir(), 'devenv-bench-live-'));
  cpSync(path.join(repoRoot, 'compose', 'reference'), path.join(root, 'compose', 'reference'), {
    recursive: true,
    filter: (s) => !s.includes('.devenv'),
  });
  cpSync(path.join(repoRoot, 'example'), path.join(root, 'example'), {
    recursive: true,
    filter: (s) => !/\/(node_modules|__pycache__|\.devenv)(\/|$)/.test(s),
  });
  const files = ['-f', path.join(root, 'compose', 'reference', 'compose.yaml')];
  const env = { ...process.env, NO_COLOR: '1', DEVENV_STATE_DIR: path.join(root, 'state') };
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout.trim();
  if (cafile && cafile !== 'null' && cafile !== 'undefined') {
    files.push('-f', path.join(root, 'compose', 'reference', 'compose.host-ca.yaml'));
    env.HOST_CA_BUNDLE = cafile;
  }
  const args = [...files, '-p', PROJECT, '--runtime', 'docker'];
  const routes = path.join(root, 'example', 'backend', 'app', 'routes.py');
  const original = readFileSync(routes, 'utf8');
  const variant = (marker) =>
    original.replace(
      'body = {"status": "ok" if healthy else "degraded", **checks}',
      `body = {"status": "ok" if healthy else "degraded", "mark": "${marker}", **checks}`,
    );
  // uvicorn's own reloader: the same stack with `x-devenv.reload: native` for the backend.
  const nativeFile = path.join(root, 'compose', 'reference', 'compose.native-reload.yaml');
  writeFileSync(nativeFile, 'services:\n  backend:\n    x-devenv:\n      reload: native\n');
  const debugModes = [
    { name: 'under debugpy', upArgs: [] },
    { name: 'no debugger (`up --no-debug`)', upArgs: ['--no-debug'] },
  ];
  const rows = [];
  const figures = [];

  /** Bring the stack up (fork or native reloader), time `samples` edits by sync and by `docker cp`. */
  async function measure(upArgs, native, label) {
    const stackArgs = native ? [...files, '-f', nativeFile, '-p', PROJECT, '--runtime', 'docker'] : args;
    log(`bringing the reference stack up on Docker (a private copy), ${label}`);
    const up = spawnSync(process.execPath, [cli, ...stackArgs, 'up', '--detach', ...upArgs], { env, encoding: 'utf8' });
    if (up.status !== 0) throw new Error(`up failed: ${up.stderr}`);
    const container = spawnSync('docker', ['ps', '-q', '--filter', `name=${PROJECT}-backend-1`], {
      encoding: 'utf8',
    }).stdout.trim();
    const synced = [];
    const copied = [];
    for (let i = 0; i < samples; i++) {
      log(`${label}: sample ${i + 1}/${samples}`);
      const a = `sync${i}x${Date.now()}`;
      writeFileSync(routes, variant(a));
      synced.push(await servedWithin(a));
      await sleep(1500);
      const b = `cp${i}x${Date.now()}`;
      const tmp = path.join(root, 'routes.py');
      writeFileSync(tmp, variant(b));
      const t0 = performance.now();
      spawnSync('docker', ['cp', tmp, `${container}:/app/app/routes.py`]);
      copied.push(performance.now() - t0 + (await servedWithin(b)));
      await sleep(1500);
    }
    return { synced: median(synced), copied: median(copied) };
  }

  try {
    for (const mode of debugModes) {
      const fork = await measure(mode.upArgs, false, `${mode.name}, devenv's fork reloader`);
      const own = await measure(mode.upArgs, true, `${mode.name}, uvicorn's own reloader`);
      figures.push(
        `${mode.name}: fork reloader ${Math.round(fork.synced)} ms by sync / ${Math.round(fork.copied)} ms by docker cp; uvicorn's own ${Math.round(own.synced)} ms by sync / ${Math.round(own.copied)} ms by docker cp`,
      );
      rows.push({
        metric: `save a backend .py → the backend serves the new code (p50), ${mode.name}`,
        unit: 'ms',
        devenv: fork.synced,
        baseline: "`docker cp` of the same file + uvicorn's own --reload (what Compose users have)",
        baselineValue: own.copied,
        goal: '≤ 1 s p50',
      });
      rows.push({
        metric: `the reloader's share, ${mode.name}: devenv's fork reloader vs uvicorn's own, both behind devenv's sync`,
        unit: 'ms',
        devenv: fork.synced,
        baseline: "uvicorn's own --reload, same sync",
        baselineValue: own.synced,
      });
    }
    return {
      rows,
      note: `medians of ${samples} edits per mode; ${figures.join('; ')}. uvicorn's own --reload starts a new interpreter per edit (under debugpy, a new debugged one); the fork reloader forks one with the libraries already imported`,
    };
  } finally {
    writeFileSync(routes, original);
    spawnSync(process.execPath, [cli, ...args, 'down', '--volumes'], { env });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runLiveBench({ log: (m) => console.error(`… ${m}`) }), null, 2));
}
