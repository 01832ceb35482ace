#!/usr/bin/env node

// The daemon with the reference stack running on Docker: its idle RSS and CPU, and the time
// from invoking `devenv status` to its answer, beside `docker ps` (the engine's own listing)
// timed the same way in the same run. Measures, never asserts.

import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

export async function runDaemonBench({ samples = 20, idleSeconds = 10, log = () => {} } = {}) {
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
    log(`daemon pid ${pid}: sampling ${idleSeconds} s idle`);
    const clk = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const a = procStats(pid);
    await new Promise((r) => setTimeout(r, idleSeconds * 1000));
    const b = procStats(pid);
    const cpuPct = ((b.ticks - a.ticks) / clk / idleSeconds) * 100;

    log(`timing devenv status ×${samples} and docker ps ×${samples}`);
    const status = [];
    const ps = [];
    const bare = []; // Node starting and exiting, nothing else: the floor under any Node CLI
    for (let i = 0; i < samples; i++) {
      status.push(timeCommand(process.execPath, [cli, ...args, 'status'], env));
      ps.push(timeCommand('docker', ['ps', '--filter', `label=dev.devenv.project=${PROJECT}`], env));
      bare.push(timeCommand(process.execPath, ['-e', '0'], env));
    }
    return {
      rows: [
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
        `daemon idle with the reference stack running: RSS ${(b.rssKb / 1024).toFixed(1)} MB, CPU ${cpuPct.toFixed(2)} % of one core over ${idleSeconds} s`,
      ],
    };
  } finally {
    spawnSync(process.execPath, [cli, ...args, 'down', '--volumes'], { env });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runDaemonBench({ log: (m) => console.error(`… ${m}`) }), null, 2));
}
