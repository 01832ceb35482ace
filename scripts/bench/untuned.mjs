#!/usr/bin/env node
// devenv on a plain Compose stack nobody tuned for it (scripts/bench/untuned-stack: no x-devenv),
// every figure beside its baseline from the same run. Measures, never asserts.
//
//  - up: warm (volumes kept) and cold (no volumes) `devenv up` with its default debuggers, to the
//    API answering, vs docker-compose 1.29 `up -d` + the same healthchecks + the API answering;
//    interleaved rounds, medians (the core section's method). Warm rounds also time `up
//    --no-debug` and `up` with the seed job under debugpy (what the default was before one-shot
//    jobs others wait for kept their debugger on request), for the reasons in docs/benchmarks.md.
//  - restart: save the worker (PID 1, no SIGTERM handler) → it runs the new code: devenv's
//    sync+restart vs `docker cp` + `docker restart` (which waits out the stop timeout).
//  - reload: save → served for Flask (`flask --debug run`) and Django (`manage.py runserver`)
//    under debugpy: devenv's sync + fork reloader vs `docker cp` + the server's own reloader.
// Runs on a private copy of the stack; images are built before anything is timed.

import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
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
const cli = path.join(repoRoot, 'cli', 'bin', 'devenv.js');
const DEVENV_PROJECT = 'devenvbench-untuned';
const COMPOSE_PROJECT = 'composebench-untuned';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** The fixture with the reference stack's PostgreSQL and Redis Dockerfiles it builds from, in a temp dir. */
function privateCopy() {
  const root = mkdtempSync(path.join(tmpdir(), 'devenv-bench-untuned-'));
  for (const dir of ['example/postgres', 'example/redis', 'scripts/bench/untuned-stack'])
    cpSync(path.join(repoRoot, dir), path.join(root, dir), { recursive: true });
  return { root, dir: path.join(root, 'scripts', 'bench', 'untuned-stack') };
}

/**
 * One GET's JSON body, or undefined. node:http with its own (referenced) timer, not fetch: a fetch
 * to Docker's proxy with nothing listening behind it stays pending with no handle left, and Node
 * exits in the middle of the bench.
 */
function getJson(url, timeoutMs = 2000) {
  return new Promise((resolve) => {
    const req = http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => {
        clearTimeout(timer);
        try {
          resolve(res.statusCode === 200 ? JSON.parse(body) : undefined);
        } catch {
          resolve(undefined);
        }
      });
      res.on('error', () => resolve(undefined));
    });
    const timer = setTimeout(() => req.destroy(), timeoutMs);
    // Whatever ends it (an error, the timer): no answer. A second resolve is ignored.
    req.on('close', () => {
      clearTimeout(timer);
      resolve(undefined);
    });
    req.on('error', () => undefined);
  });
}

async function answers(url, timeoutMs = 120_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const body = await getJson(url);
    if (body) return body;
    await sleep(25);
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Time until `url` serves JSON whose `mark` is `marker`. */
async function servedWithin(url, marker, timeoutMs = 60_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    if ((await getJson(url))?.mark === marker) return performance.now() - t0;
    await sleep(20);
  }
  throw new Error(`${url} did not serve ${marker} within ${timeoutMs} ms`);
}

/** Time until the container has printed `line` (its log polled from `since`, unix seconds). */
async function loggedWithin(container, line, since, timeoutMs = 60_000) {
  const t0 = performance.now();
  while (performance.now() - t0 < timeoutMs) {
    const r = spawnSync('docker', ['logs', '--since', String(since), container], { encoding: 'utf8' });
    if (`${r.stdout}${r.stderr}`.includes(line)) return performance.now() - t0;
    await sleep(50);
  }
  throw new Error(`${container} did not print "${line}" within ${timeoutMs} ms`);
}

const containerOf = (project, service) =>
  sh('docker', ['ps', '-q', '--filter', `name=^${project}-${service}-1$`]).trim();

