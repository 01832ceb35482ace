#!/usr/bin/env node
// Live sync benchmark against the local Docker engine. Every devenv figure is printed beside a
// baseline measured in the same run on the same container, as a ratio. Measures, never asserts.
// Run after `npx tsc -b`:  node scripts/bench/sync.mjs [--samples N] [--no-watchers]
//
//  - save → visible: host writeFile() until the container acknowledged the file in place
//    (the agent ACKs after the rename), vs one `docker cp` and one dockerode putArchive per save;
//  - storm: `git checkout` of a branch differing in 2,000 files until the container converged,
//    vs copying the whole tree once with putArchive and with `docker cp`;
//  - watcher: ready time, RSS and write → event latency on a 50,000-file tree, vs chokidar 5.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import * as tarStream from 'tar-stream';
import { makeBranchyRepo } from './sync-fixtures.mjs';
import { runWatcherCompare } from './watcher-compare.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const IMAGE = 'debian:bookworm-slim';

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tarOne(name, data) {
  const pack = tarStream.pack();
  const chunks = [];
  const done = new Promise((resolve) => {
    pack.on('data', (c) => chunks.push(c));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
  });
  pack.entry({ name, mode: 0o644 }, data);
  pack.finalize();
  return done;
}

export async function machineInfo(docker = new Docker()) {
  const v = await docker.version();
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    docker: `Docker ${v.Version} (API ${v.ApiVersion})`,
    node: process.version,
  };
}

/**
 * Runs the benchmark and returns its rows. `samples` saves per method; `watchers` false skips
 * the 50k-file watcher comparison (which generates ~100k files in the temp dir on first run).
 */
