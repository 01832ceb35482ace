// Compose services for Node.js apps: APIs run with node, and dev-server frontends (Vite,
// Next.js, Create React App) wired to the API their proxy reaches.

import type { AppEnvironment } from './app-environment.js';
import {
  appBase,
  commandLine,
  containerPath,
  type DockerBuild,
  evidenceText,
  healthNote,
  nodeProbe,
  processProbe,
  rel,
} from './app-service-base.js';
import { parseUrl } from './connection-url.js';
import type { NodeApp, PythonWebApp } from './findings.js';
import type { DependsCondition, PlannedService, WatchRule } from './planned-service.js';
import { joinRel, type RepoFiles } from './repo-files.js';

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

export function nodeApiService(
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

export function frontendService(
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
