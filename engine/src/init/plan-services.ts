// Findings → Compose services: names, ports that do not clash, which service waits for which,
// and the environment each app gets. Each kind of service is built in its own module
// (backing-containers, python-services, nodejs-services). Pure: the only disk access is through
// RepoFiles (Dockerfiles).

import { Environments, type ReachableService } from './app-environment.js';
import { backingContainer } from './backing-containers.js';
import { signalsOf } from './backing-kinds.js';
import type { BackingKind, CeleryApp, Findings, Migrations, NodeApp, PythonWebApp } from './findings.js';
import { frontendService, nodeApiService } from './nodejs-services.js';
import type { ComposePlan, DependsCondition, PlannedService } from './planned-service.js';
import { celeryService, migrateService, pythonWebService } from './python-services.js';
import { baseName, dirOf, isUnder, type RepoFiles } from './repo-files.js';
import { credentialRefs } from './server-credentials.js';

export type * from './planned-service.js';

export function planServices(findings: Findings, repo: RepoFiles): ComposePlan {
  const notes = [...findings.notes];
  const names = new NameRegistry();
  const ports = new PortRegistry();
  const services: PlannedService[] = [];

  // Names first (the order the file lists them in), so wiring can refer to them. Backing services
  // come first: their names are the host names the code uses, which must not move.
  const backing: ReachableService[] = findings.backing.map((b, i) => {
    const name = names.claim(b.name);
    if (name !== b.name) {
      notes.push(
        `${name}: the code reaches a ${signalsOf(b.kind).label} at host "${b.name}", a name another service took; rename one of them in the code or compose.yaml`,
      );
    }
    const firstOfKind = findings.backing.findIndex((o) => o.kind === b.kind) === i;
    return { service: b, name, credentials: credentialRefs(b, name, firstOfKind) };
  });
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

  const env = new Environments(backing);
  const backingDeps = (dir: string, only?: (kind: BackingKind) => boolean): Record<string, DependsCondition> => {
    const deps: Record<string, DependsCondition> = {};
    for (const { service: b, name } of backing) {
      if (only && !only(b.kind)) continue;
      // Used here: evidence in the app's folder, or in a repository-wide file (the root .env).
      const uses = b.evidence.some(
        (e) => dirOf(e.file) !== b.buildDir && (isUnder(e.file, dir) || dirOf(e.file) === '.'),
      );
      if (uses) deps[name] = 'service_healthy';
    }
    return deps;
  };
  const migrateDeps = (dir: string): Record<string, DependsCondition> => {
    const deps: Record<string, DependsCondition> = {};
    for (const [m, name] of migrateNames) if (related(m.dir, dir)) deps[name] = 'service_completed_successfully';
    return deps;
  };

  for (const b of backing) services.push(backingContainer(b.name, b.service, b.credentials));
  for (const [m, name] of migrateNames) {
    // Migrations need the database, nothing else.
    const deps = backingDeps(m.dir, (kind) => SQL_KINDS.has(kind));
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
    if (!backing.some((b) => b.service.kind === 'redis' || b.service.kind === 'rabbitmq')) {
      notes.push(
        `${name}: Celery needs a broker, and no Redis or RabbitMQ was found; add a broker URL (CELERY_BROKER_URL) and its service`,
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
    volumes: services.flatMap((s) => (s.volumes ?? []).map((v) => v.slice(0, v.indexOf(':')))),
    notes,
  };
  if (processOnly.length > 0) {
    plan.runtime = 'process';
    notes.push(
      `${processOnly.map((s) => s.name).join(', ')}: no Dockerfile, so ${processOnly.length > 1 ? 'they run' : 'it runs'} as a local process (x-devenv.process) until ${processOnly.length > 1 ? 'they have' : 'it has'} an image; compose.yaml sets \`x-devenv.runtime: process\` meanwhile`,
    );
    notes.push(...processRuntimeGaps(backing, services));
  }
  return plan;
}

/** What the process runtime cannot do for the backing services, said when the file sets it. */
function processRuntimeGaps(backing: readonly ReachableService[], services: readonly PlannedService[]): string[] {
  const notes: string[] = [];
  const dockerOnly = backing.filter((b) => !services.find((s) => s.name === b.name)?.process);
  if (dockerOnly.length > 0) {
    notes.push(
      `${dockerOnly.map((b) => b.name).join(', ')}: no way to run ${dockerOnly.length > 1 ? 'them' : 'it'} as a local process; start ${dockerOnly.length > 1 ? 'them' : 'it'} yourself, or add Dockerfiles for the apps so the stack runs in Docker`,
    );
  }
  for (const b of backing) {
    const at = b.service.hardCodedHost;
    if (at) {
      notes.push(
        `${at.file}:${at.line} connects to host "${b.name}", which only Docker's network resolves: as a local process the app needs it from a variable (e.g. ${signalsOf(b.service.kind).variablePrefixes[0]}_HOST, set to 127.0.0.1)`,
      );
    }
  }
  return notes;
}

const SQL_KINDS = new Set<BackingKind>(['postgres', 'mysql', 'mariadb']);

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
