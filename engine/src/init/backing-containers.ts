// The Compose services that run backing services (Postgres, Redis): image or build folder,
// credentials, healthcheck, data volume, and how devenv's process runtime runs them on the host.

import { rel } from './app-service-base.js';
import type { BackingService } from './findings.js';
import type { PlannedService } from './planned-service.js';

const PG_BIN = `\${PG_BIN:-/usr/lib/postgresql/15/bin}`;
const STATE = `\${DEVENV_STATE_DIR:-.devenv/state}`;

export function postgresService(name: string, b: BackingService): PlannedService {
  const environment: Record<string, string> = {
    POSTGRES_USER: `\${POSTGRES_USER:-${b.user}}`,
    ...(b.password
      ? { POSTGRES_PASSWORD: `\${POSTGRES_PASSWORD:-${b.password}}` }
      : { POSTGRES_HOST_AUTH_METHOD: 'trust' }),
    POSTGRES_DB: `\${POSTGRES_DB:-${b.database}}`,
  };
  const data = `${STATE}/postgres`;
  // initdb once, then the app's database; trust: the host server listens on 127.0.0.1 only.
  const initScript = [
    '"$$PG_BIN/initdb" -D "$$1" --username="$$POSTGRES_USER" --auth=trust --encoding=UTF8 --no-locale >/dev/null',
    'if [ "$$POSTGRES_DB" != postgres ]; then echo "CREATE DATABASE \\"$$POSTGRES_DB\\"" | "$$PG_BIN/postgres" --single -D "$$1" postgres >/dev/null; fi',
  ].join(' && ');
  const service: PlannedService = {
    name,
    kind: 'postgres',
    evidence: b.evidence,
    comments: b.buildDir
      ? [`Built from ${rel(b.buildDir)} (its Dockerfile installs PostgreSQL).`]
      : [
          'postgres:16 comes from Docker Hub. A machine without registry access can build one',
          'FROM debian:bookworm-slim (apt-get install postgresql) instead, as devenv’s compose/reference stack does.',
        ],
    environment,
    volumes: ['postgres-data:/var/lib/postgresql/data'],
    healthcheck: {
      test: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -p 5432 -U $${POSTGRES_USER} -d $${POSTGRES_DB}'],
      interval: '2s',
      timeout: '3s',
      retries: 30,
      start_period: '20s',
    },
    stopSignal: 'SIGINT',
    restart: 'unless-stopped',
    debug: false,
    process: {
      user: 'postgres',
      init: { command: ['sh', '-c', initScript, 'init-db', data], creates: `${data}/PG_VERSION` },
      command: [`${PG_BIN}/postgres`, '-D', data, '-k', '', '-h', '127.0.0.1', '-p', String(b.hostPort)],
      cwd: '.',
      env: {
        POSTGRES_USER: `\${POSTGRES_USER:-${b.user}}`,
        POSTGRES_DB: `\${POSTGRES_DB:-${b.database}}`,
        PG_BIN,
      },
      healthcheck: {
        type: 'command',
        command: `pg_isready -h 127.0.0.1 -p ${b.hostPort} -U \${POSTGRES_USER:-${b.user}} -d \${POSTGRES_DB:-${b.database}}`,
      },
    },
    processOnly: false,
  };
  if (b.buildDir) service.build = { context: rel(b.buildDir) };
  else service.image = 'postgres:16';
  return service;
}

export function redisService(name: string, b: BackingService): PlannedService {
  const service: PlannedService = {
    name,
    kind: 'redis',
    evidence: b.evidence,
    comments: b.buildDir
      ? [`Built from ${rel(b.buildDir)} (its Dockerfile installs Redis).`]
      : [
          'redis:7 comes from Docker Hub. A machine without registry access can build one',
          'FROM debian:bookworm-slim (apt-get install redis-server) instead, as devenv’s compose/reference stack does.',
        ],
    healthcheck: {
      test: ['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'],
      interval: '2s',
      timeout: '3s',
      retries: 30,
    },
    restart: 'unless-stopped',
    debug: false,
    process: {
      command: `redis-server --bind 127.0.0.1 --port ${b.hostPort} --save "" --appendonly no`,
      cwd: '.',
      healthcheck: { type: 'command', command: `redis-cli -h 127.0.0.1 -p ${b.hostPort} ping` },
    },
    processOnly: false,
  };
  if (b.buildDir) service.build = { context: rel(b.buildDir) };
  else service.image = 'redis:7';
  return service;
}

/** What every service built from an app folder shares: build or a process-only note, environment. */
