#!/usr/bin/env node
// `devenv up` of the reference stack on Docker, to every service healthy (migrate completed),
// beside Debian's docker-compose 1.29 `up -d` plus waiting for the same healthchecks, on the
// same Compose file, in the same run. Measures, never asserts.
//
// docker-compose 1.29 predates `develop` and the top-level `name`, and would publish the
// reference stack's host-less ports on 0.0.0.0: the file it gets is the same file with those
// two keys dropped and `127.0.0.1:` put before each port (docs/reference-stack.md).
//
// Scenarios (each tool with its own images built beforehand, so no build is timed):
//   cold: no containers, no volumes (postgres initdb and the frontend's npm ci run again);
//   warm: no containers, volumes kept;
//   no-op: everything already running (a second `up`).

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  composeRunner,
  ensureCompose129,
  filesForCompose129,
  median,
  sh,
  waitComposeSettled,
} from './compose-baseline.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const composeDir = path.join(repoRoot, 'compose', 'reference');
const cli = path.join(repoRoot, 'cli', 'bin', 'devenv.js');
const DEVENV_PROJECT = 'devenvbench';
const COMPOSE_PROJECT = 'composebench';

function referenceFiles() {
  const files = [path.join(composeDir, 'compose.yaml')];
  const env = {};
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout.trim();
  if (cafile && cafile !== 'null' && cafile !== 'undefined') {
    files.push(path.join(composeDir, 'compose.host-ca.yaml'));
    env.HOST_CA_BUNDLE = cafile;
    env.NPM_REGISTRY = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim();
  }
  return { files, env };
}

function devenvCmd(files, args, env) {
  const fArgs = files.flatMap((f) => ['-f', f]);
  return sh(process.execPath, [cli, ...fArgs, '-p', DEVENV_PROJECT, '--runtime', 'docker', ...args], {
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
}

function composeCmd(files, args, env) {
  return composeRunner({ projectDir: composeDir, project: COMPOSE_PROJECT, files })(args, env);
}

async function timeCompose(files, env, expected) {
  const t0 = performance.now();
  composeCmd(files, ['up', '-d'], env);
  await waitComposeSettled(COMPOSE_PROJECT, expected);
  return performance.now() - t0;
}

function timeDevenv(files, env, extra = []) {
  const t0 = performance.now();
  devenvCmd(files, ['up', '--detach', ...extra], env);
  return performance.now() - t0;
}

export async function runCoreUpBench({ rounds = 3, warmRounds = 5, log = () => {} } = {}) {
  if (!ensureCompose129()) {
    return {
      skipped: 'docker-compose 1.29 (the baseline) is not installed and cannot be installed here (needs root + apt)',
    };
  }
  const { files, env } = referenceFiles();
  const composeFiles = filesForCompose129(files);
  const expected = 6;
  const downBoth = (volumes) => {
    composeCmd(composeFiles, ['down', ...(volumes ? ['-v'] : [])], env);
    devenvCmd(files, ['down', ...(volumes ? ['--volumes'] : [])], env);
  };

  log('preparing: building both tools’ images (not timed)');
  downBoth(true);
  composeCmd(composeFiles, ['build'], env);
  devenvCmd(files, ['up', '--detach'], env);
  downBoth(true);

  const results = {
    cold: { devenv: [], compose: [] },
    warm: { devenv: [], compose: [] },
    warmNoDebug: { devenv: [], compose: [] },
    noop: { devenv: [], compose: [] },
  };
  // Every timed `up` starts after a short pause, for both tools alike: a `down` just before leaves
  // the engine removing container layers for a moment.
  const settle = () => new Promise((r) => setTimeout(r, 1500));
  for (let round = 1; round <= rounds; round++) {
    log(`round ${round}/${rounds}: cold, then no-op (all running)`);
    await settle();
    results.cold.compose.push(await timeCompose(composeFiles, env, expected));
    results.noop.compose.push(await timeCompose(composeFiles, env, expected));
    composeCmd(composeFiles, ['down', '-v'], env);
    await settle();
    results.cold.devenv.push(timeDevenv(files, env));
    results.noop.devenv.push(timeDevenv(files, env));
    devenvCmd(files, ['down', '--volumes'], env);
  }
  // Warm starts are the goal, and the machine's noise is of the same size as the differences:
  // more rounds, the three kinds interleaved so a slow spell of the machine hits them alike.
  log('warm rounds: creating both tools’ volumes');
  await timeCompose(composeFiles, env, expected);
  composeCmd(composeFiles, ['down'], env);
  timeDevenv(files, env);
  devenvCmd(files, ['down'], env);
  for (let round = 1; round <= warmRounds; round++) {
    log(`warm round ${round}/${warmRounds} (volumes kept)`);
    await settle();
    results.warm.compose.push(await timeCompose(composeFiles, env, expected));
    composeCmd(composeFiles, ['down'], env);
    await settle();
    results.warm.devenv.push(timeDevenv(files, env));
    devenvCmd(files, ['down'], env);
    await settle();
    results.warmNoDebug.devenv.push(timeDevenv(files, env, ['--no-debug']));
    devenvCmd(files, ['down'], env);
  }
  results.warmNoDebug.compose = results.warm.compose;
  downBoth(true);
  const secs = (xs) => xs.map((x) => (x / 1000).toFixed(1)).join(' / ');
  const row = (metric, key, goal) => ({
    metric,
    unit: 'ms',
    devenv: median(results[key].devenv),
    baseline: 'docker-compose 1.29 up -d + wait',
    baselineValue: median(results[key].compose),
    goal,
  });
  return {
    rows: [
      row('reference stack warm up → all healthy (images, volumes kept), debuggers injected', 'warm', 'ratio ≤ 0.8'),
      row('the same warm up with `--no-debug` (the commands Compose runs)', 'warmNoDebug', 'ratio ≤ 0.8'),
      row('reference stack cold up → all healthy (images cached, no volumes)', 'cold', ''),
      row('reference stack up again, all running (no-op)', 'noop', ''),
    ],
    note:
      `medians: warm of ${warmRounds} rounds, cold and no-op of ${rounds}; every round (s), devenv | Compose: ` +
      `warm ${secs(results.warm.devenv)} | ${secs(results.warm.compose)}; ` +
      `warm --no-debug ${secs(results.warmNoDebug.devenv)}; ` +
      `cold ${secs(results.cold.devenv)} | ${secs(results.cold.compose)}`,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await runCoreUpBench({ log: (m) => console.error(`… ${m}`) });
  console.log(JSON.stringify(result, null, 2));
}
