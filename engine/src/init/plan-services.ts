// Findings → Compose services: names, ports that do not clash, environment for containers and
// for host processes, healthchecks, depends_on, Compose Watch rules and `x-devenv`. Pure: the
// only disk access is through RepoFiles (Dockerfiles).

import { parseUrl } from './backing-services.js';
import type {
  BackingService,
  CeleryApp,
  ConnectionUrl,
  Evidence,
  Findings,
  HealthProbe,
  Migrations,
  NodeApp,
  NodeFramework,
  PythonWebApp,
} from './findings.js';
import { baseName, dirOf, isUnder, joinRel, type RepoFiles } from './repo-files.js';

export type ServiceKind =
  | 'fastapi'
  | 'django'
  | 'flask'
  | 'celery'
  | 'alembic'
  | 'django-migrate'
  | NodeFramework
  | 'postgres'
  | 'redis';

export type DependsCondition = 'service_started' | 'service_healthy' | 'service_completed_successfully';

export interface ComposeHealthcheck {
  test: string[];
  interval: string;
  timeout: string;
  retries: number;
  start_period?: string;
}

export interface WatchRule {
  path: string;
  action: 'sync' | 'rebuild' | 'sync+restart';
  target?: string;
  ignore?: string[];
}

export type ProcessProbeSection =
  | { type: 'http'; url: string }
  | { type: 'tcp'; port: number }
  | { type: 'command'; command: string };

export interface ProcessSection {
  user?: string;
  init?: { command: string | string[]; creates: string };
  command: string | string[];
  cwd: string;
  env?: Record<string, string>;
  healthcheck?: ProcessProbeSection;
}

export interface PlannedService {
  name: string;
  kind: ServiceKind;
  evidence: Evidence[];
  /** Comment lines written above the service. */
  comments: string[];
  build?: { context: string; dockerfile?: string };
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  dependsOn?: Record<string, DependsCondition>;
  healthcheck?: ComposeHealthcheck;
  stopSignal?: string;
  restart: 'no' | 'unless-stopped';
  watch?: WatchRule[];
  url?: string;
  debug: 'python' | 'node' | false;
  process: ProcessSection;
  /** Runs only as a local process: no image, no Dockerfile. */
  processOnly: boolean;
}

export interface ComposePlan {
  services: PlannedService[];
  volumes: string[];
  /** `x-devenv.runtime: process` when a service has no image to run in Docker. */
  runtime?: 'process';
  notes: string[];
}

const PG_BIN = `\${PG_BIN:-/usr/lib/postgresql/15/bin}`;
const STATE = `\${DEVENV_STATE_DIR:-.devenv/state}`;

