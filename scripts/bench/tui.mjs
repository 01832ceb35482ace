#!/usr/bin/env node
// TUI benchmark: CPU and memory of the `devenv up` client while a service prints 1,000 log
// lines a second, the TUI beside the same stream printed as plain lines (`--no-tui`), both in
// the same real terminal (tmux), as ratios. Also how long a key takes to show on screen under
// that load. Measures, never asserts. Needs Docker, tmux, debian:bookworm-slim, `npm run build`.
//   node scripts/bench/tui.mjs [--seconds 20] [--rate 1000]

import { execFileSync, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const cli = path.join(repoRoot, 'cli', 'bin', 'devenv.js');
const fixture = path.join(repoRoot, 'test', 'fixtures', 'tui', 'flood', 'compose.yaml');
const project = 'tuidev-bench';
// One tmux server per client, so the second never races the first one's shutdown.
let socket = 'tuidev-bench-tui';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const tmux = (...args) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-t', project);
// The visible screen and its scroll-back: at 1,000 lines/s a plain client's first line leaves
// the screen within 50 ms, before a poll can see it.
const screenAndHistory = () => tmux('capture-pane', '-p', '-S', '-', '-t', project);

function devenv(env, ...args) {
  const r = spawnSync(process.execPath, [cli, '-f', fixture, '-p', project, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`devenv ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function cpuTicks(pid) {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

/** The node process the pane's shell started (env execs it, so it is a direct child). */
function paneNodePid() {
  const shell = Number(tmux('display-message', '-p', '-t', project, '#{pane_pid}').trim());
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === shell && stat.includes('(node)')) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return undefined;
}

function daemonPid() {
  const out = spawnSync('pgrep', ['-f', `daemon --project-dir ${path.dirname(fixture)} --project-name ${project}`], {
    encoding: 'utf8',
  }).stdout.trim();
  return out ? Number(out.split('\n')[0]) : undefined;
}

function floodContainer() {
  return execFileSync(
    'docker',
    ['ps', '-q', '--filter', `label=dev.devenv.project=${project}`, '--filter', 'label=dev.devenv.service=flood'],
    { encoding: 'utf8' },
  ).trim();
}

/** Lines the flood service printed between two unix times (what the client had to take). */
function linesBetween(container, fromSec, toSec) {
  const out = execFileSync('docker', ['logs', '--since', String(fromSec), '--until', String(toSec), container], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  return out.split('\n').length - 1;
}

async function measure(pid, seconds) {
  const daemon = daemonPid();
  const container = floodContainer();
  const t0 = Date.now() / 1000;
  const c0 = cpuTicks(pid);
  const d0 = daemon ? cpuTicks(daemon) : 0;
  const rss = [];
  for (let i = 0; i < seconds * 4; i++) {
    rss.push(rssMb(pid));
    await sleep(250);
  }
  const t1 = Date.now() / 1000;
  const elapsed = t1 - t0;
  return {
    cpuPct: ((cpuTicks(pid) - c0) / ticksPerSecond / elapsed) * 100,
    daemonCpuPct: daemon ? ((cpuTicks(daemon) - d0) / ticksPerSecond / elapsed) * 100 : Number.NaN,
    rssMb: rss.reduce((a, b) => a + b, 0) / rss.length,
    rssMaxMb: Math.max(...rss),
    linesPerSec: linesBetween(container, Math.ceil(t0), Math.floor(t1)) / (Math.floor(t1) - Math.ceil(t0)),
  };
}

/** Key pressed → its effect on screen (the help overlay opening), polled every 5 ms. */
async function keyLatencies(samples) {
  const out = [];
  for (let i = 0; i < samples; i++) {
    const start = performance.now();
    tmux('send-keys', '-t', project, '?');
    while (!screen().includes('─ keys ')) await sleep(5);
    out.push(performance.now() - start);
    tmux('send-keys', '-t', project, '?');
    while (screen().includes('─ keys ')) await sleep(5);
    await sleep(300);
  }
  return out.sort((a, b) => a - b);
}

async function runClient(command, env, seconds, ready, capture = screen) {
  tmux('new-session', '-d', '-s', project, '-x', '160', '-y', '45', 'sh', '-c', `${command}; sleep 600`);
  const deadline = Date.now() + 60_000;
  while (!ready(capture())) {
    if (Date.now() > deadline) throw new Error(`the client did not start; screen:\n${screen()}`);
    await sleep(200);
  }
  const pid = paneNodePid();
  if (!pid) throw new Error('could not find the client process');
  await sleep(5000); // warm-up: history replayed, JIT settled
  const figures = await measure(pid, seconds);
  return { pid, figures, env };
}

export function machineInfo() {
  let docker = 'unknown';
  try {
    docker = `Docker ${execFileSync('docker', ['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})'], { encoding: 'utf8' }).trim()}`;
  } catch {
    // No engine: the run fails later with a clearer message.
  }
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    docker,
    node: process.version,
    tmux: execFileSync('tmux', ['-V'], { encoding: 'utf8' }).trim(),
    // The machine may be shared: its load says how much to trust the figures.
    loadAverage: os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' '),
  };
}

/** Runs both clients against the same stream and returns their figures. */
export async function runTuiBench({ seconds = 20, rate = 1000, log = () => {} } = {}) {
  const env = { ...process.env, FLOOD_RATE: String(rate) };
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  const base = `env -u CI -u CONTINUOUS_INTEGRATION FLOOD_RATE=${rate} ${process.execPath} ${cli} -f ${fixture} -p ${project}`;
  spawnSync(process.execPath, [cli, '-f', fixture, '-p', project, 'down', '--volumes'], { env, stdio: 'ignore' });
  try {
    log(`starting the flood service (${rate} lines/s)`);
    devenv(env, 'up', '--detach');

    log(`TUI: attaching and measuring for ${seconds} s`);
    const tui = await runClient(`${base} up`, env, seconds, (s) => s.includes('─ logs all services'));
    log('TUI: key latency under load');
    const latencies = await keyLatencies(7);
    tmux('send-keys', '-t', project, 'q');
    await sleep(1500);
    tmux('kill-server');

    log(`plain (--no-tui): attaching and measuring for ${seconds} s`);
    socket = 'tuidev-bench-plain';
    const plain = await runClient(
      `${base} up --no-tui`,
      env,
      seconds,
      (s) => s.includes('following logs'),
      screenAndHistory,
    );
    tmux('kill-server');
    return {
      rate,
      seconds,
      tui: { ...tui.figures, keyP50Ms: latencies[Math.floor(latencies.length / 2)], keyMaxMs: latencies.at(-1) },
      plain: plain.figures,
    };
  } finally {
    for (const s of ['tuidev-bench-tui', 'tuidev-bench-plain']) {
      socket = s;
      try {
        tmux('kill-server');
      } catch {
        // Not running.
      }
      // A killed tmux server leaves its socket file behind.
      rmSync(path.join(process.env.TMUX_TMPDIR ?? '/tmp', `tmux-${process.getuid?.() ?? 0}`, s), { force: true });
    }
    spawnSync(process.execPath, [cli, '-f', fixture, '-p', project, 'down', '--volumes'], { env, stdio: 'ignore' });
  }
}

export function formatTuiTable(r, machine) {
  const f = (v, d = 1) => (Number.isFinite(v) ? v.toFixed(d) : '-');
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : '-');
  return [
    `Machine: ${machine.cores} cores (${machine.cpu}), ${machine.memoryGb} GB, ${machine.docker}, Node ${machine.node}, ${machine.tmux}, load average ${machine.loadAverage}`,
    `Stream: one service printing ${r.rate} lines/s; ${r.seconds} s per client after a 5 s warm-up; terminal tmux 160×45.`,
    '',
    '| metric | TUI | plain (`--no-tui`) | ratio (TUI ÷ plain) |',
    '| --- | --- | --- | --- |',
    `| client CPU (% of one core) | ${f(r.tui.cpuPct)} | ${f(r.plain.cpuPct)} | ${ratio(r.tui.cpuPct, r.plain.cpuPct)} |`,
    `| client RSS, mean (MB) | ${f(r.tui.rssMb)} | ${f(r.plain.rssMb)} | ${ratio(r.tui.rssMb, r.plain.rssMb)} |`,
    `| client RSS, max (MB) | ${f(r.tui.rssMaxMb)} | ${f(r.plain.rssMaxMb)} | ${ratio(r.tui.rssMaxMb, r.plain.rssMaxMb)} |`,
    `| lines/s the service printed meanwhile | ${f(r.tui.linesPerSec, 0)} | ${f(r.plain.linesPerSec, 0)} | |`,
    `| daemon CPU meanwhile (% of one core) | ${f(r.tui.daemonCpuPct)} | ${f(r.plain.daemonCpuPct)} | |`,
    `| key → on screen (help overlay), p50 / max (ms) | ${f(r.tui.keyP50Ms, 0)} / ${f(r.tui.keyMaxMs, 0)} | | |`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const machine = machineInfo();
  const result = await runTuiBench({
    seconds: arg('--seconds', 20),
    rate: arg('--rate', 1000),
    log: (m) => console.error(`… ${m}`),
  });
  console.log(formatTuiTable(result, machine));
}
