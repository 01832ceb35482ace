import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadProject } from '../config/index.js';
import type { ProjectSpec } from '../model/spec.js';
import { specHash } from '../model/spec-hash.js';
import { injectPlanned, observedEndpoint, planDebug, requestedDebug } from './debug-plan.js';

const repo = resolve(import.meta.dirname, '..', '..', '..');
const free = async () => true;

// The reference stack as the config loader gives it: the real file, the real Dockerfiles.
let project: ProjectSpec;
beforeAll(async () => {
  const loaded = await loadProject({
    files: [resolve(repo, 'compose/reference/compose.yaml')],
    cwd: repo,
    env: { HOME: '/root', PATH: '/usr/bin' },
  });
  project = loaded.project;
});

const frontendImage = {
  entrypoint: ['docker-entrypoint.sh'],
  cmd: ['node', 'node_modules/vite/bin/vite.js', '--host', '0.0.0.0', '--port', '5173', '--strictPort'],
  workingDir: '/app',
};

describe('planDebug + injectPlanned on the reference stack', () => {
  it('gives python services 5678.. and the frontend 9229; migrate, postgres and redis nothing', async () => {
    const plan = await planDebug(project, 'docker', [], { isFree: free });
    expect(Object.fromEntries(Object.entries(plan.services).map(([k, v]) => [k, [v.debug.type, v.hostPort]]))).toEqual({
      backend: ['python', 5678],
      frontend: ['node', 9229],
      worker: ['python', 5679],
    });
    // migrate sits in front of every up and says `x-devenv.debug: false`: no debugger for it.
    expect(plan.services.migrate).toBeUndefined();
    expect(plan.services.backend!.workdir).toBe('/app');
  });

  it('rewrites each command and fills endpoints with path mappings', async () => {
    const plan = await planDebug(project, 'docker', [], { isFree: free });
    const backend = injectPlanned(plan, project.services.backend!);
    expect(backend.service.command!.slice(0, 7)).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '-m',
      'uvicorn',
    ]);
    expect(backend.endpoint).toEqual({
      type: 'python',
      protocol: 'dap',
      hostIp: '127.0.0.1',
      hostPort: 5678,
      pathMappings: [
        { localRoot: resolve(repo, 'example/backend/app'), remoteRoot: '/app/app' },
        { localRoot: resolve(repo, 'example/backend'), remoteRoot: '/app' },
      ],
    });
    expect(backend.notes).toEqual(['debugger: python (dap) on 127.0.0.1:5678']);

    const frontend = injectPlanned(plan, project.services.frontend!, frontendImage);
    expect(frontend.service.command!.slice(0, 3)).toEqual([
      'node',
      '--inspect=0.0.0.0:9229',
      'node_modules/vite/bin/vite.js',
    ]);
    expect(frontend.endpoint!.pathMappings).toContainEqual({
      localRoot: resolve(repo, 'example/frontend'),
      remoteRoot: '/app',
    });

    const postgres = injectPlanned(plan, project.services.postgres!);
    expect(postgres).toEqual({ service: project.services.postgres, notes: [] });
  });

  it('without the image, a frontend left to its image CMD is explained, not injected', async () => {
    const plan = await planDebug(project, 'docker', [], { isFree: free });
    const frontend = injectPlanned(plan, project.services.frontend!);
    expect(frontend.endpoint).toBeUndefined();
    expect(frontend.notes[0]).toMatch(/^no debugger: frontend runs its image's default command/);
  });

  it("keeps the host ports a project's running instances publish, so the spec hash is stable", async () => {
    const first = await planDebug(project, 'docker', [], { isFree: async (p) => p !== 5678 });
    expect(first.services.backend!.hostPort).toBe(5679);
    const observed = Object.entries(first.services).map(([service, e]) => ({
      service,
      state: {
        status: 'running',
        ports: [{ hostIp: '127.0.0.1', hostPort: e.hostPort, containerPort: e.debug.port, protocol: 'tcp' as const }],
      },
    }));
    // Now every port looks busy (our own containers hold them) and 5678 became free: nothing moves.
    const again = await planDebug(project, 'docker', observed, { isFree: async (p) => p === 5678 });
    const hostPorts = (p: typeof first) =>
      Object.fromEntries(Object.entries(p.services).map(([k, v]) => [k, v.hostPort]));
    expect(hostPorts(again)).toEqual(hostPorts(first));
    const hash = (p: typeof first) => specHash(injectPlanned(p, project.services.backend!).service);
    expect(hash(again)).toBe(hash(first));
  });

  it('uses the process commands on the process runtime', async () => {
    const plan = await planDebug(project, 'process', [], { isFree: free });
    const worker = injectPlanned(plan, project.services.worker!);
    expect(worker.service.devenv.process!.command.slice(0, 7)).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      `127.0.0.1:${plan.services.worker!.hostPort}`,
      '-m',
      'celery',
    ]);
    expect(worker.endpoint!.pathMappings).toEqual([]);
    expect(worker.service.ports).toEqual([]);
  });

  it('does nothing when disabled', async () => {
    const plan = await planDebug(project, 'docker', [], { isFree: free, enabled: false });
    expect(plan.services).toEqual({});
  });
});

