#!/usr/bin/env node
// Debugger benchmark against the local Docker engine, on the reference stack's own images. Every
// figure is printed beside its baseline (the same container, the same request, no debugger).
// Measures, never asserts. Run after `npm run build`:
//   node scripts/bench/debug.mjs [--samples N] [--no-node] [--keep]
//
//  - start: container start → debugger attachable (a connection debugpy keeps open; the Node
//    inspector's /json/version), and → app answering HTTP, vs the app answering without one;
//  - request: GET /api/health with no debugger, under a debugger nobody attached to, with a
//    client attached (no breakpoint), and the breakpoint-hit latency: request sent → `stopped`
//    (DAP) / `Debugger.paused` (CDP) received, and → stack frames in hand.
// Python: backend (uvicorn --reload, so the request runs in a followed child process).
// Node: frontend (Vite), breakpoint in vite.config.js logProxiedRequest, /api proxied to a backend.
// The frontend's node_modules is installed once into a volume with the host's CA (as in
// compose.host-ca.yaml); set NPM_REGISTRY / HOST_CA_BUNDLE like there.

import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Docker from 'dockerode';
import ts from 'typescript';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const PREFIX = 'dbgdev-bench';
const LABELS = { 'dev.devenv.project': PREFIX, 'dev.devenv.service': 'bench' };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) / 2]
      : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x) => Math.round(x * 10) / 10;
const verbose = process.argv.includes('--verbose');
const progress = (msg) => verbose && process.stderr.write(`[debug bench] ${msg}\n`);

/** The test clients are TypeScript: transpile them (no type check) next to node_modules so `ws` resolves. */
async function loadClients() {
  const out = path.join(repoRoot, 'node_modules', '.cache', 'devenv-debug-bench');
  mkdirSync(out, { recursive: true });
  const load = async (name) => {
    const src = readFileSync(path.join(repoRoot, 'test', 'helpers', `${name}.ts`), 'utf8');
    const js = ts.transpileModule(src, {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: false },
    }).outputText;
    const file = path.join(out, `${name}.mjs`);
    writeFileSync(file, js);
    return import(pathToFileURL(file).href);
  };
  return { dap: await load('dap-client'), cdp: await load('cdp-client') };
}

