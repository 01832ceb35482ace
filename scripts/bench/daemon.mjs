#!/usr/bin/env node

// The daemon with the reference stack running on Docker: its idle RSS and CPU (with the metrics
// endpoint off, then on and scraped), and the time from invoking `devenv status` to its answer,
// beside `docker ps` (the engine's own listing) timed the same way in the same run. Then the
// daemon's start, as it is (OpenTelemetry and prom-client load only when used) and with those
// modules loaded at start, to show what loading them lazily saves. Measures, never asserts.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const cli = path.join(repoRoot, 'cli', 'bin', 'devenv.js');
const composeDir = path.join(repoRoot, 'compose', 'reference');
const PROJECT = 'devenvbench';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function filesAndEnv() {
  const args = ['-f', path.join(composeDir, 'compose.yaml')];
  const env = { ...process.env, NO_COLOR: '1' };
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout.trim();
  if (cafile && cafile !== 'null' && cafile !== 'undefined') {
    args.push('-f', path.join(composeDir, 'compose.host-ca.yaml'));
    env.HOST_CA_BUNDLE = cafile;
  }
  return { args: [...args, '-p', PROJECT, '--runtime', 'docker'], env };
}

function timeCommand(cmd, args, env) {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return performance.now() - t0;
}

function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]);
  return { ticks, rssKb };
}

/** CPU (% of one core) and RSS (MB, at the end) of a process over `seconds`, while `during` runs. */
async function idleFigures(pid, seconds, during = async () => {}) {
  const clk = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  const a = procStats(pid);
  const until = Date.now() + seconds * 1000;
  await Promise.all([new Promise((r) => setTimeout(r, seconds * 1000)), during(until)]);
  const b = procStats(pid);
  return { cpuPct: ((b.ticks - a.ticks) / clk / seconds) * 100, rssMb: b.rssKb / 1024 };
}

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * ms from spawning `devenv daemon` for a one-service project to its log saying it serves, the
 * median of `runs`; `preload` loads the telemetry modules at start (what eager imports would cost).
 */
async function daemonStartMs({ runs, preload }) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'devenv-bench-start-'));
  const name = `devenvbench-start-${process.pid}`;
  const compose = path.join(dir, 'compose.yaml');
  writeFileSync(compose, 'services:\n  app:\n    image: debian:bookworm-slim\n    command: ["sleep", "infinity"]\n');
  const logFile = path.join(dir, '.devenv', name, 'daemon.log');
  const dist = path.join(repoRoot, 'engine', 'dist', 'telemetry');
  const imports = preload
    ? ['otlp-spans.js', 'engine-metrics.js', 'metrics-server.js'].flatMap((f) => [
        '--import',
        `file://${path.join(dist, f)}`,
      ])
    : [];
  const times = [];
  try {
    for (let i = 0; i < runs; i++) {
      rmSync(logFile, { force: true });
      const t0 = performance.now();
      const child = spawn(
        process.execPath,
        [
          ...imports,
          cli,
          'daemon',
          '--project-dir',
          dir,
          '--project-name',
          name,
          '--file',
          compose,
          '--runtime',
          'docker',
        ],
        { stdio: 'ignore' },
      );
      while (!(existsSync(logFile) && readFileSync(logFile, 'utf8').includes(' serving '))) {
        if (performance.now() - t0 > 30_000) throw new Error(`the daemon did not start; see ${logFile}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      times.push(performance.now() - t0);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return median(times);
}

export async function runDaemonBench({ samples = 20, idleSeconds = 30, startRuns = 7, log = () => {} } = {}) {
  const { args, env } = filesAndEnv();
  log('bringing the reference stack up on Docker');
  const up = spawnSync(process.execPath, [cli, ...args, 'up', '--detach'], { env, encoding: 'utf8' });
  if (up.status !== 0) throw new Error(`up failed: ${up.stderr}`);
  try {
    const pid = Number(
      spawnSync('pgrep', ['-f', `devenv.js daemon .*--project-name ${PROJECT}`], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n')[0],
    );
    log(`daemon pid ${pid}: sampling ${idleSeconds} s idle, metrics off`);
    const off = await idleFigures(pid, idleSeconds);

    // The same daemon with its metrics endpoint on (an `up` that changes nothing else), scraped
    // every 5 s (three times Prometheus' default rate).
    const port = await freePort();
    const on = spawnSync(process.execPath, [cli, ...args, 'up', '--detach', '--metrics-port', String(port)], {
      env,
      encoding: 'utf8',
    });
    if (on.status !== 0) throw new Error(`up --metrics-port failed: ${on.stderr}`);
    let scrapes = 0;
    const scrape = async () => {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      await res.text();
      scrapes++;
    };
    await scrape();
    log(`sampling ${idleSeconds} s idle, metrics on and scraped every 5 s`);
    const metricsOn = await idleFigures(pid, idleSeconds, async (until) => {
      while (Date.now() + 5000 < until) {
        await new Promise((r) => setTimeout(r, 5000));
        await scrape();
      }
    });

    log(`timing devenv status ×${samples} and docker ps ×${samples}`);
    const status = [];
    const ps = [];
    const bare = []; // Node starting and exiting, nothing else: the floor under any Node CLI
    for (let i = 0; i < samples; i++) {
      status.push(timeCommand(process.execPath, [cli, ...args, 'status'], env));
      ps.push(timeCommand('docker', ['ps', '--filter', `label=dev.devenv.project=${PROJECT}`], env));
      bare.push(timeCommand(process.execPath, ['-e', '0'], env));
    }
    log(`daemon start ×${startRuns}, as it is and with the telemetry modules loaded at start`);
    const startLazy = await daemonStartMs({ runs: startRuns, preload: false });
    const startEager = await daemonStartMs({ runs: startRuns, preload: true });
    return {
      rows: [
        {
          metric: 'daemon idle CPU, metrics on and scraped every 5 s (% of one core)',
          unit: '%',
          devenv: metricsOn.cpuPct,
          baseline: 'metrics off (the same daemon, before)',
          baselineValue: off.cpuPct,
          goal: 'no measurable difference',
        },
        {
          metric: 'daemon RSS, metrics on',
          unit: 'MB',
          devenv: metricsOn.rssMb,
          baseline: 'metrics off (the same daemon, before)',
          baselineValue: off.rssMb,
          goal: '≤ +10 MB',
        },
        {
          metric: 'daemon start: spawn → serving (OpenTelemetry and prom-client loaded when used)',
          unit: 'ms',
          devenv: startLazy,
          baseline: 'the same with them loaded at start',
          baselineValue: startEager,
        },
        {
          metric: '`devenv status` invocation → answer (daemon running)',
          unit: 'ms',
          devenv: median(status),
          baseline: '`docker ps` (Go CLI)',
          baselineValue: median(ps),
          goal: '≤ 150 ms',
        },
      ],
      facts: [
        `\`devenv status\` beside Node's own start on this machine (\`node -e 0\`, same run): ${median(status).toFixed(1)} ms vs ${median(bare).toFixed(1)} ms`,
        `daemon idle with the reference stack running: RSS ${off.rssMb.toFixed(1)} MB, CPU ${off.cpuPct.toFixed(2)} % of one core over ${idleSeconds} s; with metrics on: RSS ${metricsOn.rssMb.toFixed(1)} MB, CPU ${metricsOn.cpuPct.toFixed(2)} % (${scrapes} scrapes)`,
      ],
    };
  } finally {
    spawnSync(process.execPath, [cli, ...args, 'down', '--volumes'], { env });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runDaemonBench({ log: (m) => console.error(`… ${m}`) }), null, 2));
}
