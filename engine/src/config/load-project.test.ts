// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { UserError } from '../errors.js';
import { memoryFs } from './config-fs.js';
import { type LoadOptions, loadProject } from './load-project.js';

const base = { '/p/api/Dockerfile': 'FROM node\n', '/p/src/': '' };

function load(files: Record<string, string>, opts: LoadOptions = {}) {
  return loadProject({ cwd: '/p', env: { HOME: '/home/me' }, fs: memoryFs({ ...base, ...files }), ...opts });
}

async function problems(files: Record<string, string>, opts: LoadOptions = {}) {
  try {
    await load(files, opts);
  } catch (error) {
    if (error instanceof UserError) return error.problems;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('loadProject', () => {
  it('normalises a service fully', async () => {
    const { project } = await load({
      '/p/compose.yaml': `services:
  api:
    build:
      context: ./api
      args: [NODE_ENV=dev, HOME]
    command: npm run "dev server"
    ports: ["3000:3000", "0.0.0.0:9229:9229"]
    volumes: ["./src:/app/src:ro", "cache:/cache"]
    tmpfs: /run
    healthcheck:
      test: curl -f localhost:3000
      interval: 5s
    restart: on-failure:2
    stop_grace_period: 1m30s
    labels: [team=web]
    networks: [back]
    develop:
      watch:
        - { path: ./src, action: sync, target: /app/src, ignore: node_modules }
    x-devenv:
      debug: node
volumes:
  cache:
networks:
  back:
`,
    });
    expect(project.name).toBe('p');
    expect(project.projectDir).toBe('/p');
    expect(project.configFiles).toEqual(['/p/compose.yaml']);
    expect(project.services.api).toMatchObject({
      name: 'api',
      build: { context: '/p/api', dockerfile: 'Dockerfile', args: { NODE_ENV: 'dev', HOME: '/home/me' } },
      command: ['npm', 'run', 'dev server'],
      ports: [
        { hostIp: '127.0.0.1', published: 3000, target: 3000, protocol: 'tcp', hostIpExplicit: false },
        { hostIp: '0.0.0.0', published: 9229, target: 9229, protocol: 'tcp', hostIpExplicit: true },
      ],
      volumes: [
        { type: 'bind', source: '/p/src', target: '/app/src', readOnly: true },
        { type: 'volume', source: 'cache', target: '/cache', readOnly: false },
        { type: 'tmpfs', target: '/run', readOnly: false },
      ],
      healthcheck: {
        test: ['CMD-SHELL', 'curl -f localhost:3000'],
        intervalMs: 5000,
        timeoutMs: 30000,
        retries: 3,
        startPeriodMs: 0,
      },
      restart: { name: 'on-failure', maxRetries: 2 },
      stopGracePeriodMs: 90_000,
      labels: { team: 'web' },
      networks: ['back'],
      develop: {
        watch: [{ path: '/p/src', action: 'sync', target: '/app/src', ignore: ['node_modules'], initialSync: false }],
      },
      devenv: { debug: { type: 'node', wait: false } },
      source: { file: '/p/compose.yaml', line: 2, col: 3 },
    });
    expect(project.volumes).toEqual({ cache: { name: 'cache', external: false, labels: {} } });
    expect(project.networks).toEqual({ back: { name: 'back', external: false } });
  });

  it('reads .env beneath the given environment and interpolates', async () => {
    const { project, warnings } = await load(
      {
        '/p/.env': 'TAG=1.0\nPORT=8000\n',
        '/p/compose.yaml':
          'services:\n  web:\n    image: "app:${TAG}"\n    ports: ["${PORT}:80"]\n    user: "${NOBODY}x"\n',
      },
      { env: { PORT: '9000' } },
    );
    expect(project.services.web?.image).toBe('app:1.0');
    expect(project.services.web?.ports[0]?.published).toBe(9000);
    expect(warnings).toMatchObject([{ code: 'config.variable-unset', location: { line: 5, col: 12 } }]);
  });

  it('casts interpolated numbers and booleans where Compose expects them', async () => {
    const { project } = await load(
      {
        '/p/compose.yaml':
          'services:\n  web:\n    image: x\n    tty: ${TTY}\n    ports: [{target: 80, published: "${P}"}]\n',
      },
      { env: { TTY: 'true', P: '8080' } },
    );
    expect(project.services.web).toMatchObject({ tty: true, ports: [{ published: 8080, target: 80 }] });
  });

  it('merges env_file entries under environment, in order', async () => {
    const { project } = await load(
      {
        '/p/a.env': 'A=from-a\nB=from-a\n',
        '/p/b.env': 'B=from-b\nC=${A}-c\n',
        '/p/compose.yaml':
          'services:\n  web:\n    image: x\n    env_file: [a.env, b.env, {path: missing.env, required: false}]\n    environment:\n      C: mine\n      D:\n',
      },
      { env: { D: 'host-d' } },
    );
    expect(project.services.web?.environment).toEqual({ A: 'from-a', B: 'from-b', C: 'mine', D: 'host-d' });
  });

  it('applies profiles from the option and COMPOSE_PROFILES, and keeps disabled services aside', async () => {
    const file =
      'services:\n  web: {image: x}\n  debug: {image: y, profiles: [dev]}\n  docs: {image: z, profiles: [docs]}\n';
    const none = await load({ '/p/compose.yaml': file });
    expect(Object.keys(none.project.services)).toEqual(['web']);
    expect(Object.keys(none.project.disabledServices ?? {})).toEqual(['debug', 'docs']);
    const some = await load({ '/p/compose.yaml': file }, { profiles: ['dev'], env: { COMPOSE_PROFILES: 'docs' } });
    expect(Object.keys(some.project.services)).toEqual(['web', 'debug', 'docs']);
    expect(Object.keys(none.resolved.services as object)).toEqual(['web']);
  });

  it('enables a requested service and its dependencies whatever their profiles', async () => {
    const file =
      'services:\n  web: {image: x}\n  tool: {image: y, profiles: [t], depends_on: [db]}\n  db: {image: z, profiles: [t]}\n';
    const { project } = await load({ '/p/compose.yaml': file }, { services: ['tool'] });
    expect(Object.keys(project.services).sort()).toEqual(['db', 'tool', 'web']);
  });

  it('merges several files in order with paths relative to the first', async () => {
    const { project } = await load(
      {
        '/p/compose.yaml': 'services:\n  web:\n    image: x\n    environment: [A=1]\n',
        '/p/ops/prod.yaml': 'services:\n  web:\n    environment: {B: 2}\n    volumes: ["./src:/src"]\n',
      },
      { files: ['compose.yaml', 'ops/prod.yaml'] },
    );
    expect(project.configFiles).toEqual(['/p/compose.yaml', '/p/ops/prod.yaml']);
    expect(project.services.web?.environment).toEqual({ A: '1', B: '2' });
    expect(project.services.web?.volumes[0]?.source).toBe('/p/src');
  });

  it('picks up the override file and searches parent directories', async () => {
    const { project } = await load(
      {
        '/p/compose.yaml': 'services:\n  web: {image: base}\n',
        '/p/compose.override.yaml': 'services:\n  web: {image: override}\n',
      },
      { cwd: '/p/src' },
    );
    expect(project.services.web?.image).toBe('override');
    expect(project.configFiles).toEqual(['/p/compose.yaml', '/p/compose.override.yaml']);
  });

  it('looks only in --project-dir when one is given', async () => {
    const files = { '/p/compose.yaml': 'services:\n  web: {image: x}\n' };
    expect((await problems(files, { projectDir: 'src' }))[0]).toMatchObject({ code: 'config.not-found' });
    expect((await load(files, { cwd: '/p/src', projectDir: '..' })).project.projectDir).toBe('/p');
  });

  it('takes the project name from -p, then COMPOSE_PROJECT_NAME, then name:, then the directory', async () => {
    const file = { '/p/compose.yaml': 'name: From_File\nservices:\n  web: {image: x}\n' };
    expect((await load(file, { projectName: 'CLI' })).project.name).toBe('cli');
    expect((await load(file, { env: { COMPOSE_PROJECT_NAME: 'env' } })).project.name).toBe('env');
    expect((await load(file)).project.name).toBe('from_file');
  });

  it('gathers every problem of a phase into one UserError', async () => {
    const found = await problems({
      '/p/compose.yaml': `services:
  web:
    image: x
    depends_on: [dbb]
    ports: ["8000:99999"]
    restart: sometimes
  db:
    image: y
`,
    });
    expect(found.map((p) => [p.code, p.location?.line, p.location?.col])).toEqual([
      ['config.unknown-dependency', 4, 18],
      ['config.port-out-of-range', 5, 13],
      ['config.invalid-restart', 6, 14],
    ]);
    expect(found.every((p) => p.hint)).toBe(true);
  });

  it('reports a missing config file and a missing -f file without positions', async () => {
    expect((await problems({}))[0]).toMatchObject({ code: 'config.not-found' });
    expect((await problems({ '/p/compose.yaml': 'services: {}\n' }, { files: ['nope.yaml'] }))[0]).toMatchObject({
      code: 'config.file-not-found',
    });
  });

  it('warns once, listing every key without effect with its position; refuses what no runtime honours', async () => {
    const { warnings } = await load({
      '/p/compose.yaml':
        'version: "3.8"\nservices:\n  web:\n    image: x\n    deploy: {replicas: 2, placement: {constraints: [node.role==manager]}}\n    attach: false\nsecrets: {}\n',
    });
    expect(warnings.map((w) => w.code)).toEqual(['config.version-obsolete', 'config.no-effect']);
    expect(warnings[1]?.message).toContain('`deploy.placement` in service `web` has no effect');
    expect(warnings[1]?.message).toContain('(compose.yaml:5:27)');
    expect(warnings[1]?.message).toContain('`attach` in service `web` has no effect');
    expect(warnings[1]?.message).toContain('(compose.yaml:6:5)');
    expect(await problems({ '/p/compose.yaml': 'services:\n  web:\n    image: x\n    gpus: all\n' })).toMatchObject([
      { code: 'config.refused-key', location: { line: 4, col: 5 }, hint: expect.stringContaining('CPU') },
    ]);
  });

  it('normalises x-devenv.process with the build context as default cwd', async () => {
    const { project } = await load({
      '/p/compose.yaml': `x-devenv: {runtime: process}
services:
  api:
    build: ./api
    x-devenv:
      process:
        command: node server.js --port 3000
        env: {PORT: "3000"}
        healthcheck: {type: http, url: "http://localhost:3000/health", interval: 500ms}
      debug: {type: node, port: 9229, host_port: 9230, wait: true}
      url: http://localhost:3000
`,
    });
    expect(project.devenv).toEqual({ runtime: 'process' });
    expect(project.services.api?.devenv).toEqual({
      process: {
        command: ['node', 'server.js', '--port', '3000'],
        cwd: '/p/api',
        env: { PORT: '3000' },
        healthcheck: {
          type: 'http',
          url: 'http://localhost:3000/health',
          intervalMs: 500,
          timeoutMs: 5000,
          retries: 3,
        },
      },
      debug: { type: 'node', port: 9229, hostPort: 9230, wait: true },
      url: 'http://localhost:3000',
    });
  });
});
