// The extension end to end in a real VS Code: code-server 4.96.4 in headless Chromium, the
// built .vsix installed, a copy of the reference workspace opened, F5 on "Run Both".
// The stack runs on real Docker with debugpy and the Node inspector injected by the engine
// (x-devenv.debug; ports pinned by test/fixtures/extension/compose.e2e.yaml).
// Screenshots: test-results/extension/.

import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import * as h from './harness.mjs';

const missing = h.missingPrerequisite();
const base = '/tmp/extdev-e2e-test';
const workspace = path.join(base, 'ws');
const shots = path.join(h.repoRoot, 'test-results', 'extension');
const ROUTES = 'example/backend/app/routes.py';

describe.skipIf(missing)(`VS Code extension end to end${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let browser: Browser;
  let page: Page;
  let server: { url: string; stop(): void };
  let env: Record<string, string>;
  const timings: Record<string, number> = {};
  const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    const started = Date.now();
    const entry = h.ensureCodeServer();
    const vsix = h.packageExtension();
    h.prepareWorkspace(workspace);
    h.installExtension(entry, vsix, path.join(base, 'extensions'));
    env = await h.stackEnvironment();
    // Start from a stopped environment: F5 must bring it up itself.
    h.devenvCli(workspace, ['down'], env);
    server = await h.startCodeServer({
      entry,
      port: await h.freePort(),
      userDataDir: path.join(base, 'user'),
      extensionsDir: path.join(base, 'extensions'),
      workspace,
      env,
      logFile: path.join(base, 'code-server.log'),
    });
    browser = await h.launchBrowser();
    page = await h.openWorkbench(browser, server.url);
    timings.setup = Date.now() - started;
  }, 900_000);

  afterAll(async () => {
    if (page) await shot('99-last').catch(() => undefined);
    await browser?.close();
    server?.stop();
    if (!missing && env) h.devenvCli(workspace, ['down'], env);
    console.log(`extension e2e timings (ms): ${JSON.stringify(timings)}`);
  }, 300_000);

  it('before F5 the services view lists the configured services as stopped', async () => {
    await page.locator('.statusbar-item', { hasText: 'devenv: down' }).waitFor({ timeout: 60_000 });
    const rows = await h.servicesTree(page);
    await shot('00-before-f5');
    expect(rows.map((r) => [r.label, r.description])).toEqual(
      ['postgres', 'redis', 'migrate', 'backend', 'worker', 'frontend'].map((name) => [name, 'stopped']),
    );
  }, 120_000);

  it('F5 on "Run Both" brings the stack up and attaches the backend, the worker and the Node service', async () => {
    await h.focusWorkbench(page);
    const started = Date.now();
    await page.keyboard.press('F5');
    await h.waitForSessions(page, ['Run Both', 'backend', 'worker', 'frontend'], 900_000);
    timings.f5ToAttached = Date.now() - started;
    await shot('01-run-both-sessions');
    const sessions = await h.callStackSessions(page);
    expect(sessions[0]).toBe('Run Both');
    expect(sessions).toEqual(expect.arrayContaining(['backend', 'worker']));
    // js-debug renames the Node session while it attaches ("frontend" → "Remote Process [0] « frontend"):
    // read it again until it has settled, rather than at one instant of that change.
    await expect
      .poll(async () => (await h.callStackSessions(page)).some((s) => s.includes('frontend')), { timeout: 30_000 })
      .toBe(true);
    expect(await h.statusBarText(page)).toContain('devenv: 5/5 healthy');
  }, 1_000_000);

  it('a breakpoint in the backend route file is hit by an HTTP request, at that file and line', async () => {
    const line =
      readFileSync(path.join(workspace, ROUTES), 'utf8').split('\n').indexOf('def list_tasks(limit: int = 10):') + 2;
    expect(line).toBeGreaterThan(1);
    await h.openFileAt(page, ROUTES, line);
    await page.keyboard.press('F9');
    await page.locator('.editor-group-container.active .codicon-debug-breakpoint').first().waitFor();
    // uvicorn --reload serves from a subprocess: its session comes from debugpy's debugpyAttach.
    await h.waitForSessionMatching(page, '^backend \\(pid \\d+\\)$', 60_000);
    const response = fetch(`http://127.0.0.1:${env.EXTDEV_BACKEND_PORT}/api/tasks`, {
      signal: AbortSignal.timeout(120_000),
    }).then((r) => r.status);
    const where = await h.pausedAt(page);
    await shot('02-breakpoint-hit');
    expect(where.topFrame).toEqual({ name: 'list_tasks', file: 'routes.py', position: `${line}:1` });
    expect(where.tab).toBe('routes.py');
    expect(where.cursor).toMatch(new RegExp(`^Ln ${line}, Col \\d+`));
    expect(where.highlighted).toBeGreaterThan(0);
    // Remove the breakpoint, then continue: the request completes.
    await h.openFileAt(page, ROUTES, line);
    await page.keyboard.press('F9');
    await page.locator('.debug-toolbar .codicon-debug-continue').click();
    expect(await response).toBe(200);
  }, 300_000);

  it('the services view shows every service healthy (the migration completed)', async () => {
    // A view shown again redraws from the extension's state a moment later: read until it has.
    await vi.waitFor(
      async () => {
        const rows = await h.servicesTree(page);
        const byName = Object.fromEntries(rows.map((r) => [r.label, r]));
        for (const name of ['postgres', 'redis', 'backend', 'worker', 'frontend']) {
          expect(byName[name]?.description, name).toMatch(/^healthy/);
          expect(byName[name]?.icon, name).toBe('codicon-pass-filled');
        }
        expect(byName.migrate?.description).toBe('completed');
        expect(byName.backend?.description).toContain(`debug ${env.EXTDEV_BACKEND_DEBUG_PORT}`);
      },
      { timeout: 30_000, interval: 500 },
    );
    await shot('03-services-view');
  }, 120_000);

  it('the Up Timeline view shows the up: each service’s time to ready, its phases, the critical path', async () => {
    // One row for the up, one for the project's preparation, one per service with its time to ready.
    const rows = await h.viewRows(page, 'Up Timeline');
    expect(rows[0]?.label).toMatch(/^up /);
    expect(rows[0]?.description).toMatch(/^\d+\.\d s · done · docker$/);
    const byLabel = (list: typeof rows, label: string) => list.filter((r) => r.label === label);
    for (const name of ['postgres', 'redis', 'migrate', 'backend', 'worker', 'frontend'])
      expect(byLabel(rows, name)[0]?.description, name).toMatch(/^\d+\.\d s( ★)? · created$/);
    expect(rows.some((r) => r.description.includes('★'))).toBe(true);
    // A service opens on its phases: the backend waited for postgres to be healthy, then its debugger attached.
    await h.toggleRow(page, 'Up Timeline', 'backend');
    await vi.waitFor(
      async () => {
        const open = await h.viewRows(page, 'Up Timeline');
        expect(byLabel(open, 'wait postgres (healthy)')[0]?.description).toMatch(/^\d+\.\d s/);
        expect(byLabel(open, 'debugger attached')[0]?.description).toMatch(/^\d+\.\d s/);
      },
      { timeout: 10_000, interval: 300 },
    );
    await shot('03b-up-timeline');
  }, 120_000);

  it('an error typed into a Compose file shows as a diagnostic at its line and column', async () => {
    const copy = 'compose/reference/compose.broken.yaml';
    copyFileSync(path.join(workspace, 'compose/reference/compose.yaml'), path.join(workspace, copy));
    const lines = readFileSync(path.join(workspace, copy), 'utf8').split('\n');
    const backend = lines.indexOf('  backend:');
    const ports = lines.findIndex((l, i) => i > backend && l === '    ports:') + 1;
    await h.openFileAt(page, copy, ports, 10);
    await page.keyboard.type('z');
    await page.keyboard.press('Escape');
    const entries = await h.problems(page);
    await shot('04-compose-diagnostic');
    expect(entries.join('\n')).toContain('unknown key `portsz` in service `backend`');
    expect(entries.join('\n')).toContain(`[Ln ${ports}, Col 5]`);
  }, 120_000);

  it('Stop ends every debug session and leaves the environment running', async () => {
    await h.stopDebugging(page);
    await shot('05-stopped');
    expect(await h.callStackSessions(page)).toEqual([]);
    expect(await h.statusBarText(page)).toContain('devenv: 5/5 healthy');
  }, 120_000);
});
