#!/usr/bin/env node
// `npm run bench`: every figure beside a baseline measured in the same run, as a ratio, with
// the machine noted. Speed is measured here, never asserted in tests.
// Sections: core `up` vs docker-compose 1.29, daemon (status latency, idle cost), live sync and
// the watcher, a plain Compose stack nobody tuned (up, PID-1 restarts, Flask and Django
// reloads), debuggers, the TUI, the VS Code extension (F5 in a real code-server), Kubernetes
// (only where a cluster runs).
// `node scripts/bench.mjs core sync` runs only the named sections.

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
  live: async () => (await import('./bench/live.mjs')).runLiveBench({ log }),
  untuned: async () => (await import('./bench/untuned.mjs')).runUntunedBench({ log }),
  debug: async () => {
    const r = await (await import('./bench/debug.mjs')).runDebugBench({ log });
    const rows = [];
    for (const [kind, label] of [
      ['python', 'backend (debugpy)'],
      ['node', 'frontend (node --inspect)'],
    ]) {
      const x = r[kind];
      if (!x?.start) continue;
      rows.push(
        {
          metric: `${label}: start → app answers, under the debugger`,
          unit: 'ms',
          devenv: x.start.debugAppMs,
          baseline: 'same start, no debugger',
          baselineValue: x.start.baselineAppMs,
        },
        {
          metric: `${label}: start → debugger attachable`,
          unit: 'ms',
          devenv: x.start.debuggerAttachableMs,
          baseline: 'start → app answers, no debugger',
          baselineValue: x.start.baselineAppMs,
        },
        {
          metric: `${label}: HTTP request → breakpoint event`,
          unit: 'ms',
          devenv: x.request.breakpointEventMs,
          baseline: 'the same request, no debugger',
          baselineValue: x.request.baselineMs,
        },
      );
    }
    return { rows, note: `medians of ${r.samples} container starts` };
  },
  tui: async () => {
    const r = await (await import('./bench/tui.mjs')).runTuiBench({ log });
    return {
      rows: [
        {
          metric: 'TUI client CPU, 1,000 log lines/s (% of one core)',
          unit: '%',
          devenv: r.tui.cpuPct,
          baseline: 'plain `--no-tui` client',
          baselineValue: r.plain.cpuPct,
        },
        {
          metric: 'TUI client RSS (mean), 1,000 log lines/s',
          unit: 'MB',
          devenv: r.tui.rssMb,
          baseline: 'plain `--no-tui` client',
          baselineValue: r.plain.rssMb,
        },
      ],
      facts: [`key → on screen under that load: p50 ${r.tui.keyP50Ms} ms, max ${r.tui.keyMaxMs} ms`],
    };
  },
  extension: async () => (await import('./bench/extension.mjs')).runExtensionBench({ log }),
  kubernetes: async () => {
    const { kubernetesBench } = await import('../engine/dist/runtimes/kubernetes/index.js');
    const rows = await kubernetesBench({});
    const measured = rows.filter((r) => r.status !== 'not-measured');
    return {
      rows: [],
      facts: rows.map((r) =>
        r.status === 'not-measured'
          ? `${r.name}${r.goal ? ` (goal ${r.goal})` : ''}: ${r.note}`
          : `${r.name}: ${JSON.stringify(r)}`,
      ),
      note: measured.length === 0 ? 'cluster timings are measured only where a cluster runs' : undefined,
    };
  },
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
