#!/usr/bin/env node
// `npm run bench`: every figure beside a baseline measured in the same run, as a ratio, with
// the machine noted. Speed is measured here, never asserted in tests.
// Sections: core `up` vs docker-compose 1.29, daemon (status latency, idle cost), live sync and
// the watcher. `node scripts/bench.mjs core sync` runs only the named sections.

import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const log = (m) => process.stderr.write(`… ${m}\n`);

const sections = {
  core: async () => (await import('./bench/core-up.mjs')).runCoreUpBench({ log }),
  daemon: async () => (await import('./bench/daemon.mjs')).runDaemonBench({ log }),
  sync: async () => ({ rows: await (await import('./bench/sync.mjs')).runSyncBench({ log }) }),
};

function machine() {
  const docker = spawnSync('docker', ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'], {
    encoding: 'utf8',
  });
  return [
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`,
    `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    `${os.type()} ${os.release()}`,
    `Node ${process.version}`,
    docker.status === 0 ? `Docker ${docker.stdout.trim()}` : 'no Docker engine',
  ].join(', ');
}

const fmt = (v, unit) => {
  if (unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(1)} ms`;
  return `${v.toFixed(1)} ${unit}`;
};

const wanted = process.argv.slice(2);
const names = wanted.length > 0 ? wanted : Object.keys(sections);
const out = [`# devenv bench, ${new Date().toISOString()}`, '', `Machine: ${machine()}`, ''];
out.push('| section | metric | devenv | baseline | baseline value | devenv ÷ baseline | goal |');
out.push('| --- | --- | --- | --- | --- | --- | --- |');
const notes = [];
for (const name of names) {
  const run = sections[name];
  if (!run) {
    notes.push(`unknown section ${name} (known: ${Object.keys(sections).join(', ')})`);
    continue;
  }
  log(`section ${name}`);
  try {
    const result = await run();
    if (result.skipped) {
      notes.push(`${name}: not measured: ${result.skipped}`);
      continue;
    }
    for (const r of result.rows) {
      out.push(
        `| ${name} | ${r.metric} | ${fmt(r.devenv, r.unit)} | ${r.baseline} | ${fmt(r.baselineValue, r.unit)} | ${(r.devenv / r.baselineValue).toFixed(2)} | ${r.goal ?? ''} |`,
      );
    }
    for (const f of result.facts ?? []) notes.push(`${name}: ${f}`);
    if (result.note) notes.push(`${name}: ${result.note}`);
  } catch (err) {
    notes.push(`${name}: failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}
if (notes.length) out.push('', ...notes.map((n) => `- ${n}`));
console.log(out.join('\n'));
void here;
