// Debuggers in the reference stack, end to end through the real CLI, daemon and Docker: devenv
// injects debugpy into backend/worker and --inspect into the frontend's Vite, publishes the ports
// on 127.0.0.1, and real protocol clients stop at breakpoints in the local files:
//   - backend: DAP, health route, hit by an HTTP request; again after a reload (uvicorn --reload
//     under devenv's fork reloader: the new server process announces itself with debugpyAttach
//     and the client follows it);
//   - worker: DAP, the Celery task, hit by enqueueing through POST /api/tasks;
//   - frontend: CDP, vite.config.js `logProxiedRequest`, hit by a proxied /api request (Vite runs
//     a bundled copy of the config: the client maps through its inline source map).
// Nothing else on the host may see a debug port: only 127.0.0.1 listens.

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DebugEndpoint, ProjectStatus } from '../../engine/src/model/status.js';
import { NodeDebugSession } from '../helpers/cdp-client.js';
import { devenv, repoRoot } from '../helpers/cli.js';
import { daemonStatus } from '../helpers/daemon-status.js';
import { DebugpySession } from '../helpers/dap-client.js';
import { docker, dockerAvailable, idsByService, inspect } from '../helpers/docker.js';
import { waitUntil } from '../helpers/wait.js';
import {
  freePort,
  lineOf,
  npmRegistry,
  removeImagesOf,
  requestUntilAnswered,
  stopInAnotherProcess,
} from './helpers.js';

const haveDocker = dockerAvailable();
const project = `dbgdev-ref-${process.pid}`;
const files = [
  join(repoRoot, 'compose/reference/compose.yaml'),
  join(repoRoot, 'compose/reference/compose.host-ca.yaml'),
  join(repoRoot, 'test/fixtures/debug/reference/ports.yaml'),
];
const args = [...files.flatMap((f) => ['-f', f]), '-p', project];
const routesPy = join(repoRoot, 'example/backend/app/routes.py');
const workerPy = join(repoRoot, 'example/backend/app/worker.py');
const viteConfig = join(repoRoot, 'example/frontend/vite.config.js');

