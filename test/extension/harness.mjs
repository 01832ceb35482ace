// A real VS Code for end-to-end tests and the benchmark: code-server 4.96.4 (installed by
// scripts/install-code-server.sh, cached outside the clone) driven in headless Debian
// Chromium through playwright-core. Shared by test/extension/f5.test.ts and
// scripts/bench/extension.mjs, hence plain JavaScript (types in harness.d.mts).

import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const cliBin = path.join(repoRoot, 'cli', 'bin', 'devenv.js');
export const CHROMIUM = process.env.DEVENV_CHROMIUM ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Why the e2e cannot run here, or undefined when it can. */
export function missingPrerequisite() {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) return 'no Docker engine answers `docker info`';
  const base = spawnSync('docker', ['image', 'inspect', 'debian:bookworm-slim'], { stdio: 'ignore' });
  if (base.status !== 0) return 'no debian:bookworm-slim image (scripts/ensure-base-image.sh makes one)';
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot && !existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium)`;
  const cache = process.env.DEVENV_CODE_SERVER_CACHE ?? '/var/cache/devenv/code-server';
  const cached = existsSync(path.join(cache, process.env.DEVENV_CODE_SERVER_VERSION ?? '4.96.4', '.devenv-complete'));
  if (!isRoot && !cached) return `code-server is not installed (run scripts/install-code-server.sh as root once)`;
  return undefined;
}

/** Install (or find in the cache) code-server and Chromium; the path of code-server's entry.js. */
export function ensureCodeServer(log = () => {}) {
  const started = Date.now();
  const out = execFileSync(path.join(repoRoot, 'scripts', 'install-code-server.sh'), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  log(`code-server ready in ${Date.now() - started} ms`);
  return out.trim().split('\n').at(-1);
}

/**
 * Build the .vsix (`npm run package -w extension`) unless one newer than its sources exists: the
 * extension's own, and the compiled CLI and engine it carries (cli/stage-package.mjs).
 */
export function packageExtension(log = () => {}) {
  const pkg = JSON.parse(
    execFileSync('node', ['-p', 'JSON.stringify(require("./extension/package.json"))'], {
      cwd: repoRoot,
      encoding: 'utf8',
    }),
  );
  const vsix = path.join(repoRoot, 'extension', `devenv-${pkg.version}.vsix`);
  const newest = newestMtime([
    path.join(repoRoot, 'extension', 'src'),
    path.join(repoRoot, 'extension', 'package.json'),
    path.join(repoRoot, 'cli', 'dist'),
    path.join(repoRoot, 'cli', 'bin'),
    path.join(repoRoot, 'cli', 'stage-package.mjs'),
    path.join(repoRoot, 'engine', 'dist'),
    path.join(repoRoot, 'engine', 'agent'),
  ]);
  if (existsSync(vsix) && statSync(vsix).mtimeMs > newest) return vsix;
  const started = Date.now();
  execFileSync('npm', ['run', 'package', '-w', 'extension'], { cwd: repoRoot, stdio: ['ignore', 'ignore', 'inherit'] });
  log(`packaged ${path.basename(vsix)} in ${Date.now() - started} ms`);
  return vsix;
}

function newestMtime(paths) {
  let newest = 0;
  for (const p of paths) {
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(readdirSync(p).map((n) => path.join(p, n))));
    else newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

export function installExtension(entry, vsix, extensionsDir) {
  mkdirSync(extensionsDir, { recursive: true });
  execFileSync(process.execPath, [entry, '--install-extension', vsix, '--force', '--extensions-dir', extensionsDir], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The e2e project's files: compose files (reference + CA + the e2e ports fixture), order matters. */
export const WORKSPACE_CONFIG_FILES = [
  'compose/reference/compose.yaml',
  'compose/reference/compose.host-ca.yaml',
  'compose/reference/compose.e2e.yaml',
];

/**
 * A copy of the reference workspace (the example app, its compose files, .vscode/launch.json)
 * plus the e2e ports fixture and settings that point the extension at this repository's CLI.
 * Refreshed in place, so a second run reuses the project's images and volumes.
 */
export function prepareWorkspace(dir) {
  const skip = new Set(['node_modules', '__pycache__', '.devenv', 'dist']);
  const filter = (src) => !skip.has(path.basename(src));
  for (const sub of ['example', 'compose/reference', '.vscode']) {
    rmSync(path.join(dir, sub), { recursive: true, force: true });
    cpSync(path.join(repoRoot, sub), path.join(dir, sub), { recursive: true, filter });
  }
  cpSync(
    path.join(repoRoot, 'test', 'fixtures', 'extension', 'compose.e2e.yaml'),
    path.join(dir, 'compose', 'reference', 'compose.e2e.yaml'),
  );
  writeFileSync(
    path.join(dir, '.vscode', 'settings.json'),
    `${JSON.stringify(
      {
        'devenv.path': cliBin,
        'devenv.configFiles': WORKSPACE_CONFIG_FILES,
        'devenv.runtime': 'docker',
      },
      null,
      2,
    )}\n`,
  );
  return dir;
}

/** The environment the stack's config is interpolated with: free ports, the host's CA for npm. */
export async function stackEnvironment() {
  const env = {
    EXTDEV_PROJECT: 'extdev-e2e',
    EXTDEV_BACKEND_PORT: String(await freePort()),
    EXTDEV_BACKEND_DEBUG_PORT: String(await freePort()),
    EXTDEV_WORKER_DEBUG_PORT: String(await freePort()),
    EXTDEV_FRONTEND_PORT: String(await freePort()),
    EXTDEV_FRONTEND_DEBUG_PORT: String(await freePort()),
  };
  const cafile = spawnSync('npm', ['config', 'get', 'cafile'], { encoding: 'utf8' }).stdout.trim();
  const bundle = cafile && cafile !== 'null' && cafile !== 'undefined' ? cafile : process.env.NODE_EXTRA_CA_CERTS;
  if (bundle) env.HOST_CA_BUNDLE = bundle;
  const registry = spawnSync('npm', ['config', 'get', 'registry'], { encoding: 'utf8' }).stdout.trim();
  if (registry) env.NPM_REGISTRY = registry;
  return env;
}

/** `devenv` with the workspace's files, as a terminal would run it (for setup and cleanup). */
export function devenvCli(workspace, args, env, opts = {}) {
  const files = WORKSPACE_CONFIG_FILES.flatMap((f) => ['-f', path.join(workspace, f)]);
  return spawnSync(process.execPath, [cliBin, ...files, '--runtime', 'docker', ...args], {
    cwd: workspace,
    env: { ...process.env, ...env, NO_COLOR: '1' },
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 900_000,
  });
}

/** A quiet first run: no walkthrough, no port-forwarding toasts, no tips. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'remote.autoForwardPorts': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.ignoreRecommendations': true,
  'editor.minimap.enabled': false,
};

/**
 * Start code-server on `port` and resolve once it answers HTTP. `cleanEnv`: with `env` only, not
 * this process's environment (a user's machine: no node_modules/.bin on PATH, no npm_* variables).
 */
export async function startCodeServer({
  entry,
  port,
  userDataDir,
  extensionsDir,
  workspace,
  env,
  logFile,
  logLevel,
  cleanEnv,
}) {
  mkdirSync(userDataDir, { recursive: true });
  const userSettings = path.join(userDataDir, 'User');
  mkdirSync(userSettings, { recursive: true });
  writeFileSync(path.join(userSettings, 'settings.json'), `${JSON.stringify(USER_SETTINGS, null, 2)}\n`);
  const args = [
    entry,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    ...(logLevel ? ['--log', logLevel] : []),
    workspace,
  ];
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, args, {
    cwd: workspace,
    env: cleanEnv ? env : { ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      if (res.ok) break;
    } catch {
      // not yet listening
    }
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${port}; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`,
    stop: () => {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

export async function launchBrowser() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

// ---- the workbench, driven like a person would ----------------------------------------------

/**
 * Open the workbench; answer "Do you trust the authors" when VS Code asks (it asks once per
 * folder and user-data directory); wait until the devenv status-bar item is there.
 */
export async function openWorkbench(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
  const trust = page.getByRole('button', { name: /Yes, I trust the authors/ });
  const status = page.locator('.statusbar-item', { hasText: 'devenv' });
  await Promise.race([trust.waitFor({ timeout: 60_000 }), status.waitFor({ timeout: 60_000 })]);
  if (await trust.isVisible()) await trust.click();
  await status.waitFor({ timeout: 60_000 });
  return page;
}

export async function statusBarText(page) {
  return ((await page.locator('.statusbar-item', { hasText: 'devenv' }).first().textContent()) ?? '').trim();
}

/** Focus the editor area (so F5 and friends reach the workbench, not a view). */
export async function focusWorkbench(page) {
  await page.locator('.part.editor').click({ position: { x: 400, y: 300 } });
}

/** Quick Open a workspace file, then Go to Line; resolves once the editor shows that line. */
export async function openFileAt(page, relPath, line, column = 1) {
  const input = page.locator('.quick-input-widget .quick-input-box input');
  await page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible' });
  await input.fill(relPath);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: path.basename(relPath) })
    .first()
    .waitFor();
  await page.keyboard.press('Enter');
  await page.locator(`.tab.active[data-resource-name="${path.basename(relPath)}"]`).waitFor({ timeout: 30_000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor();
  await page.keyboard.press('Control+G');
  await input.waitFor({ state: 'visible' });
  await input.fill(`:${line}:${column}`);
  await page.keyboard.press('Enter');
  await page.locator('.statusbar-item', { hasText: `Ln ${line}, Col ${column}` }).waitFor();
}

/** Rows of the Call Stack view: sessions, threads and frames, as shown. */
export async function callStackRows(page) {
  return page.locator('.debug-call-stack .monaco-list-row').allInnerTexts();
}

/** The debug sessions shown in the Call Stack (names only). */
export async function callStackSessions(page) {
  return page.locator('.debug-call-stack .monaco-list-row .session .name').allInnerTexts();
}

/** Wait until the Call Stack shows a session whose name contains each of `names`. */
export async function waitForSessions(page, names, timeoutMs) {
  await page.waitForFunction(
    (wanted) => {
      const shown = [...document.querySelectorAll('.debug-call-stack .monaco-list-row .session .name')].map(
        (e) => e.textContent ?? '',
      );
      return wanted.every((n) => shown.some((s) => s.includes(n)));
    },
    names,
    { timeout: timeoutMs, polling: 50 },
  );
}

/** Shift+F5, then wait until VS Code has left debug mode (every session gone, toolbar hidden). */
export async function stopDebugging(page) {
  await focusWorkbench(page);
  await page.keyboard.press('Shift+F5');
  await page
    .locator('.debug-call-stack .monaco-list-row .session')
    .first()
    .waitFor({ state: 'detached', timeout: 60_000 });
  await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 60_000 });
}

