#!/usr/bin/env node
// The VS Code extension, in a real VS Code (code-server 4.96.4 in headless Chromium): F5 on
// "Run Both" until every child debug session shows in the Call Stack (backend, worker,
// frontend), measured from the key press, read from the UI.
//  - warm: the environment is already up (goal ≤ 5 s);
//  - cold: the containers are removed first (images and volumes kept), so F5 creates and
//    starts the whole stack.
// Baseline, same run: `devenv up -d` from the CLI in the same two situations (no debuggers,
// no editor), so devenv ÷ baseline is what the editor and the debuggers add.
// Measures, never asserts. Run after `npm run build`:  node scripts/bench/extension.mjs

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import * as h from '../../test/extension/harness.mjs';

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const SESSIONS = ['Run Both', 'backend', 'worker', 'frontend'];

/** The extension's own accounts of Run Both so far ("ready in … environment up …"), oldest first. */
function reports(userDataDir) {
  const logs = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === 'devenv.log') logs.push(p);
    }
  };
  walk(path.join(userDataDir, 'logs'));
  const lines = logs.flatMap((f) => readFileSync(f, 'utf8').split('\n')).filter((l) => l.includes('ready in'));
  return lines.sort().map((l) => l.replace(/^.*?devenv: debugging /, ''));
}

/** The account the extension writes for the Run Both started after `seen` accounts. */
async function nextReport(userDataDir, seen) {
  for (let i = 0; i < 50; i++) {
    const all = reports(userDataDir);
    if (all.length > seen) return all[seen];
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

async function f5UntilAttached(page) {
  await h.focusWorkbench(page);
  const started = performance.now();
  await page.keyboard.press('F5');
  await h.waitForSessions(page, SESSIONS, 900_000);
  return performance.now() - started;
}

function timedCli(workspace, args, env) {
  const started = performance.now();
  const r = h.devenvCli(workspace, args, env);
  if (r.status !== 0) throw new Error(`devenv ${args.join(' ')} failed: ${r.stderr}`);
  return performance.now() - started;
}

export async function runExtensionBench({ samples = 3, log = () => {} } = {}) {
  const missing = h.missingPrerequisite();
  if (missing) return { skipped: missing };
  const base = '/tmp/extdev-bench';
  const workspace = path.join(base, 'ws');
  const userDataDir = path.join(base, 'user');
  rmSync(userDataDir, { recursive: true, force: true });
  log('installing code-server (cached) and packaging the extension');
  const installStarted = performance.now();
  const entry = h.ensureCodeServer(log);
  const installMs = performance.now() - installStarted;
  const vsix = h.packageExtension(log);
  h.prepareWorkspace(workspace);
  h.installExtension(entry, vsix, path.join(base, 'extensions'));
  const env = { ...(await h.stackEnvironment()), EXTDEV_PROJECT: 'extdev-bench' };

  log('baseline: `devenv up -d` cold and warm');
  h.devenvCli(workspace, ['down'], env);
  timedCli(workspace, ['up', '-d'], env); // builds whatever is missing, outside the measurement
  h.devenvCli(workspace, ['down'], env);
  const cliCold = timedCli(workspace, ['up', '-d'], env);
  const cliWarm = median(Array.from({ length: samples }, () => timedCli(workspace, ['up', '-d'], env)));
  h.devenvCli(workspace, ['down'], env);

  const server = await h.startCodeServer({
    entry,
    port: await h.freePort(),
    userDataDir,
    extensionsDir: path.join(base, 'extensions'),
    workspace,
    env,
    logFile: path.join(base, 'code-server.log'),
  });
  const browser = await h.launchBrowser();
  try {
    const page = await h.openWorkbench(browser, server.url);
    // A stop that does not end debug mode is a product failure: keep what the screen showed.
    const stop = async (when) => {
      try {
        await h.stopDebugging(page);
      } catch (err) {
        const shot = path.join(h.repoRoot, 'test-results', 'bench-extension', `stop-${when}.png`);
        mkdirSync(path.dirname(shot), { recursive: true });
        await page.screenshot({ path: shot }).catch(() => undefined);
        const sessions = await h.callStackSessions(page).catch(() => []);
        throw new Error(
          `Stop after F5 (${when}) left VS Code in debug mode; sessions shown: [${sessions.join(', ')}]; screenshot ${shot}\n${err.message}`,
        );
      }
    };
    log('F5, cold');
    const cold = await f5UntilAttached(page);
    const coldReport = await nextReport(userDataDir, 0);
    await stop('cold');
    const warm = [];
    const warmReports = [];
    for (let i = 0; i < samples; i++) {
      log(`F5, warm ${i + 1}/${samples}`);
      warm.push(await f5UntilAttached(page));
      warmReports.push(await nextReport(userDataDir, i + 1));
      await stop(`warm ${i + 1}`);
    }
    // "ready in X s": from the launch request until every child session reported started.
    const readyMs = (report) => Number(/ready in ([\d.]+) s/.exec(report ?? '')?.[1] ?? Number.NaN) * 1000;
    return {
      rows: [
        {
          metric: 'F5 → backend, worker, frontend attached (environment up)',
          devenv: median(warm),
          unit: 'ms',
          baseline: '`devenv up -d`, environment up',
          baselineValue: cliWarm,
          goal: '≤ 5 s',
        },
        {
          metric: 'launch → every child session started (the extension’s own clock), environment up',
          devenv: median(warmReports.map(readyMs)),
          unit: 'ms',
          baseline: '`devenv up -d`, environment up',
          baselineValue: cliWarm,
          goal: '≤ 5 s',
        },
        {
          metric: 'F5 → all attached, cold (containers removed; images, volumes kept)',
          devenv: cold,
          unit: 'ms',
          baseline: '`devenv up -d`, same start',
          baselineValue: cliCold,
        },
      ],
      facts: [
        `warm samples (ms): ${warm.map((x) => Math.round(x)).join(', ')}`,
        `the extension's account, warm: ${warmReports.at(-1) ?? 'n/a'}; cold: ${coldReport ?? 'n/a'}`,
        `scripts/install-code-server.sh (cached): ${Math.round(installMs)} ms`,
      ],
    };
  } finally {
    await browser.close();
    server.stop();
    h.devenvCli(workspace, ['down'], env);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await runExtensionBench({ log: (m) => process.stderr.write(`… ${m}\n`) });
  console.log(JSON.stringify(result, null, 2));
}