describe.skipIf(!haveDocker)('debuggers in the reference stack (Docker)', () => {
  let env: Record<string, string>;
  let status: ProjectStatus;
  const endpoint = (service: string): DebugEndpoint => {
    const e = status.services.find((s) => s.name === service)?.debug;
    if (!e) throw new Error(`${service} has no debug endpoint: ${JSON.stringify(status.services)}`);
    return e;
  };

  beforeAll(async () => {
    env = {
      DBG_BACKEND_PORT: String(await freePort()),
      DBG_FRONTEND_PORT: String(await freePort()),
      NPM_REGISTRY: npmRegistry(),
    };
    const up = await devenv([...args, 'up', '--detach'], { env, timeoutMs: 600_000 });
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    status = await daemonStatus(files, project);
  });

  afterAll(async () => {
    if (!haveDocker) return;
    const down = await devenv([...args, 'down', '--volumes'], { env });
    expect(down.code, down.stderr).toBe(0);
    removeImagesOf(project);
  });

  it('fills each debuggable service’s endpoint: 127.0.0.1, stable ports, path mappings', () => {
    const backend = endpoint('backend');
    expect(backend).toMatchObject({ type: 'python', protocol: 'dap', hostIp: '127.0.0.1' });
    expect(backend.pathMappings).toEqual([
      { localRoot: join(repoRoot, 'example/backend/app'), remoteRoot: '/app/app' },
      { localRoot: join(repoRoot, 'example/backend'), remoteRoot: '/app' },
    ]);
    expect(endpoint('worker')).toMatchObject({ type: 'python', protocol: 'dap', hostIp: '127.0.0.1' });
    expect(endpoint('frontend')).toMatchObject({ type: 'node', protocol: 'cdp', hostIp: '127.0.0.1' });
    expect(endpoint('frontend').pathMappings).toContainEqual({
      localRoot: join(repoRoot, 'example/frontend'),
      remoteRoot: '/app',
    });
    const names = status.services.filter((s) => s.debug).map((s) => s.name);
    expect(names.sort()).toEqual(['backend', 'frontend', 'worker']);
    // The worker publishes only its debug port: that is no URL to open.
    expect(status.services.find((s) => s.name === 'worker')?.url).toBeUndefined();
  });

  it('publishes debug ports on 127.0.0.1 only (ss -ltn and Docker agree)', () => {
    for (const service of ['backend', 'worker', 'frontend']) {
      const port = endpoint(service).hostPort;
      const listeners = execFileSync('ss', ['-ltnH', `sport = :${port}`], { encoding: 'utf8' })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.trim().split(/\s+/)[3]!);
      expect(listeners.length, `${service} :${port}`).toBeGreaterThan(0);
      for (const local of listeners) expect(local, `${service} listener`).toBe(`127.0.0.1:${port}`);
    }
    const ids = idsByService(project);
    const bindings = inspect<{ HostConfig: { PortBindings: Record<string, { HostIp: string }[]> } }>(ids.backend!)
      .HostConfig.PortBindings;
    expect(bindings['5678/tcp']).toEqual([{ HostIp: '127.0.0.1', HostPort: String(endpoint('backend').hostPort) }]);
  });

  it('stops at the health route for an HTTP request, in the local file', async () => {
    const line = lineOf(routesPy, 'checks = {"db": check_database()');
    const e = endpoint('backend');
    const session = await DebugpySession.attach({
      host: e.hostIp,
      port: e.hostPort,
      pathMappings: e.pathMappings,
      breakpoints: { [routesPy]: [line] },
    });
    try {
      await session.waitForChildren(1);
      const response = requestUntilAnswered(`http://127.0.0.1:${env.DBG_BACKEND_PORT}/api/health`);
      const stop = await session.waitForStop(30_000);
      expect(stop.reason).toBe('breakpoint');
      expect(stop.frames[0]).toMatchObject({ name: 'health', line, source: { path: routesPy } });
      // uvicorn --reload serves from a child process: the hit came through a followed child.
      expect(stop.connection).not.toBe(session.root);
      await session.setBreakpoints(routesPy, []);
      await session.resume(stop);
      expect((await response).status).toBe(200);
    } finally {
      await session.close();
    }
  });

  it('stops again after a reload replaced its server process (the new one followed through debugpyAttach)', async () => {
    const line = lineOf(routesPy, 'checks = {"db": check_database()');
    const e = endpoint('backend');
    const url = `http://127.0.0.1:${env.DBG_BACKEND_PORT}/api/health`;
    const session = await DebugpySession.attach({
      host: e.hostIp,
      port: e.hostPort,
      pathMappings: e.pathMappings,
      breakpoints: { [routesPy]: [line] },
    });
    try {
      await session.waitForChildren(1);
      // The process serving now stops once.
      const first = requestUntilAnswered(url);
      const before = await session.waitForStop(60_000);
      expect(before.connection).not.toBe(session.root);
      await session.resume(before);
      expect((await first).status).toBe(200);
      // What a sync of routes.py does: a newer file in the container; the reloader replaces the server.
      docker(['exec', idsByService(project).backend!, 'touch', '/app/app/routes.py']);
      const { stop, response } = await stopInAnotherProcess(session, url, before);
      expect(stop.frames[0]).toMatchObject({ name: 'health', line, source: { path: routesPy } });
      // Every process but the first attach came from a debugpyAttach event.
      expect(stop.connection.label).toMatch(/^debugpy child \d+$/);
      expect(session.childAttaches.map((c) => `debugpy child ${String(c.subProcessId)}`)).toContain(
        stop.connection.label,
      );
      await session.setBreakpoints(routesPy, []);
      await session.resume(stop);
      expect((await response).status).toBe(200);
    } finally {
      await session.close();
    }
  });

  it('stops in the Celery task enqueued by POST /api/tasks', async () => {
    const line = lineOf(workerPy, 'result = run_job(kind, payload)');
    const e = endpoint('worker');
    const session = await DebugpySession.attach({
      host: e.hostIp,
      port: e.hostPort,
      pathMappings: e.pathMappings,
      breakpoints: { [workerPy]: [line] },
    });
    try {
      const created = await requestUntilAnswered(`http://127.0.0.1:${env.DBG_BACKEND_PORT}/api/tasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'add', payload: { a: 2, b: 3 } }),
      });
      expect(created.status).toBe(202);
      const task = (await created.json()) as { task_id: string };
      const stop = await session.waitForStop(30_000);
      expect(stop.frames[0]).toMatchObject({ name: 'run_task', line, source: { path: workerPy } });
      await session.setBreakpoints(workerPy, []);
      await session.resume(stop);
      const done = await waitUntil('the task to succeed', async () => {
        const r = await fetch(`http://127.0.0.1:${env.DBG_BACKEND_PORT}/api/tasks/${task.task_id}`);
        const body = (await r.json()) as { state: string; result?: { sum: number } };
        return body.state === 'SUCCESS' && body;
      });
      expect(done.result).toEqual({ sum: 5 });
    } finally {
      await session.close();
    }
  });

  it('stops in vite.config.js logProxiedRequest for a proxied /api request (CDP)', async () => {
    const line = lineOf(viteConfig, 'console.log(`[proxy]');
    const e = endpoint('frontend');
    const session = await NodeDebugSession.attach({ host: e.hostIp, port: e.hostPort, pathMappings: e.pathMappings });
    try {
      expect(await session.setBreakpoint(viteConfig, line)).toBeGreaterThan(0);
      const response = requestUntilAnswered(`http://127.0.0.1:${env.DBG_FRONTEND_PORT}/api/health`);
      const pause = await session.waitForPause(30_000);
      expect(pause).toMatchObject({ functionName: 'logProxiedRequest', localPath: viteConfig, line });
      expect(pause.scriptUrl).toMatch(/^file:\/\/\/app\/vite\.config\.js\.timestamp-/);
      await session.resume();
      expect((await response).status).toBe(200);
    } finally {
      await session.close();
    }
  });

  it('keeps every container on a second up (the injected spec hashes the same)', async () => {
    const before = idsByService(project);
    const up = await devenv([...args, 'up', '--detach'], { env });
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    expect(idsByService(project)).toEqual(before);
    const again = await daemonStatus(files, project);
    for (const service of ['backend', 'worker', 'frontend']) {
      expect(again.services.find((s) => s.name === service)?.debug).toEqual(endpoint(service));
    }
  });
});