describe('observedEndpoint', () => {
  it('reads the endpoint back from what a running instance publishes', () => {
    const endpoint = observedEndpoint(
      project.services.worker!,
      'docker',
      [{ hostIp: '127.0.0.1', hostPort: 5690, containerPort: 5678, protocol: 'tcp' }],
      '/app',
    );
    expect(endpoint).toMatchObject({ type: 'python', protocol: 'dap', hostIp: '127.0.0.1', hostPort: 5690 });
    expect(endpoint!.pathMappings[0]).toEqual({
      localRoot: resolve(repo, 'example/backend/app'),
      remoteRoot: '/app/app',
    });
    expect(observedEndpoint(project.services.worker!, 'docker', [])).toBeUndefined();
  });
});

describe('one-shot jobs others wait for', () => {
  // A plain Compose file, through the real loader.
  let plain: ProjectSpec;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'devenv-plain-'));
    writeFileSync(
      join(dir, 'compose.yaml'),
      [
        'services:',
        '  seed: { image: app, command: [python3, seed.py] }',
        '  api:',
        '    image: app',
        '    command: [flask, --app, api, run]',
        '    depends_on: { seed: { condition: service_completed_successfully } }',
        '  report: { image: app, command: [python3, report.py] }',
        '  migrate: { image: app, command: [alembic, upgrade, head] }',
        '  db: { image: postgres }',
        '',
      ].join('\n'),
    );
    plain = (await loadProject({ files: [join(dir, 'compose.yaml')], cwd: dir, env: {} })).project;
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps an inferred debugger off a job others wait for, and says how to get it', async () => {
    const plan = await planDebug(plain, 'docker', [], { isFree: free });
    expect(Object.keys(plan.services).sort()).toEqual(['api', 'report']);
    const seed = injectPlanned(plan, plain.services.seed!);
    expect(seed.service).toBe(plain.services.seed);
    expect(seed.endpoint).toBeUndefined();
    expect(seed.absent).toEqual({
      kind: 'on-request',
      type: 'python',
      reason: 'seed is a one-shot job api waits for: it runs without a debugger, off the critical path of `up`',
      fix: 'devenv debug seed',
    });
  });

  it('still gives it the debugger the file asks for', async () => {
    const asked = {
      ...plain,
      services: {
        ...plain.services,
        seed: { ...plain.services.seed!, devenv: { debug: { type: 'python' as const, wait: false } } },
      },
    };
    const plan = await planDebug(asked, 'docker', [], { isFree: free });
    expect(plan.services.seed?.debug).toMatchObject({ type: 'python', inferred: false, wait: false });
    expect(plan.onRequest).toEqual({});
  });

  it('on request, runs it under its debugger waiting for a client, even with `debug: false` or --no-debug', async () => {
    const off = {
      ...plain,
      services: { ...plain.services, seed: { ...plain.services.seed!, devenv: { debug: false as const } } },
    };
    const plan = await planDebug(off, 'docker', [], { isFree: free, enabled: false, requested: ['seed'] });
    expect(Object.keys(plan.services)).toEqual(['seed']);
    const seed = injectPlanned(plan, off.services.seed!);
    expect(seed.service.command).toEqual([
      'python3',
      '-m',
      'debugpy',
      '--listen',
      '0.0.0.0:5678',
      '--wait-for-client',
      'seed.py',
    ]);
    // A migration is never inferred, but can be asked for.
    expect(requestedDebug(plain.services.migrate!, 'docker')).toMatchObject({ type: 'python', wait: true });
    expect(requestedDebug(plain.services.db!, 'docker')).toMatch(/runs no Python or Node program/);
  });
});