export function planServices(findings: Findings, repo: RepoFiles): ComposePlan {
  const notes = [...findings.notes];
  const names = new NameRegistry();
  const ports = new PortRegistry();
  const backing = new Map(findings.backing.map((b) => [b.kind, b]));
  const postgres = backing.get('postgres');
  const redis = backing.get('redis');
  const services: PlannedService[] = [];

  // Names first (the order the file lists them in), so wiring can refer to them.
  const postgresName = postgres ? names.claim('postgres') : undefined;
  const redisName = redis ? names.claim('redis') : undefined;
  const migrateNames = new Map<Migrations, string>();
  for (const m of findings.migrations) {
    migrateNames.set(
      m,
      names.claim(findings.migrations.length > 1 ? `${serviceBase(m.dir, 'migrate')}-migrate` : 'migrate'),
    );
  }
  const webNames = new Map<PythonWebApp, string>();
  for (const app of findings.pythonApps) {
    webNames.set(app, names.claim(serviceBase(app.dir, app.framework === 'fastapi' ? 'api' : 'web')));
  }
  const workerNames = new Map<CeleryApp, string>();
  for (const c of findings.celeryApps) {
    workerNames.set(
      c,
      names.claim(findings.celeryApps.length > 1 ? `${serviceBase(c.dir, 'worker')}-worker` : 'worker'),
    );
  }
  const nodeNames = new Map<NodeApp, string>();
  for (const app of [...findings.nodeApps].sort((a, b) => roleOrder(a) - roleOrder(b))) {
    nodeNames.set(app, names.claim(serviceBase(app.dir, app.role === 'frontend' ? 'frontend' : 'api')));
  }

  // Ports: the ones the code fixes first, then the movable ones around them.
  for (const app of findings.nodeApps.filter((a) => !a.portMovable)) ports.fixed(app.port);
  const webPorts = new Map<PythonWebApp | NodeApp, number>();
  for (const app of [...findings.pythonApps, ...findings.nodeApps.filter((a) => a.role === 'api')]) {
    webPorts.set(app, 'portMovable' in app && !app.portMovable ? app.port : ports.claim(app.port));
  }
  for (const app of findings.nodeApps.filter((a) => a.role === 'frontend')) webPorts.set(app, ports.claim(app.port));

  const env = new Environments(findings.urls, backing);
  const backingDeps = (dir: string): Record<string, DependsCondition> => {
    const deps: Record<string, DependsCondition> = {};
    for (const [kind, name] of [
      ['postgres', postgresName],
      ['redis', redisName],
    ] as const) {
      const b = backing.get(kind);
      // Used here: a URL in the app's folder, or in a repository-wide file (the root .env).
      const uses = b?.evidence.some(
        (e) => dirOf(e.file) !== b.buildDir && (isUnder(e.file, dir) || dirOf(e.file) === '.'),
      );
      if (name && uses) {
        deps[name] = 'service_healthy';
      }
    }
    return deps;
  };
  const migrateDeps = (dir: string): Record<string, DependsCondition> => {
    const deps: Record<string, DependsCondition> = {};
    for (const [m, name] of migrateNames) if (related(m.dir, dir)) deps[name] = 'service_completed_successfully';
    return deps;
  };

  if (postgres && postgresName) services.push(postgresService(postgresName, postgres));
  if (redis && redisName) services.push(redisService(redisName, redis));
  for (const [m, name] of migrateNames) {
    // Migrations need the database, nothing else.
    const deps = Object.fromEntries(Object.entries(backingDeps(m.dir)).filter(([dep]) => dep === postgresName));
    services.push(migrateService(name, m, repo, env.forApp(m.dir, 'python'), deps));
  }
  const apis: { name: string; port: number; app: PythonWebApp | NodeApp }[] = [];
  for (const [app, name] of webNames) {
    const port = webPorts.get(app) as number;
    apis.push({ name, port, app });
    services.push(
      pythonWebService(name, app, port, repo, env.forApp(app.dir, 'python'), {
        ...backingDeps(app.dir),
        ...migrateDeps(app.dir),
      }),
    );
  }
  for (const [c, name] of workerNames) {
    services.push(
      celeryService(name, c, repo, env.forApp(c.dir, 'python'), { ...backingDeps(c.dir), ...migrateDeps(c.dir) }),
    );
    if (!redis && !findings.urls.some((u) => u.kind === 'redis')) {
      notes.push(
        `${name}: Celery needs a broker, and no redis:// URL was found; add one (CELERY_BROKER_URL) and a redis service`,
      );
    }
  }
  for (const [app, name] of nodeNames) {
    if (app.role !== 'api') continue;
    const port = webPorts.get(app) as number;
    apis.push({ name, port, app });
    services.push(nodeApiService(name, app, port, repo, env.forApp(app.dir, 'node'), backingDeps(app.dir)));
  }
  for (const [app, name] of nodeNames) {
    if (app.role !== 'frontend') continue;
    services.push(frontendService(name, app, webPorts.get(app) as number, repo, apis, notes));
  }

  const processOnly = services.filter((s) => s.processOnly);
  const plan: ComposePlan = {
    services,
    volumes: postgres ? ['postgres-data'] : [],
    notes,
  };
  if (processOnly.length > 0) {
    plan.runtime = 'process';
    notes.push(
      `${processOnly.map((s) => s.name).join(', ')}: no Dockerfile, so ${processOnly.length > 1 ? 'they run' : 'it runs'} as a local process (x-devenv.process) until ${processOnly.length > 1 ? 'they have' : 'it has'} an image; compose.yaml sets \`x-devenv.runtime: process\` meanwhile`,
    );
  }
  return plan;
}