export async function runUntunedBench({ rounds = 3, warmRounds = 5, samples = 5, log = () => {} } = {}) {
  if (!ensureCompose129()) {
    return {
      skipped: 'docker-compose 1.29 (the baseline) is not installed and cannot be installed here (needs root + apt)',
    };
  }
  const { root, dir } = privateCopy();
  const stack = path.join(dir, 'compose.yaml');
  const env = { UNTUNED_API_PORT: String(await freePort()), UNTUNED_DJANGO_PORT: String(await freePort()) };
  const api = `http://127.0.0.1:${env.UNTUNED_API_PORT}/health`;
  const shop = `http://127.0.0.1:${env.UNTUNED_DJANGO_PORT}/health`;
  const composeFiles = filesForCompose129([stack]);
  const compose = composeRunner({ projectDir: dir, project: COMPOSE_PROJECT, files: composeFiles });
  const devenv = (files, args) =>
    sh(
      process.execPath,
      [cli, ...files.flatMap((f) => ['-f', f]), '-p', DEVENV_PROJECT, '--runtime', 'docker', ...args],
      {
        env: { ...process.env, NO_COLOR: '1', ...env },
      },
    );
  // The seed job under debugpy, as every inferred Python service was before the on-request rule.
  const seedDebugged = path.join(dir, 'compose.seed-debugged.yaml');
  writeFileSync(seedDebugged, 'services:\n  seed:\n    x-devenv:\n      debug: python\n');
  /** An override that gives `service` its server's own reloader. */
  const nativeReload = (service) => {
    const file = path.join(dir, `compose.native-${service}.yaml`);
    writeFileSync(file, `services:\n  ${service}:\n    x-devenv:\n      reload: native\n`);
    return file;
  };

  const settle = () => sleep(1500);
  const timeCompose = async () => {
    const t0 = performance.now();
    compose(['up', '-d'], env);
    await waitComposeSettled(COMPOSE_PROJECT, 5);
    await answers(api);
    return performance.now() - t0;
  };
  const timeDevenv = async (files, extra = []) => {
    const t0 = performance.now();
    devenv(files, ['up', '--detach', ...extra]);
    await answers(api);
    return performance.now() - t0;
  };
  const rows = [];
  const notes = [];
  /** A part that fails says so in the notes; the others still give their rows. */
  const part = async (name, fn) => {
    try {
      await fn();
    } catch (err) {
      notes.push(`${name}: failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  try {
    log('untuned: building both tools’ images (not timed)');
    compose(['down', '-v'], env);
    devenv([stack], ['down', '--volumes']);
    compose(['build'], env);
    devenv([stack], ['up', '--detach']);
    devenv([stack], ['down', '--volumes']);

    await part('up', async () => {
      const r = { cold: { devenv: [], compose: [] }, warm: { devenv: [], compose: [], noDebug: [], seedDebugged: [] } };
      for (let i = 1; i <= rounds; i++) {
        log(`untuned: cold round ${i}/${rounds}`);
        await settle();
        r.cold.compose.push(await timeCompose());
        compose(['down', '-v'], env);
        await settle();
        r.cold.devenv.push(await timeDevenv([stack]));
        devenv([stack], ['down', '--volumes']);
      }
      log('untuned: warm rounds: creating both tools’ volumes');
      await timeCompose();
      compose(['down'], env);
      await timeDevenv([stack]);
      devenv([stack], ['down']);
      for (let i = 1; i <= warmRounds; i++) {
        log(`untuned: warm round ${i}/${warmRounds} (volumes kept)`);
        const timed = [
          ['compose', () => timeCompose(), () => compose(['down'], env)],
          ['devenv', () => timeDevenv([stack]), () => devenv([stack], ['down'])],
          ['noDebug', () => timeDevenv([stack], ['--no-debug']), () => devenv([stack], ['down'])],
          ['seedDebugged', () => timeDevenv([stack, seedDebugged]), () => devenv([stack, seedDebugged], ['down'])],
        ];
        for (const [key, up, down] of timed) {
          await settle();
          r.warm[key].push(await up());
          down();
        }
      }
      const secs = (xs) => xs.map((x) => (x / 1000).toFixed(1)).join(' / ');
      const upRow = (metric, devenvTimes, composeTimes, goal) => ({
        metric,
        unit: 'ms',
        devenv: median(devenvTimes),
        baseline: 'docker-compose 1.29 up -d + wait + API answers',
        baselineValue: median(composeTimes),
        goal,
      });
      rows.push(
        upRow(
          'untuned stack warm up → API answers (volumes kept), default debuggers',
          r.warm.devenv,
          r.warm.compose,
          'ratio ≤ 0.8',
        ),
        upRow(
          'untuned stack cold up → API answers (no volumes), default debuggers',
          r.cold.devenv,
          r.cold.compose,
          'ratio ≤ 0.8',
        ),
        upRow('the same warm up with `--no-debug`', r.warm.noDebug, r.warm.compose),
        upRow(
          'the same warm up with the seed job under debugpy (the old default)',
          r.warm.seedDebugged,
          r.warm.compose,
        ),
      );
      notes.push(
        `up rounds (s), devenv | Compose: warm ${secs(r.warm.devenv)} | ${secs(r.warm.compose)}; ` +
          `warm --no-debug ${secs(r.warm.noDebug)}; warm, seed debugged ${secs(r.warm.seedDebugged)}; ` +
          `cold ${secs(r.cold.devenv)} | ${secs(r.cold.compose)}`,
      );
    });

    // ---- save → the PID-1 worker runs the new code ----------------------------------------------
    await part('restart', async () => {
      log('untuned: worker restarts');
      devenv([stack], ['up', '--detach']);
      const workerPy = path.join(dir, 'app', 'worker.py');
      const original = readFileSync(workerPy, 'utf8');
      const withVersion = (v) => original.replace('VERSION = "v0"', `VERSION = "${v}"`);
      const restart = { devenv: [], docker: [] };
      for (let i = 0; i < samples; i++) {
        const a = `sync${i}x${Date.now()}`;
        const since = Math.floor(Date.now() / 1000) - 1;
        const t0 = performance.now();
        writeFileSync(workerPy, withVersion(a));
        await loggedWithin(containerOf(DEVENV_PROJECT, 'worker'), `worker ${a} ready`, since);
        restart.devenv.push(performance.now() - t0);
        await sleep(1500);
      }
      writeFileSync(workerPy, original);
      devenv([stack], ['down']);
      // The baseline on Compose's own containers: under devenv, a container restarted from outside
      // gets its sync link back with a reconcile, which puts the host's file over the copied one.
      compose(['up', '-d'], env);
      await waitComposeSettled(COMPOSE_PROJECT, 5);
      const container = sh('docker', ['ps', '-q', '--filter', `name=^${COMPOSE_PROJECT}_worker_1$`]).trim();
      for (let i = 0; i < samples; i++) {
        const b = `restart${i}x${Date.now()}`;
        const tmp = path.join(dir, 'worker.py');
        writeFileSync(tmp, withVersion(b));
        const since2 = Math.floor(Date.now() / 1000) - 1;
        const t1 = performance.now();
        sh('docker', ['cp', tmp, `${container}:/app/worker.py`]);
        sh('docker', ['restart', container]);
        await loggedWithin(container, `worker ${b} ready`, since2);
        restart.docker.push(performance.now() - t1);
        await sleep(1500);
      }
      compose(['down'], env);
      rows.push({
        metric: 'save the worker (PID 1, no SIGTERM handler) → it runs the new code (p50)',
        unit: 'ms',
        devenv: median(restart.devenv),
        baseline: '`docker cp` + `docker restart` (waits out the stop timeout)',
        baselineValue: median(restart.docker),
        goal: '≤ 1 s p50',
      });
    });

    // ---- save → served: Flask --debug and Django runserver under debugpy ----------------------
    const reloadRow = async (name, files, service, url, source, target) => {
      const original = readFileSync(source, 'utf8');
      const variant = (m) => original.replace(`MARK = "v0"`, `MARK = "${m}"`);
      const measure = async (upFiles, byDockerCp) => {
        devenv(upFiles, ['up', '--detach']);
        await answers(url);
        const times = [];
        for (let i = 0; i < samples; i++) {
          const m = `${byDockerCp ? 'cp' : 'sync'}${i}x${Date.now()}`;
          if (byDockerCp) {
            const tmp = path.join(dir, path.basename(source));
            writeFileSync(tmp, variant(m));
            const t0 = performance.now();
            sh('docker', ['cp', tmp, `${containerOf(DEVENV_PROJECT, service)}:${target}`]);
            times.push(performance.now() - t0 + (await servedWithin(url, m)));
          } else {
            const t0 = performance.now();
            writeFileSync(source, variant(m));
            times.push(performance.now() - t0 + (await servedWithin(url, m)));
          }
          await sleep(1500);
        }
        writeFileSync(source, original);
        return median(times);
      };
      log(`untuned: ${name} save → served, devenv's fork reloader under debugpy`);
      const fork = await measure(files, false);
      log(`untuned: ${name} save → served, its own reloader behind docker cp, under debugpy`);
      const own = await measure([...files, nativeReload(service)], true);
      rows.push({
        metric: `save → served, ${name} under debugpy (p50)`,
        unit: 'ms',
        devenv: fork,
        baseline: `\`docker cp\` + ${name}'s own reloader, under debugpy`,
        baselineValue: own,
        goal: '≤ 1 s p50',
      });
    };
    await part('Flask reload', async () => {
      await reloadRow('Flask `--debug`', [stack], 'api', api, path.join(dir, 'app', 'api.py'), '/app/api.py');
      devenv([stack], ['down']);
    });
    const django = path.join(dir, 'compose.django.yaml');
    await part('Django reload', async () => {
      await reloadRow(
        'Django runserver',
        [django],
        'shop',
        shop,
        path.join(dir, 'app', 'shop', 'views.py'),
        '/app/shop/views.py',
      );
      devenv([django], ['down']);
    });
    return { rows, note: `${notes.join('; ')}; restarts and reloads: medians of ${samples} saves` };
  } finally {
    for (const file of [stack, path.join(dir, 'compose.django.yaml')]) {
      spawnSync(process.execPath, [cli, '-f', file, '-p', DEVENV_PROJECT, '--runtime', 'docker', 'down', '--volumes'], {
        env: { ...process.env, ...env },
      });
    }
    spawnSync(
      'docker-compose',
      ['--project-directory', dir, '-p', COMPOSE_PROJECT, ...composeFiles.flatMap((f) => ['-f', f]), 'down', '-v'],
      {
        env: { ...process.env, ...env },
      },
    );
    rmSync(root, { recursive: true, force: true });
    rmSync(path.dirname(composeFiles[0]), { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(await runUntunedBench({ log: (m) => console.error(`… ${m}`) }), null, 2));
}