async function freePort() {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** Time until `probe` resolves truthy (polling every 20 ms), or NaN after the deadline. */
async function timeUntil(t0, probe, timeoutMs = 60_000) {
  while (Date.now() - t0 < timeoutMs) {
    if (await probe().catch(() => false)) return Date.now() - t0;
    await sleep(20);
  }
  return Number.NaN;
}

/**
 * One GET, resolved when the whole answer arrived. node:http, not fetch: a fetch to Docker's proxy
 * with nothing behind it can stay pending with no handle left, and the process just exits.
 */
function httpAnswers(url, timeoutMs = 2_000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(true));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

function serviceSpec(partial) {
  return {
    name: 'bench',
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: {},
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
    ...partial,
  };
}

export async function runDebugBench(opts = {}) {
  const samples = opts.samples ?? 5;
  const withNode = opts.node ?? true;
  const docker = new Docker();
  const { injectDebugger, probeDebugger } = await import(
    pathToFileURL(path.join(repoRoot, 'engine/dist/debug/index.js')).href
  );
  const { dap, cdp } = await loadClients();
  const created = [];
  const network = `${PREFIX}-net`;
  const nmVolume = `${PREFIX}-node-modules`;

  const build = (name, dir) => {
    execFileSync('docker', ['build', '-q', '-t', `${PREFIX}-${name}`, path.join(repoRoot, dir)], { stdio: 'pipe' });
    return `${PREFIX}-${name}`;
  };

  async function run({ image, cmd, env = {}, ports = {}, alias, volumes = [], entrypoint }) {
    const exposed = {};
    const bindings = {};
    for (const [container, host] of Object.entries(ports)) {
      exposed[`${container}/tcp`] = {};
      bindings[`${container}/tcp`] = [{ HostIp: '127.0.0.1', HostPort: String(host) }];
    }
    progress(`run ${image} ${(cmd ?? []).join(' ')}`);
    const c = await docker.createContainer({
      Image: image,
      ...(cmd ? { Cmd: cmd } : {}),
      ...(entrypoint ? { Entrypoint: entrypoint } : {}),
      Env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
      Labels: LABELS,
      ExposedPorts: exposed,
      HostConfig: { PortBindings: bindings, NetworkMode: network, Binds: volumes },
      NetworkingConfig: { EndpointsConfig: { [network]: { Aliases: alias ? [alias] : [] } } },
    });
    created.push(c);
    const t0 = Date.now();
    await c.start();
    return { container: c, t0 };
  }
  const remove = async (c) => {
    await c.remove({ force: true }).catch(() => undefined);
    created.splice(created.indexOf(c), 1);
  };

  const result = { machine: await machineInfo(docker), samples, python: {}, node: undefined };
  try {
    await docker.createNetwork({ Name: network, Labels: LABELS, CheckDuplicate: true }).catch(() => undefined);

    // ---- Python: the reference backend ---------------------------------------------------
    const backendImage = build('backend', 'example/backend');
    const backendCmd = ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000', '--reload'];
    // No database or Redis needed: SQLite for `SELECT 1`, Redis refused at once (health answers 503).
    const backendEnv = { DATABASE_URL: 'sqlite:////tmp/bench.db', REDIS_URL: 'redis://127.0.0.1:1/0' };
    const debugPort = await freePort();
    const injected = injectDebugger(serviceSpec({ command: backendCmd, environment: backendEnv }), {
      runtime: 'docker',
      hostPort: debugPort,
    });
    const debugCmd = injected.service.command;
    const debugEnv = injected.service.environment;
    const endpoint = injected.endpoint;
    const routes = path.join(repoRoot, 'example/backend/app/routes.py');
    const healthLine =
      readFileSync(routes, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('checks = {"db": check_database()')) + 1;

    const start = { baselineAppMs: [], debuggerAttachableMs: [], debugAppMs: [] };
    for (let i = 0; i < samples; i++) {
      const appPort = await freePort();
      const base = await run({ image: backendImage, cmd: backendCmd, env: backendEnv, ports: { 8000: appPort } });
      start.baselineAppMs.push(await timeUntil(base.t0, () => httpAnswers(`http://127.0.0.1:${appPort}/api/health`)));
      await remove(base.container);

      const dbg = await run({
        image: backendImage,
        cmd: debugCmd,
        env: debugEnv,
        ports: { 8000: appPort, 5678: debugPort },
      });
      start.debuggerAttachableMs.push(await timeUntil(dbg.t0, async () => (await probeDebugger(endpoint, 1_000)).ok));
      start.debugAppMs.push(await timeUntil(dbg.t0, () => httpAnswers(`http://127.0.0.1:${appPort}/api/health`)));
      await remove(dbg.container);
    }

    const request = {
      baselineMs: [],
      debuggerIdleMs: [],
      attachedMs: [],
      breakpointEventMs: [],
      breakpointFramesMs: [],
    };
    const timeRequest = async (url) => {
      const t0 = performance.now();
      await httpAnswers(url);
      return performance.now() - t0;
    };
    const warm = async (url, n) => {
      for (let i = 0; i < n; i++) await httpAnswers(url);
    };
    {
      const appPort = await freePort();
      const url = `http://127.0.0.1:${appPort}/api/health`;
      const base = await run({
        image: backendImage,
        cmd: backendCmd,
        env: backendEnv,
        ports: { 8000: appPort },
        alias: 'backend',
      });
      await timeUntil(base.t0, () => httpAnswers(url));
      await warm(url, 10);
      for (let i = 0; i < samples * 4; i++) request.baselineMs.push(await timeRequest(url));
      await remove(base.container);

      const dbg = await run({
        image: backendImage,
        cmd: debugCmd,
        env: debugEnv,
        ports: { 8000: appPort, 5678: debugPort },
      });
      await timeUntil(dbg.t0, () => httpAnswers(url));
      await warm(url, 10);
      for (let i = 0; i < samples * 4; i++) request.debuggerIdleMs.push(await timeRequest(url));

      const session = await dap.DebugpySession.attach({
        host: endpoint.hostIp,
        port: endpoint.hostPort,
        pathMappings: [{ localRoot: path.join(repoRoot, 'example/backend/app'), remoteRoot: '/app/app' }],
      });
      await session.waitForChildren(1);
      await warm(url, 10);
      for (let i = 0; i < samples * 4; i++) request.attachedMs.push(await timeRequest(url));

      await session.setBreakpoints(routes, [healthLine]);
      for (let i = 0; i < samples; i++) {
        const t0 = Date.now();
        const pending = httpAnswers(url, 60_000);
        const stop = await session.waitForStop(30_000);
        request.breakpointEventMs.push(stop.eventAt - t0);
        request.breakpointFramesMs.push(Date.now() - t0);
        await session.resume(stop);
        await pending;
      }
      await session.close();
      await remove(dbg.container);
    }
    result.python = { start: summarise(start), request: summarise(request) };

    // ---- Node: the reference frontend (Vite) ----------------------------------------------
    if (withNode) result.node = await benchNode();
  } finally {
    for (const c of [...created]) await remove(c);
    if (!opts.keep) {
      await docker
        .getNetwork(network)
        .remove()
        .catch(() => undefined);
      await docker
        .getVolume(nmVolume)
        .remove()
        .catch(() => undefined);
      for (const name of ['backend', 'frontend'])
        await docker
          .getImage(`${PREFIX}-${name}`)
          .remove()
          .catch(() => undefined);
    }
  }
  return result;

  async function benchNode() {
    const frontendImage = build('frontend', 'example/frontend');
    const backendImage = `${PREFIX}-backend`;
    const backendEnv = { DATABASE_URL: 'sqlite:////tmp/bench.db', REDIS_URL: 'redis://127.0.0.1:1/0' };
    const backend = await run({
      image: backendImage,
      cmd: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'],
      env: backendEnv,
      alias: 'backend',
    });
    const caBundle = process.env.HOST_CA_BUNDLE ?? '/etc/ssl/certs/ca-certificates.crt';
    const feEnv = {
      BACKEND_URL: 'http://backend:8000',
      npm_config_cafile: '/etc/ssl/certs/host-ca.crt',
      npm_config_registry: process.env.NPM_REGISTRY ?? 'https://registry.npmjs.org/',
    };
    const volumes = [`${nmVolume}:/app/node_modules`, `${caBundle}:/etc/ssl/certs/host-ca.crt:ro`];
    const viteCmd = ['node', 'node_modules/vite/bin/vite.js', '--host', '0.0.0.0', '--port', '5173', '--strictPort'];
    // Once: npm ci into the volume (the entrypoint does it when the lock file changed).
    {
      const port = await freePort();
      const first = await run({ image: frontendImage, cmd: viteCmd, env: feEnv, ports: { 5173: port }, volumes });
      await timeUntil(first.t0, () => httpAnswers(`http://127.0.0.1:${port}/`), 300_000);
      await remove(first.container);
    }
    const inspectPort = await freePort();
    const injected = injectDebugger(serviceSpec({ devenv: { debug: { type: 'node', wait: false } } }), {
      runtime: 'docker',
      hostPort: inspectPort,
      image: { entrypoint: ['docker-entrypoint.sh'], cmd: viteCmd, workingDir: '/app' },
    });
    const debugCmd = injected.service.command;
    const endpoint = injected.endpoint;
    const viteConfig = path.join(repoRoot, 'example/frontend/vite.config.js');
    const line =
      readFileSync(viteConfig, 'utf8')
        .split('\n')
        .findIndex((l) => l.includes('console.log(`[proxy]')) + 1;

    const start = { baselineAppMs: [], debuggerAttachableMs: [], debugAppMs: [] };
    for (let i = 0; i < samples; i++) {
      const port = await freePort();
      const base = await run({ image: frontendImage, cmd: viteCmd, env: feEnv, ports: { 5173: port }, volumes });
      start.baselineAppMs.push(await timeUntil(base.t0, () => httpAnswers(`http://127.0.0.1:${port}/`)));
      await remove(base.container);
      const dbg = await run({
        image: frontendImage,
        cmd: debugCmd,
        env: feEnv,
        ports: { 5173: port, 9229: inspectPort },
        volumes,
      });
      start.debuggerAttachableMs.push(await timeUntil(dbg.t0, async () => (await probeDebugger(endpoint, 1_000)).ok));
      start.debugAppMs.push(await timeUntil(dbg.t0, () => httpAnswers(`http://127.0.0.1:${port}/`)));
      await remove(dbg.container);
    }

    const request = {
      baselineMs: [],
      debuggerIdleMs: [],
      attachedMs: [],
      breakpointEventMs: [],
      breakpointFramesMs: [],
    };
    const timeRequest = async (url) => {
      const t0 = performance.now();
      await httpAnswers(url);
      return performance.now() - t0;
    };
    const port = await freePort();
    const url = `http://127.0.0.1:${port}/api/health`;
    const base = await run({ image: frontendImage, cmd: viteCmd, env: feEnv, ports: { 5173: port }, volumes });
    await timeUntil(base.t0, () => httpAnswers(url));
    for (let i = 0; i < 10; i++) await httpAnswers(url);
    for (let i = 0; i < samples * 4; i++) request.baselineMs.push(await timeRequest(url));
    await remove(base.container);

    const dbg = await run({
      image: frontendImage,
      cmd: debugCmd,
      env: feEnv,
      ports: { 5173: port, 9229: inspectPort },
      volumes,
    });
    await timeUntil(dbg.t0, () => httpAnswers(url));
    for (let i = 0; i < 10; i++) await httpAnswers(url);
    for (let i = 0; i < samples * 4; i++) request.debuggerIdleMs.push(await timeRequest(url));
    const session = await cdp.NodeDebugSession.attach({
      host: endpoint.hostIp,
      port: endpoint.hostPort,
      pathMappings: [{ localRoot: path.join(repoRoot, 'example/frontend'), remoteRoot: '/app' }],
    });
    for (let i = 0; i < samples * 4; i++) request.attachedMs.push(await timeRequest(url));
    await session.setBreakpoint(viteConfig, line);
    for (let i = 0; i < samples; i++) {
      const t0 = Date.now();
      const pending = httpAnswers(url, 60_000);
      const pause = await session.waitForPause(30_000);
      request.breakpointEventMs.push(pause.eventAt - t0);
      request.breakpointFramesMs.push(Date.now() - t0);
      await session.resume();
      await pending;
    }
    await session.close();
    await remove(dbg.container);
    await remove(backend.container);
    return { start: summarise(start), request: summarise(request) };
  }
}

function summarise(series) {
  return Object.fromEntries(Object.entries(series).map(([k, xs]) => [k, round(median(xs))]));
}

async function machineInfo(docker) {
  const v = await docker.version();
  return {
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    docker: `Docker ${v.Version} (API ${v.ApiVersion})`,
    node: process.version,
  };
}

function report(r) {
  const lines = [`debug bench: ${r.machine.cores} cores, ${r.machine.docker}, medians of ${r.samples} starts`];
  for (const [kind, label] of [
    ['python', 'python (backend, uvicorn --reload, debugpy)'],
    ['node', 'node (frontend, Vite, --inspect)'],
  ]) {
    const x = r[kind];
    if (!x?.start) continue;
    const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
    lines.push(
      '',
      label,
      `  start → app answers, no debugger        ${x.start.baselineAppMs} ms`,
      `  start → debugger attachable             ${x.start.debuggerAttachableMs} ms`,
      `  start → app answers, under debugger     ${x.start.debugAppMs} ms  (${ratio(x.start.debugAppMs, x.start.baselineAppMs)})`,
      `  request, no debugger                    ${x.request.baselineMs} ms`,
      `  request, debugger, no client            ${x.request.debuggerIdleMs} ms  (${ratio(x.request.debuggerIdleMs, x.request.baselineMs)})`,
      `  request, client attached                ${x.request.attachedMs} ms  (${ratio(x.request.attachedMs, x.request.baselineMs)})`,
      `  request → breakpoint event              ${x.request.breakpointEventMs} ms  (${ratio(x.request.breakpointEventMs, x.request.baselineMs)} of a whole request)`,
      `  request → stack frames in the client    ${x.request.breakpointFramesMs} ms`,
    );
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const argv = process.argv.slice(2);
  const samplesAt = argv.indexOf('--samples');
  const r = await runDebugBench({
    samples: samplesAt >= 0 ? Number(argv[samplesAt + 1]) : 5,
    node: !argv.includes('--no-node'),
    keep: argv.includes('--keep'),
  });
  console.log(report(r));
  console.log(`\n${JSON.stringify(r)}`);
}