/** Wait until the Call Stack shows a session whose whole name matches `pattern` (a RegExp source). */
export async function waitForSessionMatching(page, pattern, timeoutMs) {
  await page.waitForFunction(
    (source) =>
      [...document.querySelectorAll('.debug-call-stack .monaco-list-row .session .name')].some((e) =>
        new RegExp(source).test(e.textContent ?? ''),
      ),
    pattern,
    { timeout: timeoutMs, polling: 50 },
  );
}

/** Where the debugger stopped, read from the UI: the top stack frame and the editor's cursor line. */
export async function pausedAt(page) {
  const frame = page.locator('.debug-call-stack .monaco-list-row .stack-frame').first();
  await frame.waitFor({ timeout: 60_000 });
  const topFrame = {
    name: ((await frame.locator('.expression').textContent()) ?? '').trim(),
    file: ((await frame.locator('.file-name').textContent()) ?? '').trim(),
    position: ((await frame.locator('.line-number').textContent()) ?? '').trim(),
  };
  const tab = await page.locator('.tab.active').getAttribute('data-resource-name');
  const cursor = ((await page.locator('.statusbar-item', { hasText: /^Ln \d+, Col \d+/ }).textContent()) ?? '').trim();
  const highlighted = await page.locator('.editor-group-container.active .debug-top-stack-frame-line').count();
  return { topFrame, tab, cursor, highlighted };
}

