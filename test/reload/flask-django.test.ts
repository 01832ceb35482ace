// The fork reloader for Flask's reloader (`flask --debug run`) and Django's `runserver`, run for
// real with Debian's python3 (python3-flask, python3-django, python3-debugpy: installed by the
// test command's process prerequisites), exactly the command lines devenv writes. Edits are real
// file writes, answers real HTTP; under debugpy a real DAP client follows the new server process
// (debugpyAttach) and stops in it.

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort, lineOf, requestUntilAnswered, stopInAnotherProcess } from '../debug/helpers.js';
import { DebugpySession } from '../helpers/dap-client.js';
import { type Running as Process, PYTHON, startReloader, stopReloaders } from '../helpers/reloader-process.js';
import { waitUntil } from '../helpers/wait.js';

const haveServers = spawnSync(PYTHON, ['-c', 'import flask, django, debugpy'], { stdio: 'ignore' }).status === 0;

interface Running extends Process {
  port: number;
}

afterEach(stopReloaders);

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
}

const flaskApp = (marker: string) => ({
  'app.py': [
    'import os',
    'from flask import Flask',
    'import routes',
    'app = Flask(__name__)',
    '@app.get("/v")',
    'def v():',
    '    return {"v": routes.mark(), "pid": os.getpid(), "ppid": os.getppid()}',
    '',
  ].join('\n'),
  'routes.py': `def mark():\n    value = "${marker}"\n    return value\n`,
});

const djangoApp = (marker: string, extraApps = '') => ({
  'manage.py': [
    'import os, sys',
    'def main():',
    '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings")',
    '    from django.core.management import execute_from_command_line',
    '    execute_from_command_line(sys.argv)',
    'if __name__ == "__main__":',
    '    main()',
    '',
  ].join('\n'),
  'shop/__init__.py': '',
  'shop/settings.py': [
    'from pathlib import Path',
    'BASE_DIR = Path(__file__).resolve().parent.parent',
    'SECRET_KEY = "test"',
    'DEBUG = True',
    'ALLOWED_HOSTS = ["*"]',
    'ROOT_URLCONF = "shop.urls"',
    `INSTALLED_APPS = [${extraApps}]`,
    'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": BASE_DIR / "db.sqlite3"}}',
    '',
  ].join('\n'),
  'shop/urls.py': 'from django.urls import path\nfrom shop import views\nurlpatterns = [path("v", views.v)]\n',
  'shop/views.py': [
    'import os',
    'from django.http import JsonResponse',
    'def v(request):',
    `    value = "${marker}"`,
    '    return JsonResponse({"v": value, "pid": os.getpid(), "ppid": os.getppid()})',
    '',
  ].join('\n'),
});

/** The command devenv writes, `-c BOOT` before the program; under debugpy when `debugPort` is given. */
async function start(
  files: Record<string, string>,
  command: (port: number) => string[],
  debugPort?: number,
): Promise<Running> {
  const port = await freePort();
  const r = startReloader({
    prepare: (dir) => write(dir, files),
    args: command(port),
    interpreterArgs: debugPort ? ['-m', 'debugpy', '--listen', `127.0.0.1:${debugPort}`] : [],
    env: { PYTHONUNBUFFERED: '1' },
  });
  return { ...r, port };
}

const flask = (port: number) => [
  '-m',
  'flask',
  '--app',
  'app',
  '--debug',
  'run',
  '--host',
  '127.0.0.1',
  '--port',
  `${port}`,
];
const django = (port: number) => ['manage.py', 'runserver', `127.0.0.1:${port}`];

