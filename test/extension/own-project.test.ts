// The extension on a user's own project, with nothing installed but the .vsix: a temporary folder
// outside this repository holding a plain Compose file (one Python service built FROM
// debian:bookworm-slim, no `x-devenv`), and code-server started with a PATH, a HOME and a login
// shell that hold no devenv. F5 must bring the project up with the devenv the extension carries
// and attach the service's debugger: a breakpoint in the local file is hit by an HTTP request.
// Screenshots: test-results/extension-own-project/.

import { execFileSync, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectContainers, removeImagesOf } from '../helpers/docker.js';
import { freePort } from '../helpers/free-port.js';
import * as h from './harness.mjs';

const missing = h.missingPrerequisite();
const project = `f5own-${process.pid}`;
const SYSTEM_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// The service: a tiny HTTP server (GET / answers from handle()) and its image, as the debugger
// tests have them; built with debugpy, which is all the image needs.
const FIXTURE = path.join(h.repoRoot, 'test', 'fixtures', 'debug', 'edge-cases', 'python-image');
const APP = readFileSync(path.join(FIXTURE, 'app.py'), 'utf8');
const compose = (port: number) => `name: ${project}
services:
  api:
    build:
      context: .
      args:
        PACKAGES: python3 python3-debugpy
    command: ["python3", "app.py"]
    ports:
      - "${port}:8000"
`;

describe.skipIf(missing)(
  `F5 on a project outside the repository, no devenv installed${missing ? ` (skipped: ${missing})` : ''}`,
  () => {
    const base = mkdtempSync(path.join(tmpdir(), 'devenv-f5-own-'));
    const workspace = path.join(base, 'my-service');
    const home = path.join(base, 'home');
    const userDataDir = path.join(base, 'user');
    const extensionsDir = path.join(base, 'extensions');
    const shots = path.join(h.repoRoot, 'test-results', 'extension-own-project');
    let browser: Browser | undefined;
    let page: Page;
    let server: { url: string; stop(): void } | undefined;
    let port = 0;
    const env: Record<string, string> = {};
    const shot = (name: string) => page.screenshot({ path: path.join(shots, `${name}.png`) });
    /** The devenv the extension carries, as a user would run it from a terminal. */
    const bundled = () => {
      const dir = readdirSync(extensionsDir).find((d) => d.startsWith('devenv.devenv-vscode-'));
      return path.join(extensionsDir, dir ?? 'missing', 'dist', 'devenv', 'bin', 'devenv.js');
    };

    beforeAll(async () => {
      mkdirSync(shots, { recursive: true });
      mkdirSync(home, { recursive: true });
      mkdirSync(workspace, { recursive: true });
      port = await freePort();
      writeFileSync(path.join(workspace, 'compose.yaml'), compose(port));
      copyFileSync(path.join(FIXTURE, 'Dockerfile'), path.join(workspace, 'Dockerfile'));
      writeFileSync(path.join(workspace, 'app.py'), APP);
      const entry = h.ensureCodeServer();
      h.installExtension(entry, h.packageExtension(), extensionsDir);
      // What code-server (and the extension host, which takes the login shell's environment) sees:
      // the system directories and a fresh HOME, no node_modules/.bin, no devenv anywhere.
      Object.assign(env, { PATH: SYSTEM_PATH, HOME: home, SHELL: '/bin/bash', NO_COLOR: '1' });
      for (const key of ['DOCKER_HOST', 'LANG', 'TMPDIR']) if (process.env[key]) env[key] = process.env[key]!;
      server = await h.startCodeServer({
        entry,
        port: await freePort(),
        userDataDir,
        extensionsDir,
        workspace,
        env,
        logFile: path.join(base, 'code-server.log'),
        cleanEnv: true,
      });
      browser = await h.launchBrowser();
      page = await h.openWorkbench(browser, server.url);
    }, 900_000);

    afterAll(async () => {
      if (page) await shot('99-last').catch(() => undefined);
      await browser?.close();
      server?.stop();
      if (existsSync(bundled())) {
        // From anywhere, by name: the environment the extension started.
        spawnSync(process.execPath, [bundled(), '-p', project, 'down'], { cwd: base, env, encoding: 'utf8' });
      }
      removeImagesOf(project);
      rmSync(base, { recursive: true, force: true });
    }, 300_000);

    it('has no devenv on the PATH or in the login shell the editor reads', () => {
      const login = spawnSync('bash', ['-l', '-i', '-c', 'command -v devenv || echo none'], {
        env,
        encoding: 'utf8',
      });
      expect(login.stdout.trim().split('\n').at(-1)).toBe('none');
      expect(spawnSync('sh', ['-c', 'command -v devenv || echo none'], { env, encoding: 'utf8' }).stdout.trim()).toBe(
        'none',
      );
    });

    it('runs the devenv bundled with the extension, and says so', async () => {
      await page.locator('.statusbar-item', { hasText: 'devenv: down' }).waitFor({ timeout: 120_000 });
      expect(existsSync(bundled())).toBe(true);
      const said = await outputChannelLine(userDataDir, /running .*: the devenv bundled with this extension/);
      expect(said).toContain(bundled());
      expect(said).toContain('no devenv in the workspace or on PATH');
    }, 180_000);

    it('F5 brings the project up and a breakpoint in the local file is hit', async () => {
      await h.focusWorkbench(page);
      await page.keyboard.press('F5');
      // No launch.json: VS Code asks which debugger (devenv offers "Run Both"); a person picks devenv.
      const choice = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', {
        has: page.locator('.label-name', { hasText: /^devenv$/ }),
      });
      const asked = await choice
        .first()
        .waitFor({ timeout: 15_000 })
        .then(() => true)
        .catch(() => false);
      if (asked) {
        await shot('00-which-debugger');
        await choice.first().click();
      }
      await h.waitForSessions(page, ['Run Both', 'api'], 900_000);
      await shot('01-sessions');
      const line = APP.split('\n').indexOf('def handle() -> bytes:') + 2;
      await h.openFileAt(page, 'app.py', line);
      await page.keyboard.press('F9');
      await page.locator('.editor-group-container.active .codicon-debug-breakpoint').first().waitFor();
      const response = fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(120_000) }).then((r) =>
        r.text(),
      );
      const where = await h.pausedAt(page);
      await shot('02-breakpoint-hit');
      expect(where.topFrame).toEqual({ name: 'handle', file: 'app.py', position: `${line}:1` });
      expect(where.tab).toBe('app.py');
      await h.openFileAt(page, 'app.py', line);
      await page.keyboard.press('F9');
      await page.locator('.debug-toolbar .codicon-debug-continue').click();
      expect(await response).toBe('hello from the debugger fixture\n');
      // Built and run from the project's own files, by the daemon of the bundled devenv.
      expect(projectContainers(project).map((c) => c.service)).toEqual(['api']);
      const daemons = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
        .split('\n')
        .filter((l) => l.includes(' daemon ') && l.includes(`--project-name ${project}`));
      expect(daemons).toHaveLength(1);
      expect(daemons[0]).toContain(bundled());
    }, 1_000_000);
  },
);

/** The line of the extension's "devenv" output channel (a log file in the user data directory) that matches. */
async function outputChannelLine(userDataDir: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const file of logFiles(path.join(userDataDir, 'logs'))) {
      if (!/devenv\.log$/.test(file)) continue;
      const line = readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => pattern.test(l));
      if (line) return line;
    }
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in the devenv output channel`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

function logFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? logFiles(path.join(dir, d.name)) : [path.join(dir, d.name)],
  );
}