/** The services tree: each row's label, description and icon. */
export function servicesTree(page) {
  return viewRows(page, 'Services');
}

/** The rows of one of devenv's views (the pane titled `title`: Services, Up Timeline), as shown. */
export async function viewRows(page, title) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });
  // The devenv icon toggles its side bar: click it only when the view is not showing.
  if (!(await pane.isVisible())) await page.locator('.activitybar .action-item a[aria-label^="devenv"]').click();
  const rows = pane.locator('.pane-body .monaco-list-row');
  await rows.first().waitFor();
  return rows.evaluateAll((els) =>
    els.map((e) => ({
      label: e.querySelector('.label-name')?.textContent ?? '',
      description: e.querySelector('.label-description')?.textContent ?? '',
      icon:
        [...(e.querySelector('.custom-view-tree-node-item-icon')?.classList ?? [])].find(
          (c) => c.startsWith('codicon-') && c !== 'codicon',
        ) ?? '',
    })),
  );
}

/** Open (or close) a row of one of devenv's views by clicking it. */
export async function toggleRow(page, title, label) {
  const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: title }) });
  await pane
    .locator('.pane-body .monaco-list-row', { has: page.locator('.label-name', { hasText: label }) })
    .first()
    .click();
}

/** The Problems panel's entries, as shown (message, source and position). */
export async function problems(page) {
  await page.keyboard.press('Control+Shift+M');
  const rows = page.locator('.markers-panel .monaco-list-row');
  await rows.first().waitFor({ timeout: 30_000 });
  return rows.allInnerTexts();
}