/** One folder is the other's or holds it: migrations in ./backend serve the app in ./backend. */
function related(a: string, b: string): boolean {
  return a === b || isUnder(a, b) || isUnder(b, a);
}

function roleOrder(app: NodeApp): number {
  return app.role === 'api' ? 0 : 1;
}

/** `backend` for a service in ./backend, the fallback for one at the repository root. */
function serviceBase(dir: string, fallback: string): string {
  if (dir === '.') return fallback;
  const name = baseName(dir)
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '');
  return name || fallback;
}

class NameRegistry {
  private readonly taken = new Set<string>();
  claim(base: string): string {
    let name = base;
    for (let i = 2; this.taken.has(name); i++) name = `${base}-${i}`;
    this.taken.add(name);
    return name;
  }
}

class PortRegistry {
  private readonly taken = new Set<number>();
  fixed(port: number): void {
    this.taken.add(port);
  }
  claim(port: number): number {
    let p = port;
    while (this.taken.has(p)) p++;
    this.taken.add(p);
    return p;
  }
}

/** The environment an app gets, for its container (service hostnames) and as a host process (127.0.0.1). */
interface AppEnvironment {
  container: Record<string, string>;
  process: Record<string, string>;
}

class Environments {
  constructor(
    private readonly urls: ConnectionUrl[],
    private readonly backing: Map<string, BackingService>,
  ) {}

  forApp(dir: string, language: 'python' | 'node'): AppEnvironment {
    const container: Record<string, string> = {};
    const process: Record<string, string> = {};
    for (const u of this.urls) {
      if (!u.variable || u.variable in container) continue;
      if (!(isUnder(u.evidence.file, dir) || dirOf(u.evidence.file) === '.')) continue;
      const b = this.backing.get(u.kind);
      if (!b) continue;
      container[u.variable] = connectionUrl(u.url, b, u.kind, b.kind === 'postgres' ? 5432 : 6379);
      process[u.variable] = connectionUrl(u.url, b, '127.0.0.1', b.hostPort);
    }
    if (language === 'python') process.PYTHONUNBUFFERED = '1';
    return { container, process };
  }
}

