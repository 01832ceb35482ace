#!/usr/bin/env node
// Compares file watchers on a generated 50,000-file tree with a 50,000-file ignored
// node_modules: chokidar 5, @parcel/watcher, Node's recursive fs.watch, and devenv's own
// per-directory watcher (engine/dist/sync). Each runs in its own process so its RSS is its
// own. Run after `npx tsc -b`:  node scripts/bench/watcher-compare.mjs [--files N]
//
// Figures: ready = start() until the watcher says it is watching (for fs.watch(recursive),
// until a probe file in the deepest directory is reported); RSS after ready; event latency =
// writeFile() → callback, median of 20 probes.

import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeBigTree, probeDir } from './sync-fixtures.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
export const WATCHERS = ['devenv', 'parcel', 'fs.watch-recursive', 'chokidar'];
const isIgnored = (p) => p.includes('/node_modules') || p.includes('/.git');

async function child(kind, root) {
  const started = performance.now();
  const seen = new Map();
  const onPath = (p) => {
    if (!seen.has(p)) seen.set(p, performance.now());
  };
  let close = async () => {};
  if (kind === 'devenv') {
    const { ProjectWatcher, IgnoreMatcher } = await import(
      pathToFileURL(path.join(repoRoot, 'engine/dist/sync/index.js')).href
    );
    const w = new ProjectWatcher([{ path: root, filter: new IgnoreMatcher(root) }]);
    w.on('changes', (c) => {
      for (const p of c.paths) onPath(p);
    });
    await w.start();
    close = () => w.close();
  } else if (kind === 'chokidar') {
    const chokidar = await import('chokidar');
    const w = chokidar.watch(root, { ignored: isIgnored, ignoreInitial: true });
    w.on('all', (_e, p) => onPath(p));
    await new Promise((r) => w.on('ready', r));
    close = () => w.close();
  } else if (kind === 'parcel') {
    const parcel = await import('@parcel/watcher');
    const sub = await parcel.subscribe(
      root,
      (err, events) => {
        if (!err) for (const e of events) onPath(e.path);
      },
      { ignore: ['node_modules', '.git'] },
    );
    close = () => sub.unsubscribe();
  } else if (kind === 'fs.watch-recursive') {
    const w = fs.watch(root, { recursive: true }, (_e, name) => name && onPath(path.join(root, name.toString())));
    // Node 20 sets up recursive watches on Linux asynchronously: ready is when a probe is seen.
    const probe = path.join(probeDir(root), 'ready-probe.txt');
    for (;;) {
      fs.writeFileSync(probe, String(Math.random()));
      await new Promise((r) => setTimeout(r, 5));
      if (seen.has(probe)) break;
    }
    close = async () => w.close();
  }
  const readyMs = performance.now() - started;
  if (global.gc) global.gc();
  await new Promise((r) => setTimeout(r, 200));
  const rssMb = process.memoryUsage().rss / 1024 / 1024;
  const latencies = [];
  for (let i = 0; i < 20; i++) {
    const file = path.join(probeDir(root), `probe-${kind}-${i}.txt`);
    const t0 = performance.now();
    fs.writeFileSync(file, String(i));
    while (!seen.has(file)) await new Promise((r) => setImmediate(r));
    latencies.push(seen.get(file) - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  await close();
  for (let i = 0; i < 20; i++) fs.rmSync(path.join(probeDir(root), `probe-${kind}-${i}.txt`), { force: true });
  latencies.sort((a, b) => a - b);
  return { kind, readyMs, rssMb, eventP50Ms: latencies[10], eventMaxMs: latencies[19] };
}

/** Runs one watcher in a fresh Node process and returns its figures. */
export function measureWatcher(kind, root, timeoutMs = 120_000) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), '--child', kind, root], {
      stdio: ['ignore', 'pipe', 'inherit'],
      cwd: repoRoot,
    });
    let out = '';
    p.stdout.on('data', (d) => {
      out += d;
    });
    const t = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('close', (code) => {
      clearTimeout(t);
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`${kind} watcher run failed (exit ${code}): ${out}`));
      }
    });
  });
}

/** Generates the tree (or reuses one) and measures every watcher on it. */
export async function runWatcherCompare({ files = 50_000, ignoredFiles = 50_000, dir, watchers = WATCHERS } = {}) {
  const root = dir ?? path.join(os.tmpdir(), `devenv-watch-bench-${files}-${ignoredFiles}`);
  if (!fs.existsSync(path.join(root, '.complete'))) {
    fs.rmSync(root, { recursive: true, force: true });
    makeBigTree(root, { files, ignoredFiles });
    fs.writeFileSync(path.join(root, '.complete'), '');
  }
  // Cold caches would measure the disk, not the watcher: walk once first.
  execFileSync('find', [root, '-type', 'f'], { stdio: 'ignore', maxBuffer: 1 << 28 });
  const rows = [];
  for (const kind of watchers) rows.push(await measureWatcher(kind, root));
  return { root, files, ignoredFiles, rows };
}

export function formatWatcherTable({ files, ignoredFiles, rows }) {
  const lines = [
    `Watchers on ${files.toLocaleString('en')} files + ${ignoredFiles.toLocaleString('en')} ignored (node_modules); ${os.cpus().length} cores, Node ${process.version}`,
    '',
    '| watcher | ready | RSS | event latency p50 / max |',
    '| --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.kind} | ${(r.readyMs / 1000).toFixed(2)} s | ${r.rssMb.toFixed(0)} MB | ${r.eventP50Ms.toFixed(2)} / ${r.eventMaxMs.toFixed(2)} ms |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[2] === '--child') {
  const result = await child(process.argv[3], process.argv[4]);
  console.log(JSON.stringify(result));
  process.exit(0);
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--files');
  const files = i > 0 ? Number(process.argv[i + 1]) : 50_000;
  const result = await runWatcherCompare({ files, ignoredFiles: files });
  console.log(formatWatcherTable(result));
}
