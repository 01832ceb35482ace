// Debugger edge cases against real Docker, through the CLI: a user's debugpy bound to loopback
// inside the container (unreachable through the published port until devenv rewrites it), and
// an image without debugpy (an inferred debugger is left out, with the fix; one asked for fails
// `up` with what to install).

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeDebugger } from '../../engine/src/debug/probe.js';
import { devenv, repoRoot } from '../helpers/cli.js';
import { daemonStatus } from '../helpers/daemon-status.js';
import { DebugpySession } from '../helpers/dap-client.js';
import { docker, dockerAvailable, idsByService, inspect } from '../helpers/docker.js';
import { freePort, lineOf, removeImagesOf, requestUntilAnswered } from './helpers.js';

const haveDocker = dockerAvailable();
const project = `dbgdev-edge-${process.pid}`;
const fixture = join(repoRoot, 'test/fixtures/debug/edge-cases');
const files = [join(fixture, 'compose.yaml')];
const args = ['-f', files[0]!, '-p', project];
const appPy = join(fixture, 'python-image/app.py');

describe.skipIf(!haveDocker)('debugger edge cases (Docker)', () => {
  let env: Record<string, string>;

  beforeAll(async () => {
    env = { DBG_APP_PORT: String(await freePort()) };
  });

  afterAll(async () => {
    await devenv([...args, 'down', '--volumes'], { env });
    removeImagesOf(project);
  });

  it('rewrites a debugpy bound to 127.0.0.1 inside the container to 0.0.0.0, says so, and it is attachable', async () => {
    const up = await devenv([...args, 'up', '--detach', 'loopback'], { env, timeoutMs: 600_000 });
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const container = idsByService(project).loopback!;
    expect(inspect<{ Config: { Cmd: string[] } }>(container).Config.Cmd).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      'app.py',
    ]);
    const logs = await devenv([...args, 'logs', 'loopback'], { env });
    expect(`${up.stdout}${up.stderr}${logs.stdout}`).toMatch(
      /inside the container, which the published port cannot reach: devenv rewrote `--listen 127.0.0.1:5678` to `--listen 0.0.0.0:5678`/,
    );

    const endpoint = (await daemonStatus(files, project)).services.find((s) => s.name === 'loopback')!.debug!;
    expect(await probeDebugger(endpoint, 5_000)).toMatchObject({ ok: true });
    const line = lineOf(appPy, 'body = b"hello');
    const session = await DebugpySession.attach({
      host: endpoint.hostIp,
      port: endpoint.hostPort,
      pathMappings: endpoint.pathMappings,
      breakpoints: { [appPy]: [line] },
    });
    try {
      const response = requestUntilAnswered(`http://127.0.0.1:${env.DBG_APP_PORT}/`);
      const stop = await session.waitForStop(30_000);
      // No sync rule and no mount: the build context ↔ the Dockerfile's WORKDIR maps the file.
      expect(stop.frames[0]).toMatchObject({ name: 'handle', line, source: { path: appPy } });
      await session.resume(stop);
      expect((await response).status).toBe(200);
    } finally {
      await session.close();
    }
  });

  it('shows why the rewrite matters: the same debugger left on loopback is unreachable', async () => {
    const port = await freePort();
    const image = `${project}-loopback`;
    const id = docker([
      'run',
      '-d',
      '--label',
      `dev.devenv.project=${project}-plain`,
      '-p',
      `127.0.0.1:${port}:5678`,
      image,
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '127.0.0.1:5678',
      'app.py',
    ]);
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      const probe = await probeDebugger({ protocol: 'dap', hostIp: '127.0.0.1', hostPort: port }, 3_000);
      expect(probe.ok).toBe(false);
    } finally {
      docker(['rm', '-f', id]);
    }
  });

  it('runs an image without debugpy without the debugger it inferred, and says why with the Dockerfile line', async () => {
    const up = await devenv([...args, 'up', '--detach', 'nodebugpy'], { env, timeoutMs: 600_000 });
    const output = `${up.stdout}\n${up.stderr}`;
    expect(up.code, output).toBe(0);
    expect(output.match(/warning: nodebugpy: runs without a debugger: debugpy is not installed/g)?.length).toBe(1);
    const status = (await daemonStatus(files, project)).services.find((s) => s.name === 'nodebugpy')!;
    expect(status.debug).toBeUndefined();
    expect(status.debugAbsent).toEqual({
      kind: 'unavailable',
      type: 'python',
      reason: `debugpy is not installed in the image of nodebugpy (${project}-nodebugpy:latest) for /usr/bin/python3`,
      fix: 'add `RUN apt-get update && apt-get install -y --no-install-recommends python3-debugpy` to python-image/Dockerfile',
    });
  });

  it('fails `up` of the same image with what to install when the file asks for the debugger', async () => {
    const up = await devenv([...args, 'up', '--detach', 'askeddebug'], { env, timeoutMs: 600_000 });
    const output = `${up.stdout}\n${up.stderr}`;
    expect(up.code, output).not.toBe(0);
    expect(output).toMatch(/debugpy is not installed in the image of askeddebug/);
    expect(output).toMatch(/apt-get install python3-debugpy/);
    expect(output).toMatch(/pip install debugpy/);
    expect(output).not.toMatch(/\n\s+at /); // a user error, not a stack
  });
});
