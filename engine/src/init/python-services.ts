// Compose services for Python apps: migrations (one-shot), web apps (FastAPI, Flask, Django)
// and Celery workers, with their commands for containers and host processes.

import type { AppEnvironment } from './app-environment.js';
import {
  appBase,
  commandLine,
  containerPath,
  type DockerBuild,
  healthNote,
  processProbe,
  pythonProbe,
  rel,
} from './app-service-base.js';
import type { CeleryApp, Migrations, PythonWebApp } from './findings.js';
import type { DependsCondition, PlannedService, ServiceKind, WatchRule } from './planned-service.js';
import { joinRel, type RepoFiles } from './repo-files.js';

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

export function migrateService(
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

export function pythonWebService(
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

export function celeryService(
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
