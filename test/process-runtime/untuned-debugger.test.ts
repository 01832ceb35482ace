// A plain Python project on the process runtime whose interpreter has no debugpy: its own
// virtualenv (`.venv` in the project, made without debugpy), which devenv must use before
// whatever `python3` comes first on PATH. The debugger devenv infers cannot run there, so the
// service comes up without it and every face of status says so, with the fix; a debugger the
// file asks for makes `up` fail with that same reason. Through the real CLI and daemon.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, lineOf } from '../debug/helpers.js';
import { devenv } from '../helpers/cli.js';
import { DebugpySession } from '../helpers/dap-client.js';
import { waitUntil } from '../helpers/wait.js';

const dir = mkdtempSync(path.join(tmpdir(), 'devenv-untuned-'));
const venv = path.join(dir, '.venv');
const project = `untuned-dbg-${process.pid}`;
const asked = `untuned-asked-${process.pid}`;
const jobs = `untuned-jobs-${process.pid}`;
const env = { NO_COLOR: '1', DEVENV_STATE_DIR: path.join(dir, 'state') };

/** A Python that can make a virtualenv: the one on PATH, else Debian's. */
function basePython(): string {
  for (const p of ['python3', '/usr/bin/python3']) {
    if (spawnSync(p, ['-c', 'import venv'], { stdio: 'ignore' }).status === 0) return p;
  }
  throw new Error('no python3 with the venv module on this machine (Debian: apt-get install python3-venv)');
}

function compose(port: number, debug?: string): string {
  return [
    'services:',
    '  kv:',
    '    x-devenv:',
    ...(debug ? [`      debug: ${debug}`] : []),
    '      process:',
    '        command: python3 -u kv.py',
    '        cwd: .',
    `        env: { KV_PORT: "${port}" }`,
    `        healthcheck: { type: http, url: "http://127.0.0.1:${port}/" }`,
    '',
  ].join('\n');
}

interface StatusJson {
  services: {
    name: string;
    state: string;
    debug: unknown;
    debugAbsent: { kind: string; type: string; reason: string; fix: string } | null;
  }[];
}

let port = 0;

beforeAll(async () => {
  // --without-pip: quick, and certainly no debugpy (system packages are not visible either).
  execFileSync(basePython(), ['-m', 'venv', '--without-pip', venv]);
  writeFileSync(
    path.join(dir, 'kv.py'),
    [
      'import http.server, json, os, sys',
      'class H(http.server.BaseHTTPRequestHandler):',
      '    def do_GET(self):',
      '        body = json.dumps({"prefix": sys.prefix, "executable": sys.executable}).encode()',
      '        self.send_response(200); self.end_headers(); self.wfile.write(body)',
      '    def log_message(self, *a): pass',
      'print("kv ready", flush=True)',
      'http.server.HTTPServer(("127.0.0.1", int(os.environ["KV_PORT"])), H).serve_forever()',
      '',
    ].join('\n'),
  );
  port = await freePort();
  writeFileSync(path.join(dir, 'compose.yaml'), compose(port));
  writeFileSync(path.join(dir, 'asked.yaml'), compose(await freePort(), 'python'));
});

afterAll(async () => {
  await devenv(['-f', path.join(dir, 'compose.yaml'), '-p', project, '--runtime', 'process', 'down'], { env });
  await devenv(['-f', path.join(dir, 'asked.yaml'), '-p', asked, '--runtime', 'process', 'down'], { env });
  await devenv(['-f', path.join(dir, 'jobs', 'compose.yaml'), '-p', jobs, '--runtime', 'process', 'down'], { env });
  rmSync(dir, { recursive: true, force: true });
});

