#!/usr/bin/env node
// Save a backend route → the running backend (uvicorn --reload, under debugpy) serves the new
// code, on the reference stack on Docker, through devenv's live sync; beside the same edit
// delivered by `docker cp` into the container (the reload is the same, only the delivery
// differs). Runs on a private copy of the stack. Measures, never asserts.

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
  const modes = [
    { name: 'under debugpy', upArgs: [] },
    { name: 'no debugger (`up --no-debug`)', upArgs: ['--no-debug'] },
  ];
  const rows = [];
  try {
    for (const mode of modes) {
      log(`bringing the reference stack up on Docker (a private copy), ${mode.name}`);
      const up = spawnSync(process.execPath, [cli, ...args, 'up', '--detach', ...mode.upArgs], {
        env,
        encoding: 'utf8',
      });
      if (up.status !== 0) throw new Error(`up failed: ${up.stderr}`);
      const container = spawnSync('docker', ['ps', '-q', '--filter', `name=${PROJECT}-backend-1`], {
        encoding: 'utf8',
      }).stdout.trim();
      const synced = [];
      const copied = [];
      for (let i = 0; i < samples; i++) {
        log(`${mode.name}: sample ${i + 1}/${samples}`);
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
      rows.push({
        metric: `save a backend .py → the backend serves the new code (p50), ${mode.name}`,
        unit: 'ms',
        devenv: median(synced),
        baseline: '`docker cp` of the same file, same reload',
        baselineValue: median(copied),
        goal: '≤ 1 s p50',
      });
    }
    return {
      rows,
      note: `medians of ${samples} edits per mode; uvicorn --reload restarts its server process on each edit (under debugpy, a new debugged process)`,
    };
  } finally {
    writeFileSync(routes, original);
    spawnSync(process.execPath, [cli, ...args, 'down', '--volumes'], { env });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runLiveBench({ log: (m) => console.error(`… ${m}`) }), null, 2));
}