/** The URL an app uses to reach a backing service at `host`, keeping its scheme, driver and query. */
export function connectionUrl(original: string, b: BackingService, host: string, port: number): string {
  const parsed = parseUrl(original);
  const scheme = parsed?.scheme ?? (b.kind === 'postgres' ? 'postgresql' : 'redis');
  const query = /\?[^#]*/.exec(original)?.[0] ?? '';
  if (b.kind === 'redis') {
    const db = parsed?.path && /^\d+$/.test(parsed.path) ? `/${parsed.path}` : '/0';
    return `${scheme}://${host}:${port}${db}${query}`;
  }
  const auth = b.password
    ? `\${POSTGRES_USER:-${b.user}}:\${POSTGRES_PASSWORD:-${b.password}}`
    : `\${POSTGRES_USER:-${b.user}}`;
  return `${scheme}://${auth}@${host}:${port}/\${POSTGRES_DB:-${b.database}}${query}`;
}

interface DockerBuild {
  build: { context: string; dockerfile?: string };
  workdir: string;
  dockerfile: string;
}

/** The service folder's Dockerfile (a `Dockerfile.dev` wins: it was written for development). */
function dockerBuild(repo: RepoFiles, dir: string): DockerBuild | undefined {
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
function rel(path: string): string {
  return path === '.' ? '.' : `./${path}`;
}

function containerPath(workdir: string, source: string): string {
  return source === '.' ? workdir : `${workdir}/${source}`;
}

function shellQuote(arg: string): string {
  if (arg === '') return '""';
  return /^[\w@%+=:,./${}-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A process command as one readable string (the loader shell-splits it back). */
function commandLine(args: string[]): string {
  return args.map(shellQuote).join(' ');
}

function pythonProbe(port: number, health: HealthProbe): string[] {
  const code =
    health.type === 'http'
      ? `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${port}${health.path}', timeout=3)`
      : `import socket; socket.create_connection(('127.0.0.1', ${port}), 3)`;
  return ['CMD', 'python3', '-c', code];
}

function nodeProbe(port: number, health: HealthProbe): string[] {
  const code =
    health.type === 'http'
      ? `fetch('http://127.0.0.1:${port}${health.path}').then(r => process.exit(r.status < 400 ? 0 : 1), () => process.exit(1))`
      : `require('net').connect(${port}, '127.0.0.1').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  return ['CMD', 'node', '-e', code];
}

function processProbe(port: number, health: HealthProbe): ProcessProbeSection {
  return health.type === 'http'
    ? { type: 'http', url: `http://127.0.0.1:${port}${health.path}` }
    : { type: 'tcp', port };
}

function healthNote(health: HealthProbe): string {
  return health.type === 'http' ? `GET ${health.path}` : 'its port accepting connections (no health route found)';
}

function evidenceText(e: Evidence): string {
  return `${e.file}:${e.line}`;
}

function postgresService(name: string, b: BackingService): PlannedService {
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

function redisService(name: string, b: BackingService): PlannedService {
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
function appBase(
  name: string,
  kind: ServiceKind,
  dir: string,
  repo: RepoFiles,
  evidence: Evidence[],
  environment: AppEnvironment,
): { service: PlannedService; docker: DockerBuild | undefined } {
  const docker = dockerBuild(repo, dir);
  const comments = [`${describeKind(kind)}: ${evidence.map(evidenceText).join(', ')}.`];
  if (!docker) {
    comments.push(
      `No Dockerfile in ${rel(dir)}: runs as a local process (x-devenv.process) until it has an image.`,
      `To run it in Docker, add ${rel(joinRel(dir, 'Dockerfile'))}, \`build: ${rel(dir)}\` here and \`develop.watch\` rules.`,
    );
  }
  const service: PlannedService = {
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

function describeKind(kind: ServiceKind): string {
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
    redis: 'Redis',
  };
  return names[kind];
}

function pythonWatch(
  docker: DockerBuild,
  dir: string,
  sources: string[],
  manifests: string[],
  action: WatchRule['action'],
): WatchRule[] {
  return [
    ...sources.map((s) => ({
      path: rel(joinRel(dir, s)),
      target: containerPath(docker.workdir, s),
      action,
      ignore: ['__pycache__/'],
    })),
    ...[...manifests, docker.dockerfile].map((m) => ({ path: rel(m), action: 'rebuild' as const })),
  ];
}

function migrateService(
  name: string,
  m: Migrations,
  repo: RepoFiles,
  environment: AppEnvironment,
  deps: Record<string, DependsCondition>,
): PlannedService {
  const kind: ServiceKind = m.tool === 'alembic' ? 'alembic' : 'django-migrate';
  const { service } = appBase(name, kind, m.dir, repo, m.evidence, environment);
  service.comments.push('Runs once before the apps that depend on it; `devenv up` waits until it has succeeded.');
  service.command =
    m.tool === 'alembic' ? ['alembic', 'upgrade', 'head'] : ['python', 'manage.py', 'migrate', '--noinput'];
  service.process.command =
    m.tool === 'alembic' ? `${m.python} -m alembic upgrade head` : `${m.python} manage.py migrate --noinput`;
  if (Object.keys(deps).length > 0) service.dependsOn = deps;
  service.restart = 'no';
  service.debug = 'python';
  return service;
}

function pythonWebService(
  name: string,
  app: PythonWebApp,
  port: number,
  repo: RepoFiles,
  environment: AppEnvironment,
  deps: Record<string, DependsCondition>,
): PlannedService {
  const kind: ServiceKind = app.framework;
  const { service, docker } = appBase(name, kind, app.dir, repo, app.evidence, environment);
  service.comments.push(`Health: ${healthNote(app.health)}.`);
  const serve = (host: string): string[] => {
    switch (app.framework) {
      case 'fastapi':
        return [
          'uvicorn',
          app.target,
          ...(app.factory ? ['--factory'] : []),
          '--host',
          host,
          '--port',
          String(port),
          '--reload',
        ];
      case 'flask':
        return ['flask', '--app', app.target, 'run', '--host', host, '--port', String(port), '--reload'];
      case 'django':
        return ['python', 'manage.py', 'runserver', `${host}:${port}`];
    }
  };
  service.command = serve('0.0.0.0');
  const local = serve('127.0.0.1');
  service.process.command =
    app.framework === 'django'
      ? commandLine([app.python, ...local.slice(1)])
      : commandLine([app.python, '-m', ...local]);
  service.ports = [`${port}:${port}`];
  if (Object.keys(deps).length > 0) service.dependsOn = deps;
  service.healthcheck = {
    test: pythonProbe(port, app.health),
    interval: '5s',
    timeout: '5s',
    retries: 12,
    start_period: '10s',
  };
  service.process.healthcheck = processProbe(port, app.health);
  if (docker) service.watch = pythonWatch(docker, app.dir, app.sourcePaths, app.manifests, 'sync');
  service.url = `http://127.0.0.1:${port}${app.framework === 'fastapi' ? '/docs' : '/'}`;
  service.debug = 'python';
  return service;
}

function celeryService(
  name: string,
  c: CeleryApp,
  repo: RepoFiles,
  environment: AppEnvironment,
  deps: Record<string, DependsCondition>,
): PlannedService {
  const { service, docker } = appBase(name, 'celery', c.dir, repo, c.evidence, environment);
  service.comments.push(
    '--pool=solo runs tasks in the worker’s own process, the one a debugger attaches to',
    '(a prefork pool would run them in forked children, where breakpoints never stop).',
  );
  service.command = ['celery', '-A', c.module, 'worker', '--pool=solo', '--loglevel=INFO'];
  service.process.command = `${c.python} -m celery -A ${c.module} worker --pool=solo --loglevel=INFO`;
  if (Object.keys(deps).length > 0) service.dependsOn = deps;
  service.healthcheck = {
    test: ['CMD-SHELL', `celery -A ${c.module} inspect ping -d celery@$$HOSTNAME --timeout 5 >/dev/null`],
    interval: '10s',
    timeout: '10s',
    retries: 3,
    start_period: '20s',
  };
  service.process.healthcheck = {
    type: 'command',
    command: `${c.python} -m celery -A ${c.module} inspect ping --timeout 2`,
  };
  // Celery does not reload code: a synced change restarts the worker.
  if (docker) service.watch = pythonWatch(docker, c.dir, c.sourcePaths, c.manifests, 'sync+restart');
  service.debug = 'python';
  return service;
}

function nodeWatch(docker: DockerBuild, app: NodeApp, action: WatchRule['action']): WatchRule[] {
  return [
    ...app.sourcePaths.map((s) => ({
      path: rel(joinRel(app.dir, s)),
      target: containerPath(docker.workdir, s),
      action,
    })),
    ...[...app.manifests, docker.dockerfile].map((m) => ({ path: rel(m), action: 'rebuild' as const })),
  ];
}

function nodeApiService(
  name: string,
  app: NodeApp,
  port: number,
  repo: RepoFiles,
  environment: AppEnvironment,
  deps: Record<string, DependsCondition>,
): PlannedService {
  const { service, docker } = appBase(name, app.framework, app.dir, repo, app.evidence, environment);
  service.comments.push(`Health: ${healthNote(app.health)}.`);
  const entry = app.entry as string;
  service.command = ['node', entry];
  service.process.command = commandLine(['node', entry]);
  service.process.init = { command: app.install.command, creates: app.install.creates };
  if (app.portVariable) {
    service.environment = { ...(service.environment ?? {}), [app.portVariable]: String(port) };
    service.process.env = { ...(service.process.env ?? {}), [app.portVariable]: String(port) };
  }
  service.ports = [`${port}:${port}`];
  if (Object.keys(deps).length > 0) service.dependsOn = deps;
  service.healthcheck = {
    test: nodeProbe(port, app.health),
    interval: '5s',
    timeout: '5s',
    retries: 12,
    start_period: '10s',
  };
  service.process.healthcheck = processProbe(port, app.health);
  // Node does not reload code by itself: a synced change restarts the process.
  if (docker) service.watch = nodeWatch(docker, app, 'sync+restart');
  service.url = `http://127.0.0.1:${port}/`;
  service.debug = 'node';
  return service;
}

function frontendService(
  name: string,
  app: NodeApp,
  port: number,
  repo: RepoFiles,
  apis: { name: string; port: number; app: PythonWebApp | NodeApp }[],
  notes: string[],
): PlannedService {
  const { service, docker } = appBase(name, app.framework, app.dir, repo, app.evidence, { container: {}, process: {} });
  const container: Record<string, string> = {};
  const local: Record<string, string> = {};
  let serve: (host: string) => string[];
  switch (app.framework) {
    case 'next':
      serve = (host) => ['node', 'node_modules/next/dist/bin/next', 'dev', '-H', host, '-p', String(port)];
      break;
    case 'react-scripts':
      serve = () => ['node', 'node_modules/react-scripts/bin/react-scripts.js', 'start'];
      Object.assign(container, { HOST: '0.0.0.0', PORT: String(port), BROWSER: 'none' });
      Object.assign(local, { HOST: '127.0.0.1', PORT: String(port), BROWSER: 'none' });
      break;
    default:
      serve = (host) => [
        'node',
        'node_modules/vite/bin/vite.js',
        '--host',
        host,
        '--port',
        String(port),
        '--strictPort',
      ];
  }
  const bin = app.framework === 'vite' ? 'Vite' : app.framework === 'next' ? 'Next.js' : 'react-scripts';
  service.comments.push(
    `node runs ${bin} directly (not through npm), so the debugger devenv injects (--inspect) lands in the dev server.`,
  );
  service.command = serve('0.0.0.0');
  service.process.command = commandLine(serve('127.0.0.1'));
  service.process.init = { command: app.install.command, creates: app.install.creates };

  const deps: Record<string, DependsCondition> = {};
  const proxy = app.proxy;
  let backend = apis[0];
  if (proxy?.literalTarget) {
    const targetPort = parseUrl(proxy.literalTarget)?.port;
    backend = apis.find((a) => a.port === targetPort) ?? backend;
  }
  if (proxy && backend) {
    deps[backend.name] = 'service_started';
    const where = evidenceText(proxy.evidence);
    if (proxy.variable) {
      container[proxy.variable] = `http://${backend.name}:${backend.port}`;
      local[proxy.variable] = `http://127.0.0.1:${backend.port}`;
      service.comments.push(`${where} proxies ${proxy.path} to ${proxy.variable}: set here to ${backend.name}.`);
      if (apis.length > 1)
        notes.push(
          `${name}: ${proxy.variable} points at ${backend.name}; check that it is the API ${proxy.path} is meant for`,
        );
    } else if (proxy.literalTarget) {
      notes.push(
        `${name}: ${where} proxies ${proxy.path} to ${proxy.literalTarget}, written out in the config; that works for host processes, but in a container it must reach http://${backend.name}:${backend.port}: read the target from an environment variable (e.g. process.env.BACKEND_URL) and set it in compose.yaml`,
      );
    } else {
      notes.push(
        `${name}: ${where} proxies ${proxy.path}, but its target could not be read; check it reaches ${backend.name}`,
      );
    }
  } else {
    if (proxy)
      notes.push(`${name}: ${evidenceText(proxy.evidence)} proxies ${proxy.path}, but no API service was detected`);
    for (const a of apis) deps[a.name] = 'service_started';
  }
  if (Object.keys(container).length > 0) service.environment = container;
  if (Object.keys(local).length > 0) service.process.env = local;
  service.ports = [`${port}:${port}`];
  if (Object.keys(deps).length > 0) service.dependsOn = deps;
  service.healthcheck = {
    test: nodeProbe(port, app.health),
    interval: '3s',
    timeout: '5s',
    retries: 20,
    start_period: app.framework === 'vite' ? '60s' : '120s',
  };
  service.process.healthcheck = processProbe(port, app.health);
  if (docker) service.watch = nodeWatch(docker, app, 'sync');
  service.url = `http://127.0.0.1:${port}`;
  service.debug = 'node';
  return service;
}
