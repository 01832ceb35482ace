// Findings → Compose services: names, ports that do not clash, which service waits for which,
// and the environment each app gets. Each kind of service is built in its own module
// (backing-containers, python-services, nodejs-services). Pure: the only disk access is through
// RepoFiles (Dockerfiles).

import { Environments } from './app-environment.js';
import { postgresService, redisService } from './backing-containers.js';
import type { CeleryApp, Findings, Migrations, NodeApp, PythonWebApp } from './findings.js';
import { frontendService, nodeApiService } from './nodejs-services.js';
import type { ComposePlan, DependsCondition, PlannedService } from './planned-service.js';
import { celeryService, migrateService, pythonWebService } from './python-services.js';
import { baseName, dirOf, isUnder, type RepoFiles } from './repo-files.js';

export type * from './planned-service.js';

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
