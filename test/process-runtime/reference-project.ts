// compose/reference/compose.yaml as the config loader would hand it to the engine, written out
// by hand (the loader is not on this branch): interpolated with DEVENV_STATE_DIR = the state
// directory, PYTHON = /usr/bin/python3 (pyenv's shims shadow Debian's python3 here), strings
// shell-split, paths made absolute, probe defaults (1 s, 5 s, 3) filled in.

import { resolve } from 'node:path';
import type { HealthcheckSpec, ProcessProbe, ProjectSpec, ServiceSpec } from '../../engine/src/model/spec.js';

const repo = resolve(import.meta.dirname, '../..');
export const composeDir = resolve(repo, 'compose/reference');
const backendDir = resolve(repo, 'example/backend');
const frontendDir = resolve(repo, 'example/frontend');

const probeDefaults = { intervalMs: 1000, timeoutMs: 5000, retries: 3 };
const cmdProbe = (command: string[]): ProcessProbe => ({ type: 'command', command, ...probeDefaults });
const httpProbe = (url: string): ProcessProbe => ({ type: 'http', url, ...probeDefaults });
const hc = (
  test: string[],
  intervalMs: number,
  timeoutMs: number,
  retries: number,
  startPeriodMs = 0,
): HealthcheckSpec => ({
  test,
  intervalMs,
  timeoutMs,
  retries,
  startPeriodMs,
});

function svc(name: string, rest: Partial<ServiceSpec>): ServiceSpec {
  return {
    name,
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
    ...rest,
  };
}

const healthy = { condition: 'service_healthy' as const, required: true, restart: false };

export function referenceProject(stateDir: string, python = '/usr/bin/python3'): ProjectSpec {
  const backendEnv = {
    DATABASE_URL: 'postgresql://app@127.0.0.1:5432/app',
    REDIS_URL: 'redis://127.0.0.1:6379/0',
    PYTHONUNBUFFERED: '1',
  };
  const services: ServiceSpec[] = [
    svc('postgres', {
      healthcheck: hc(['CMD-SHELL', 'pg_isready -h 127.0.0.1 -p 5432 -U $${POSTGRES_USER}'], 2000, 3000, 30, 20_000),
      stopSignal: 'SIGINT',
      devenv: {
        debug: false,
        process: {
          user: 'postgres',
          init: {
            command: ['../../example/postgres/init-db.sh', `${stateDir}/postgres`],
            creates: `${stateDir}/postgres/PG_VERSION`,
          },
          command: [
            '/usr/lib/postgresql/15/bin/postgres',
            '-D',
            `${stateDir}/postgres`,
            '-k',
            '',
            '-h',
            '127.0.0.1',
            '-p',
            '5432',
          ],
          cwd: composeDir,
          env: { POSTGRES_USER: 'app', POSTGRES_DB: 'app' },
          healthcheck: cmdProbe(['pg_isready', '-h', '127.0.0.1', '-p', '5432', '-U', 'app', '-d', 'app']),
        },
      },
    }),
    svc('redis', {
      healthcheck: hc(['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'], 2000, 3000, 30),
      devenv: {
        debug: false,
        process: {
          command: ['redis-server', '--bind', '127.0.0.1', '--port', '6379', '--save', '', '--appendonly', 'no'],
          cwd: composeDir,
          env: {},
          healthcheck: cmdProbe(['redis-cli', '-h', '127.0.0.1', '-p', '6379', 'ping']),
        },
      },
    }),
    svc('migrate', {
      restart: { name: 'no' },
      dependsOn: { postgres: healthy },
      devenv: {
        debug: { type: 'python', wait: false },
        process: { command: [python, '-m', 'alembic', 'upgrade', 'head'], cwd: backendDir, env: backendEnv },
      },
    }),
    svc('backend', {
      ports: [{ hostIp: '127.0.0.1', published: 8000, target: 8000, protocol: 'tcp', hostIpExplicit: false }],
      dependsOn: {
        postgres: healthy,
        redis: healthy,
        migrate: { condition: 'service_completed_successfully', required: true, restart: false },
      },
      healthcheck: hc(['CMD', 'python3', '-c', 'import urllib.request'], 5000, 5000, 12, 10_000),
      devenv: {
        url: 'http://127.0.0.1:8000/docs',
        debug: { type: 'python', wait: false },
        process: {
          command: [python, '-m', 'uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', '8000', '--reload'],
          cwd: backendDir,
          env: backendEnv,
          healthcheck: httpProbe('http://127.0.0.1:8000/api/health'),
        },
      },
    }),
    svc('worker', {
      dependsOn: {
        postgres: healthy,
        redis: healthy,
        migrate: { condition: 'service_completed_successfully', required: true, restart: false },
      },
      healthcheck: hc(['CMD-SHELL', 'celery -A app.worker inspect ping'], 10_000, 10_000, 3, 20_000),
      devenv: {
        debug: { type: 'python', wait: false },
        process: {
          command: [python, '-m', 'celery', '-A', 'app.worker', 'worker', '--pool=solo', '--loglevel=INFO'],
          cwd: backendDir,
          env: backendEnv,
          healthcheck: cmdProbe([python, '-m', 'celery', '-A', 'app.worker', 'inspect', 'ping', '--timeout', '2']),
        },
      },
    }),
    svc('frontend', {
      ports: [{ hostIp: '127.0.0.1', published: 5173, target: 5173, protocol: 'tcp', hostIpExplicit: false }],
      dependsOn: { backend: { condition: 'service_started', required: true, restart: false } },
      healthcheck: hc(['CMD', 'node', '-e', 'fetch()'], 3000, 5000, 20, 180_000),
      devenv: {
        url: 'http://127.0.0.1:5173',
        debug: { type: 'node', wait: false },
        process: {
          init: { command: ['npm', 'ci', '--no-audit', '--no-fund'], creates: 'node_modules/.package-lock.json' },
          command: ['node', 'node_modules/vite/bin/vite.js', '--host', '127.0.0.1', '--port', '5173', '--strictPort'],
          cwd: frontendDir,
          env: { BACKEND_URL: 'http://127.0.0.1:8000' },
          healthcheck: httpProbe('http://127.0.0.1:5173/'),
        },
      },
    }),
  ];
  return {
    name: 'devenv-reference',
    projectDir: composeDir,
    configFiles: [resolve(composeDir, 'compose.yaml')],
    services: Object.fromEntries(services.map((s) => [s.name, s])),
    volumes: { 'postgres-data': { name: 'postgres-data', external: false, labels: {} } },
    networks: {},
    devenv: {},
  };
}