async function get(r: Running): Promise<{ v: string; pid: number; ppid: number } | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${r.port}/v`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as { v: string; pid: number; ppid: number }) : undefined;
  } catch {
    return undefined;
  }
}

const served = (r: Running, marker: string) =>
  waitUntil(
    `/v to answer ${marker} (output so far:\n${r.output()})`,
    async () => {
      const a = await get(r);
      return a?.v === marker ? a : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 20 },
  );

const edit = (file: string, from: string, to: string) =>
  writeFileSync(file, readFileSync(file, 'utf8').replace(`"${from}"`, `"${to}"`));

describe.skipIf(!haveServers)(
  "fork reloader for Flask and Django (needs Debian's python3-flask, python3-django, python3-debugpy)",
  () => {
    it('Flask --debug: an edit is served by a new server forked from the same parent, debug mode kept', async () => {
      const r = await start(flaskApp('one'), flask);
      const first = await served(r, 'one');
      expect(first.ppid).toBe(r.child.pid);
      edit(path.join(r.dir, 'routes.py'), 'one', 'two');
      const second = await served(r, 'two');
      expect(second.pid).not.toBe(first.pid);
      expect(second.ppid).toBe(r.child.pid);
      expect(r.output()).toContain('devenv reload: watching .; a change forks a new Flask server process');
      expect(r.output()).toContain(' * Debug mode: on');
      expect(r.output()).toContain(`Running on http://127.0.0.1:${r.port}`);
    });

    it('Django runserver: an edit is served by a new server forked from the same parent', async () => {
      const r = await start(djangoApp('one'), django);
      const first = await served(r, 'one');
      expect(first.ppid).toBe(r.child.pid);
      edit(path.join(r.dir, 'shop', 'views.py'), 'one', 'two');
      const second = await served(r, 'two');
      expect(second.pid).not.toBe(first.pid);
      expect(second.ppid).toBe(r.child.pid);
      expect(r.output()).toContain('devenv reload: watching .; a change forks a new Django server process');
      expect(r.output()).toContain(`Starting development server at http://127.0.0.1:${r.port}/`);
    });

    it("hands a runserver that is not Django's own server back to Django's reloader", async () => {
      const files = {
        ...djangoApp('one', '"custom"'),
        'custom/__init__.py': '',
        'custom/management/__init__.py': '',
        'custom/management/commands/__init__.py': '',
        'custom/management/commands/runserver.py': [
          'from django.core.management.commands.runserver import Command as Base',
          'class Command(Base):',
          '    def inner_run(self, *args, **options):',
          '        self.stdout.write("custom server")',
          '        return super().inner_run(*args, **options)',
          '',
        ].join('\n'),
      };
      const r = await start(files, django);
      await served(r, 'one');
      expect(r.output()).toContain(
        "devenv reload: runserver here is custom.management.commands.runserver, not Django's own server; running the server's own reloader instead",
      );
      expect(r.output()).toContain('custom server');
    });

    for (const [name, files, command, file, marker] of [
      ['Flask', flaskApp('one'), flask, 'routes.py', 'value = "one"'],
      ['Django', djangoApp('one'), django, 'shop/views.py', 'value = "one"'],
    ] as const) {
      it(`${name} under debugpy: the breakpoint holds in the server forked after an edit`, async () => {
        const debugPort = await freePort();
        const r = await start(files, command, debugPort);
        const source = path.join(r.dir, file);
        const line = lineOf(source, marker);
        const session = await waitUntil('debugpy to accept a client', () =>
          DebugpySession.attach({ host: '127.0.0.1', port: debugPort, breakpoints: { [source]: [line] } }),
        );
        try {
          const url = `http://127.0.0.1:${r.port}/v`;
          const firstResponse = requestUntilAnswered(url);
          const before = await session.waitForStop(60_000);
          expect(before.frames[0]).toMatchObject({ line, source: { path: source } });
          await session.resume(before);
          expect((await firstResponse).status).toBe(200);

          edit(source, 'one', 'two');
          const { stop, response } = await stopInAnotherProcess(session, url, before);
          expect(stop.frames[0]).toMatchObject({ line, source: { path: source } });
          expect(stop.connection.label).toMatch(/^debugpy child \d+$/);
          await session.setBreakpoints(source, []);
          await session.resume(stop);
          expect(await (await response).json()).toMatchObject({ v: 'two' });
        } finally {
          await session.close();
        }
      });
    }
  },
);