export async function runSyncBench({ samples = 40, watchers = true, log = () => {} } = {}) {
  const sync = await import(pathToFileURL(path.join(repoRoot, 'engine/dist/sync/index.js')).href);
  const { openDockerChannel } = await import(
    pathToFileURL(path.join(repoRoot, 'engine/dist/sync/docker-transport.js')).href
  );
  const docker = new Docker();
  const name = `syncdev-bench-${process.pid}`;
  const container = await docker.createContainer({
    Image: IMAGE,
    name,
    Cmd: ['sleep', 'infinity'],
    HostConfig: { Init: true },
  });
  await container.start();
  const rows = [];
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'syncdev-bench-'));
  const warnings = [];
  const reporter = { warning: (_s, m) => warnings.push(m), batch: (r) => onBatch?.(r) };
  let onBatch;
  const open = async (root, target) => {
    const session = new sync.SyncSession({
      service: 'bench',
      rule: { path: root, action: 'sync', target, ignore: [], initialSync: true },
      reporter,
    });
    const project = new sync.ProjectSync([session], { reporter });
    await project.start();
    const channel = await openDockerChannel(docker, container.id);
    await session.attach(await channel.target(target), { reconcile: true });
    return {
      session,
      project,
      close: async () => {
        await project.close();
        await channel.close();
      },
    };
  };
  try {
    // ---- save → visible ----
    log('save → visible: devenv');
    const src = path.join(work, 'src');
    fs.mkdirSync(src);
    const live = await open(src, '/bench/live');
    const ours = [];
    for (let i = 0; i < samples + 5; i++) {
      const file = path.join(src, `file${i % 10}.py`);
      const acked = new Promise((resolve) => {
        onBatch = () => resolve(performance.now());
      });
      const t0 = performance.now();
      fs.writeFileSync(file, `value = ${i}\n`.repeat(20));
      const t1 = await acked;
      if (i >= 5) ours.push(t1 - t0);
      await sleep(30);
    }
    onBatch = undefined;
    await live.close();

    log('save → visible: docker cp');
    execFileSync('docker', ['exec', name, 'mkdir', '-p', '/bench/cp', '/bench/put']);
    const cp = [];
    const one = path.join(work, 'one.py');
    for (let i = 0; i < samples; i++) {
      fs.writeFileSync(one, `value = ${i}\n`.repeat(20));
      const t0 = performance.now();
      execFileSync('docker', ['cp', one, `${name}:/bench/cp/one.py`]);
      cp.push(performance.now() - t0);
    }

    log('save → visible: putArchive');
    const put = [];
    for (let i = 0; i < samples; i++) {
      fs.writeFileSync(one, `value = ${i}\n`.repeat(20));
      const t0 = performance.now();
      await container.putArchive(await tarOne('one.py', fs.readFileSync(one)), { path: '/bench/put' });
      put.push(performance.now() - t0);
    }
    for (const [p, goal] of [
      [50, 10],
      [95, 30],
    ]) {
      rows.push({
        metric: `save → visible in container, p${p}`,
        devenv: pct(ours, p),
        unit: 'ms',
        baseline: 'docker cp',
        baselineValue: pct(cp, p),
        goal: `≤ ${goal} ms`,
      });
      rows.push({
        metric: `save → visible in container, p${p}`,
        devenv: pct(ours, p),
        unit: 'ms',
        baseline: 'dockerode putArchive',
        baselineValue: pct(put, p),
        goal: `≤ ${goal} ms`,
      });
    }

    // ---- storm ----
    log('storm: 2,000-file branch switch');
    const repo = makeBranchyRepo(path.join(work, 'repo'));
    const storm = await open(repo.root, '/bench/storm');
    let lastAck = 0;
    onBatch = () => {
      lastAck = performance.now();
    };
    const t0 = performance.now();
    repo.checkout('b');
    // Converged = no pending work and no new events for a while; the figure is the last ACK.
    let quietSince = performance.now();
    storm.project.watcher.on('changes', () => {
      quietSince = performance.now();
    });
    for (;;) {
      await storm.project.idle();
      if (performance.now() - quietSince > 500) break;
      await sleep(50);
    }
    const stormMs = lastAck - t0;
    onBatch = undefined;
    const check = await storm.session.reconcile();
    await storm.close();

    const tb = performance.now();
    const pack = await import('tar-fs');
    const tarStreamAll = pack.default.pack(repo.root, { ignore: (p) => p.includes(`${path.sep}.git`) });
    await container.putArchive(tarStreamAll, { path: '/bench' });
    const putAllMs = performance.now() - tb;
    execFileSync('docker', ['exec', name, 'mkdir', '-p', '/bench/storm-cp']);
    const tc = performance.now();
    execFileSync('docker', ['cp', `${repo.root}/.`, `${name}:/bench/storm-cp`]);
    const cpAllMs = performance.now() - tc;
    rows.push({
      metric: `storm: checkout of ${repo.differing} changed files → converged${check.sent + check.removed === 0 ? ' (verified)' : ` (NOT converged: ${check.sent + check.removed} fixed by reconcile)`}`,
      devenv: stormMs,
      unit: 'ms',
      baseline: 'putArchive of the whole tree',
      baselineValue: putAllMs,
      goal: '≤ 3000 ms',
    });
    rows.push({
      metric: 'storm (same run)',
      devenv: stormMs,
      unit: 'ms',
      baseline: 'docker cp of the whole tree',
      baselineValue: cpAllMs,
      goal: '≤ 3000 ms',
    });

    // ---- watcher ----
    if (watchers) {
      log('watchers: 50,000-file tree (generated once into the temp dir)');
      const cmp = await runWatcherCompare({ watchers: ['devenv', 'chokidar'] });
      const ours = cmp.rows.find((r) => r.kind === 'devenv');
      const theirs = cmp.rows.find((r) => r.kind === 'chokidar');
      rows.push({
        metric: `watcher ready, ${cmp.files.toLocaleString('en')} files + ${cmp.ignoredFiles.toLocaleString('en')} ignored`,
        devenv: ours.readyMs,
        unit: 'ms',
        baseline: 'chokidar 5',
        baselineValue: theirs.readyMs,
        goal: '≤ 1000 ms',
      });
      rows.push({
        metric: 'watcher RSS after ready',
        devenv: ours.rssMb,
        unit: 'MB',
        baseline: 'chokidar 5',
        baselineValue: theirs.rssMb,
        goal: '≤ 120 MB',
      });
      rows.push({
        metric: 'write → watcher event (sync starts in the same turn), p50',
        devenv: ours.eventP50Ms,
        unit: 'ms',
        baseline: 'chokidar 5',
        baselineValue: theirs.eventP50Ms,
        goal: '≤ 5 ms',
      });
    }
  } finally {
    await container.remove({ force: true }).catch(() => {});
    fs.rmSync(work, { recursive: true, force: true });
  }
  if (warnings.length) log(`warnings: ${warnings.join(' | ')}`);
  return rows;
}

export function formatSyncTable(rows, machine) {
  const fmt = (v, unit) => (unit === 'ms' && v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ${unit}`);
  const lines = [
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, ${machine.docker}, Node ${machine.node}`,
    '',
    '| metric | devenv | baseline | baseline value | ratio (baseline ÷ devenv) | goal |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.metric} | ${fmt(r.devenv, r.unit)} | ${r.baseline} | ${fmt(r.baselineValue, r.unit)} | ${(r.baselineValue / r.devenv).toFixed(1)}× | ${r.goal} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--samples');
  const samples = i > 0 ? Number(process.argv[i + 1]) : 40;
  const machine = await machineInfo();
  const rows = await runSyncBench({
    samples,
    watchers: !process.argv.includes('--no-watchers'),
    log: (m) => console.error(`… ${m}`),
  });
  console.log(formatSyncTable(rows, machine));
}
