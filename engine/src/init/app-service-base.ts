// What every service built from an app folder shares: its Dockerfile (or none: a process until
// it has one), its comments, its environment, and the health probes and command lines written
// for containers and for host processes.

import type { AppEnvironment } from './app-environment.js';
import type { Evidence, HealthProbe } from './findings.js';
import type { AppService, ProcessProbeSection, ServiceKind } from './planned-service.js';
import { joinRel, type RepoFiles } from './repo-files.js';

export interface DockerBuild {
  build: { context: string; dockerfile?: string };
  workdir: string;
  dockerfile: string;
}

/** The service folder's Dockerfile (a `Dockerfile.dev` wins: it was written for development). */
export function dockerBuild(repo: RepoFiles, dir: string): DockerBuild | undefined {
  for (const name of ['Dockerfile.dev', 'dev.Dockerfile', 'Dockerfile']) {
    const path = joinRel(dir, name);
    const text = repo.read(path);
    if (text === undefined) continue;
    const workdirs = [...text.matchAll(/^\s*WORKDIR\s+(\S+)/gim)].map((m) => m[1] as string);
    const last = workdirs[workdirs.length - 1];
    const build: DockerBuild['build'] = { context: rel(dir) };
    if (name !== 'Dockerfile') build.dockerfile = name;
    return { build, workdir: last?.startsWith('/') ? last.replace(/\/$/, '') : '/app', dockerfile: path };
  }
  return undefined;
}

/** A project-relative path as Compose reads it: `./backend`, or `.` for the root. */
export function rel(path: string): string {
  return path === '.' ? '.' : `./${path}`;
}

export function containerPath(workdir: string, source: string): string {
  return source === '.' ? workdir : `${workdir}/${source}`;
}

function shellQuote(arg: string): string {
  if (arg === '') return '""';
  return /^[\w@%+=:,./${}-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A process command as one readable string (the loader shell-splits it back). */
export function commandLine(args: string[]): string {
  return args.map(shellQuote).join(' ');
}

export function pythonProbe(port: number, health: HealthProbe): string[] {
  const code =
    health.type === 'http'
      ? `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${port}${health.path}', timeout=3)`
      : `import socket; socket.create_connection(('127.0.0.1', ${port}), 3)`;
  return ['CMD', 'python3', '-c', code];
}

export function nodeProbe(port: number, health: HealthProbe): string[] {
  const code =
    health.type === 'http'
      ? `fetch('http://127.0.0.1:${port}${health.path}').then(r => process.exit(r.status < 400 ? 0 : 1), () => process.exit(1))`
      : `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  return ['CMD', 'node', '-e', code];
}

export function processProbe(port: number, health: HealthProbe): ProcessProbeSection {
  return health.type === 'http'
    ? { type: 'http', url: `http://127.0.0.1:${port}${health.path}` }
    : { type: 'tcp', port };
}

export function healthNote(health: HealthProbe): string {
  return health.type === 'http' ? `GET ${health.path}` : 'its port accepting connections (no health route found)';
}

export function evidenceText(e: Evidence): string {
  return `${e.file}:${e.line}`;
}

/** What every service built from an app folder shares: build or a process-only note, environment. */
export function appBase(
  name: string,
  kind: ServiceKind,
  dir: string,
  repo: RepoFiles,
  evidence: Evidence[],
  environment: AppEnvironment,
): { service: AppService; docker: DockerBuild | undefined } {
  const docker = dockerBuild(repo, dir);
  const comments = [`${describeKind(kind)}: ${evidence.map(evidenceText).join(', ')}.`];
  if (!docker) {
    comments.push(
      `No Dockerfile in ${rel(dir)}: runs as a local process (x-devenv.process) until it has an image.`,
      `To run it in Docker, add ${rel(joinRel(dir, 'Dockerfile'))}, \`build: ${rel(dir)}\` here and \`develop.watch\` rules.`,
    );
  }
  const service: AppService = {
    name,
    kind,
    evidence,
    comments,
    restart: 'unless-stopped',
    debug: false,
    process: { command: '', cwd: rel(dir) },
    processOnly: !docker,
  };
  if (docker) service.build = docker.build;
  if (Object.keys(environment.container).length > 0) service.environment = environment.container;
  if (Object.keys(environment.process).length > 0) service.process.env = environment.process;
  return { service, docker };
}

export function describeKind(kind: ServiceKind): string {
  const names: Record<ServiceKind, string> = {
    fastapi: 'FastAPI app',
    django: 'Django project',
    flask: 'Flask app',
    celery: 'Celery worker',
    alembic: 'Alembic migrations (one-shot)',
    'django-migrate': 'Django migrations (one-shot)',
    vite: 'Vite dev server',
    next: 'Next.js dev server',
    'react-scripts': 'Create React App dev server',
    express: 'Express API',
    fastify: 'Fastify API',
    koa: 'Koa API',
    hapi: 'hapi API',
    nest: 'NestJS API',
    postgres: 'PostgreSQL',
    mysql: 'MySQL',
    mariadb: 'MariaDB',
    redis: 'Redis',
    mongodb: 'MongoDB',
    rabbitmq: 'RabbitMQ',
    kafka: 'Kafka',
    elasticsearch: 'Elasticsearch',
  };
  return names[kind];
}