describe('an inferred debugger the interpreter cannot run (process runtime)', () => {
  const args = () => ['-f', path.join(dir, 'compose.yaml'), '-p', project, '--runtime', 'process'];

  it('comes up without it, in the project’s virtualenv, with one warning that says why and how to fix it', async () => {
    const up = await devenv([...args(), 'up', '--detach'], { env });
    expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
    const out = `${up.stdout}\n${up.stderr}`;
    const python = path.join(venv, 'bin', 'python3');
    expect(out.match(/warning: kv: runs without a debugger: debugpy is not installed for python3/g)?.length).toBe(1);

    const answer = (await (await fetch(`http://127.0.0.1:${port}/`)).json()) as { prefix: string };
    expect(answer.prefix).toBe(venv);

    const status = JSON.parse((await devenv([...args(), 'status', '--json'], { env })).stdout) as StatusJson;
    const kv = status.services.find((s) => s.name === 'kv')!;
    expect(kv.state).toBe('healthy');
    expect(kv.debug).toBeNull();
    expect(kv.debugAbsent).toEqual({
      kind: 'unavailable',
      type: 'python',
      reason: `debugpy is not installed for python3 (${python}), the interpreter that runs kv`,
      fix: `${python} -m ensurepip && ${python} -m pip install debugpy`,
    });

    const table = (await devenv([...args(), 'status'], { env })).stdout;
    expect(table).toMatch(/^kv\s.*\sunavailable\s/m);
    expect(table).toContain(`fix: ${python} -m ensurepip && ${python} -m pip install debugpy`);
    const info = (await devenv([...args(), 'debug-info'], { env })).stdout;
    expect(info).toContain('kv: python debugger unavailable: debugpy is not installed for python3');
  });

  it('fails `up` with the same reason when the file asks for the debugger', async () => {
    const up = await devenv(
      ['-f', path.join(dir, 'asked.yaml'), '-p', asked, '--runtime', 'process', 'up', '--detach'],
      {
        env,
      },
    );
    expect(up.code).not.toBe(0);
    const out = `${up.stdout}\n${up.stderr}`;
    expect(out).toContain(`debugpy is not installed for python3 (${path.join(venv, 'bin', 'python3')})`);
    expect(out).toContain('-m pip install debugpy');
  });
});

describe("a one-shot job others wait for (process runtime, Debian's python3 with debugpy)", () => {
  const haveDebugpy = spawnSync('/usr/bin/python3', ['-c', 'import debugpy'], { stdio: 'ignore' }).status === 0;
  const jobsDir = path.join(dir, 'jobs');
  const args = () => ['-f', path.join(jobsDir, 'compose.yaml'), '-p', jobs, '--runtime', 'process'];
  const seedPy = () => path.join(jobsDir, 'seed.py');

  it.skipIf(!haveDebugpy)(
    'runs without its debugger on `up`, and `devenv debug` runs it again under it, waiting for the client (needs python3-debugpy)',
    async () => {
      const apiPort = await freePort();
      mkdirSync(jobsDir);
      writeFileSync(seedPy(), 'print("seeding", flush=True)\nrows = 3\nprint("seeded", rows, flush=True)\n');
      writeFileSync(
        path.join(jobsDir, 'api.py'),
        `import http.server\nhttp.server.HTTPServer(("127.0.0.1", ${apiPort}), http.server.SimpleHTTPRequestHandler).serve_forever()\n`,
      );
      writeFileSync(
        path.join(jobsDir, 'compose.yaml'),
        [
          'services:',
          '  seed:',
          '    x-devenv: { process: { command: /usr/bin/python3 -u seed.py, cwd: . } }',
          '  api:',
          '    depends_on: { seed: { condition: service_completed_successfully } }',
          '    x-devenv:',
          `      process: { command: /usr/bin/python3 -u api.py, cwd: ., healthcheck: { type: tcp, host: 127.0.0.1, port: ${apiPort} } }`,
          '',
        ].join('\n'),
      );
      const up = await devenv([...args(), 'up', '--detach'], { env });
      expect(up.code, `${up.stdout}\n${up.stderr}`).toBe(0);
      const status = async () =>
        (JSON.parse((await devenv([...args(), 'status', '--json'], { env })).stdout) as StatusJson).services;
      const before = (await status()).find((s) => s.name === 'seed')!;
      expect(before.state).toBe('completed');
      expect(before.debug).toBeNull();
      expect(before.debugAbsent).toMatchObject({ kind: 'on-request', fix: 'devenv debug seed' });
      expect((await status()).find((s) => s.name === 'api')!.debug).not.toBeNull();

      const debug = await devenv([...args(), 'debug', 'seed'], { env });
      expect(debug.code, `${debug.stdout}\n${debug.stderr}`).toBe(0);
      const port = Number(/on 127\.0\.0\.1:(\d+)/.exec(debug.stdout)?.[1]);
      expect(port).toBeGreaterThan(0);
      // Waiting for the client: it has not seeded yet.
      const logs = async () => (await devenv([...args(), 'logs', 'seed'], { env })).stdout;
      expect((await logs()).match(/seeded 3/g)?.length).toBe(1);

      const line = lineOf(seedPy(), 'rows = 3');
      const session = await DebugpySession.attach({ host: '127.0.0.1', port, breakpoints: { [seedPy()]: [line] } });
      try {
        const stop = await session.waitForStop(60_000);
        expect(stop.frames[0]).toMatchObject({ line, source: { path: seedPy() } });
        await session.resume(stop);
      } finally {
        await session.close();
      }
      await waitUntil('the seed job to complete again', async () => (await logs()).match(/seeded 3/g)?.length === 2);
      await waitUntil(
        'seed completed',
        async () => (await status()).find((s) => s.name === 'seed')?.state === 'completed',
      );
    },
  );
});
