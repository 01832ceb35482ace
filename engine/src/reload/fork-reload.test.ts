import { describe, expect, it } from 'vitest';
import { injectDebugger } from '../debug/inject.js';
import { scriptCommands } from '../debug/shell-script.js';
import type { RuntimeKind, ServiceSpec } from '../model/spec.js';
import { planForkReload, RELOADER_BOOT, RELOADER_ENV } from './fork-reload.js';

function svc(partial: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name: 'api',
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'unless-stopped' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
    ...partial,
  };
}

const SOURCE = '# the reloader';
const plan = (s: ServiceSpec, runtime: RuntimeKind = 'docker', platform: NodeJS.Platform = 'linux') =>
  planForkReload(s, { runtime, platform, source: SOURCE });
const ARGS = ['app.main:app', '--host', '0.0.0.0', '--port', '8000', '--reload'];

describe('planForkReload', () => {
  it('runs a uvicorn console script with --reload as python3 -c BOOT -m uvicorn, every argument kept', () => {
    const r = plan(svc({ command: ['uvicorn', ...ARGS], environment: { A: '1' } }));
    expect(r.service.command).toEqual(['python3', '-c', RELOADER_BOOT, '-m', 'uvicorn', ...ARGS]);
    expect(r.service.environment).toEqual({ A: '1', [RELOADER_ENV]: SOURCE });
    expect(r.note).toMatch(/^reload: devenv's fork reloader for uvicorn .*x-devenv.reload: native/);
  });

  it("uses the interpreter beside a console script given by path (a virtualenv's)", () => {
    const r = plan(svc({ command: ['/app/.venv/bin/uvicorn', ...ARGS] }));
    expect(r.service.command).toEqual(['/app/.venv/bin/python3', '-c', RELOADER_BOOT, '-m', 'uvicorn', ...ARGS]);
  });

  it('replaces `-m uvicorn` (and `-muvicorn`) after interpreter options, keeping the interpreter', () => {
    expect(plan(svc({ command: ['python3.11', '-X', 'dev', '-m', 'uvicorn', ...ARGS] })).service.command).toEqual([
      'python3.11',
      '-X',
      'dev',
      '-c',
      RELOADER_BOOT,
      '-m',
      'uvicorn',
      ...ARGS,
    ]);
    expect(plan(svc({ command: ['python', '-muvicorn', ...ARGS] })).service.command).toEqual([
      'python',
      '-c',
      RELOADER_BOOT,
      '-m',
      'uvicorn',
      ...ARGS,
    ]);
  });

  it('looks through wrappers and edits the uvicorn command inside `sh -c`, the rest of the script byte for byte', () => {
    const script = 'alembic upgrade head && exec uvicorn app.main:app --port 8000 --reload';
    const r = plan(svc({ command: ['tini', '--', 'sh', '-c', script] }));
    const out = r.service.command!;
    expect(out.slice(0, 4)).toEqual(['tini', '--', 'sh', '-c']);
    expect(out[4]!.startsWith('alembic upgrade head && exec python3 -c ')).toBe(true);
    // The shell reads the boot code back as one word, unchanged.
    const words = scriptCommands(out[4]!)[1]!.map((w) => w.value);
    expect(words).toEqual([
      'exec',
      'python3',
      '-c',
      RELOADER_BOOT,
      '-m',
      'uvicorn',
      'app.main:app',
      '--port',
      '8000',
      '--reload',
    ]);
  });

  it('splits an entrypoint that holds uvicorn back into entrypoint and command', () => {
    const r = plan(svc({ entrypoint: ['uvicorn'], command: ARGS }));
    expect(r.service.entrypoint).toEqual(['python3', '-c', RELOADER_BOOT, '-m', 'uvicorn']);
    expect(r.service.command).toEqual(ARGS);
  });

  it("rewrites the image's own CMD when the file leaves the command to the image", () => {
    const r = planForkReload(svc(), {
      runtime: 'docker',
      source: SOURCE,
      image: { entrypoint: [], cmd: ['uvicorn', ...ARGS], workingDir: '/app' },
    });
    expect(r.service.command).toEqual(['python3', '-c', RELOADER_BOOT, '-m', 'uvicorn', ...ARGS]);
  });

  it('runs Flask in debug mode (or with --reload) and Django runserver under it too', () => {
    const flask = (command: string[], environment: Record<string, string> = {}) =>
      plan(svc({ command, environment })).service.command;
    const FLASK = ['--app', 'api', '--debug', 'run', '--host', '0.0.0.0'];
    expect(flask(['flask', ...FLASK])).toEqual(['python3', '-c', RELOADER_BOOT, '-m', 'flask', ...FLASK]);
    expect(flask(['python3', '-m', 'flask', 'run', '--debug'])).toEqual([
      'python3',
      '-c',
      RELOADER_BOOT,
      '-m',
      'flask',
      'run',
      '--debug',
    ]);
    expect(flask(['flask', 'run', '--reload'])![4]).toBe('flask');
    expect(flask(['flask', 'run'], { FLASK_DEBUG: '1' })![4]).toBe('flask');
    expect(plan(svc({ command: ['python3', 'manage.py', 'runserver', '0.0.0.0:8000'] })).service.command).toEqual([
      'python3',
      '-c',
      RELOADER_BOOT,
      'manage.py',
      'runserver',
      '0.0.0.0:8000',
    ]);
    const admin = plan(svc({ command: ['django-admin', 'runserver', '--settings', 'site.settings'] }));
    expect(admin.service.command).toEqual([
      'python3',
      '-c',
      RELOADER_BOOT,
      '-m',
      'django',
      'runserver',
      '--settings',
      'site.settings',
    ]);
    expect(admin.note).toMatch(/^reload: devenv's fork reloader for Django .*runs Django's own$/);
  });

  it('leaves Flask and Django alone when their reloader is off, or the command is not their server', () => {
    const untouched = [
      svc({ command: ['flask', 'run'] }),
      svc({ command: ['flask', '--debug', 'run', '--no-reload'] }),
      svc({ command: ['flask', 'run'], environment: { FLASK_DEBUG: '0' } }),
      svc({ command: ['flask', '--debug', 'routes'] }),
      svc({ command: ['python3', 'manage.py', 'runserver', '--noreload'] }),
      svc({ command: ['python3', 'manage.py', 'migrate'] }),
      svc({ command: ['python3', 'server.py', 'runserver'] }),
    ];
    for (const s of untouched) expect(plan(s).service).toBe(s);
  });

  it('leaves alone: no --reload, another program, celery, `x-devenv.reload: native`, and its own output', () => {
    const untouched = [
      svc({ command: ['uvicorn', 'app.main:app', '--port', '8000'] }),
      svc({ command: ['python3', '-m', 'uvicorn', 'app.main:app', '--reload-dir', 'app'] }),
      svc({ command: ['gunicorn', 'app:app', '--reload'] }),
      svc({ command: ['celery', '-A', 'app.worker', 'worker'] }),
      svc({ command: ['node', 'server.js', '--reload'] }),
      svc({ command: ['uvicorn', ...ARGS], devenv: { reload: 'native' } }),
      svc(),
    ];
    for (const s of untouched) {
      const r = plan(s);
      expect(r.service).toBe(s);
      expect(r.note).toBeUndefined();
    }
    const once = plan(svc({ command: ['uvicorn', ...ARGS] })).service;
    expect(plan(once).service).toBe(once);
  });

  it('rewrites the process command on Linux, and says why not on other hosts or on Kubernetes', () => {
    const s = svc({
      devenv: {
        process: { command: ['/usr/bin/python3', '-m', 'uvicorn', ...ARGS], cwd: '/src', env: { B: '2' } },
      },
    });
    const linux = plan(s, 'process', 'linux');
    expect(linux.service.devenv.process!.command).toEqual([
      '/usr/bin/python3',
      '-c',
      RELOADER_BOOT,
      '-m',
      'uvicorn',
      ...ARGS,
    ]);
    expect(linux.service.devenv.process!.env).toEqual({ B: '2', [RELOADER_ENV]: SOURCE });
    const k8s = plan(svc({ command: ['uvicorn', ...ARGS] }), 'kubernetes');
    expect(k8s.service.command).toEqual(['uvicorn', ...ARGS]);
    expect(k8s.note).toMatch(/Kubernetes overlay does not run the fork reloader/);
    const mac = plan(s, 'process', 'darwin');
    expect(mac.service).toBe(s);
    expect(mac.note).toMatch(/needs Linux's inotify; this host is darwin/);
  });

  it('composes with debugger injection: debugpy wraps the reloader, which keeps its arguments', () => {
    const reloaded = plan(svc({ command: ['uvicorn', ...ARGS] })).service;
    const debugged = injectDebugger(reloaded, { runtime: 'docker', hostPort: 15678 })!;
    expect(debugged.service.command).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '-c',
      RELOADER_BOOT,
      '-m',
      'uvicorn',
      ...ARGS,
    ]);
    expect(debugged.service.environment[RELOADER_ENV]).toBe(SOURCE);
  });

  it('reads the real reloader from engine/agent by default', () => {
    const r = planForkReload(svc({ command: ['uvicorn', ...ARGS] }), { runtime: 'docker' });
    expect(r.service.environment[RELOADER_ENV]).toContain("devenv's fork reloader for the Python dev servers");
  });
});
