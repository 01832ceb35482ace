// What the detectors report: facts read from the repository, each with the file and line that
// shows it. Turning findings into Compose services (names, ports, wiring) is plan-services.ts.

/** A file and line that shows why something was detected. */
export interface Evidence {
  /** Relative to the repository root. */
  file: string;
  /** 1-based. */
  line: number;
  /** What that line shows, e.g. `app = FastAPI(...)`. */
  note: string;
}

/** How a web service's health is probed: an HTTP route that was found, or only its port. */
export type HealthProbe = { type: 'http'; path: string } | { type: 'tcp' };

export type PythonFramework = 'fastapi' | 'django' | 'flask';

export interface PythonWebApp {
  framework: PythonFramework;
  /** Where its command runs (the folder of requirements.txt / pyproject.toml / manage.py). */
  dir: string;
  /** fastapi: `app.main:app`; flask: `app` or `app:server`; django: `manage.py`. */
  target: string;
  /** uvicorn `--factory`: the target names a function that returns the app. */
  factory: boolean;
  port: number;
  health: HealthProbe;
  /** The interpreter, as written in x-devenv.process: `${PYTHON:-python3}` or a venv's python. */
  python: string;
  /** Top-level folders or modules holding the app's code, synced into a container. */
  sourcePaths: string[];
  /** requirements*.txt, pyproject.toml, Pipfile…: a change rebuilds the image. */
  manifests: string[];
  evidence: Evidence[];
}

export interface CeleryApp {
  dir: string;
  /** `-A` argument: the module that holds the Celery app. */
  module: string;
  python: string;
  sourcePaths: string[];
  manifests: string[];
  evidence: Evidence[];
}

export interface Migrations {
  tool: 'alembic' | 'django';
  dir: string;
  python: string;
  evidence: Evidence[];
}

export type NodeFramework = 'vite' | 'next' | 'react-scripts' | 'express' | 'fastify' | 'koa' | 'hapi' | 'nest';

export interface NodeApp {
  framework: NodeFramework;
  role: 'frontend' | 'api';
  dir: string;
  port: number;
  /** False when the code hard-codes its port; devenv can then not move it. */
  portMovable: boolean;
  /** The variable the code reads its port from (`PORT`), when it reads one. */
  portVariable?: string;
  /** APIs: the file node runs (`server.js`), relative to dir. */
  entry?: string;
  health: HealthProbe;
  /** `npm ci --no-audit --no-fund` and what it creates, run when node_modules is missing. */
  install: { command: string; creates: string };
  sourcePaths: string[];
  manifests: string[];
  /** Vite's dev-server proxy, when vite.config has one. */
  proxy?: DevServerProxy;
  evidence: Evidence[];
}

/** A dev-server proxy (`server.proxy['/api']`) and how its target is set. */
export interface DevServerProxy {
  path: string;
  /** The environment variable the config reads the target from, if it reads one. */
  variable?: string;
  /** The target when the config writes it out (`'http://localhost:8000'`). */
  literalTarget?: string;
  evidence: Evidence;
}

export type BackingKind =
  | 'postgres'
  | 'mysql'
  | 'mariadb'
  | 'redis'
  | 'mongodb'
  | 'rabbitmq'
  | 'kafka'
  | 'elasticsearch';

/** What an environment variable that reaches a backing service holds. */
export type VariableRole = 'url' | 'host' | 'address' | 'port' | 'user' | 'password' | 'database';

/**
 * One place where the repository reaches a backing service: a URL (`redis://cache:6379`), a host
 * given to a client (`Redis(host='redis')`, `'HOST': 'db'`), a `host:port` address
 * (`bootstrap_servers='kafka:9092'`), or a variable that carries one of these or a credential.
 */
export interface Connection {
  kind: BackingKind;
  /** The URL as written, when it is one. */
  url?: string;
  host?: string;
  port?: number;
  user?: string;
  password?: string;
  database?: string;
  /** The environment variable that carries it (`DATABASE_URL`, `REDIS_HOST`), so init can set it. */
  variable?: { name: string; holds: VariableRole };
  evidence: Evidence;
}

/** A client library in a dependency file (`redis` in requirements.txt, `mongoose` in package.json). */
export interface ClientLibrary {
  kind: BackingKind;
  name: string;
  evidence: Evidence;
}

export interface BackingService {
  kind: BackingKind;
  /** The service name: the host the code connects to (`cache`, `db`), else the kind's usual name. */
  name: string;
  /** User, password and database from the connection that decides them, else the kind's defaults. */
  user: string;
  password: string;
  database: string;
  /**
   * The port host processes use: the URL's (a developer who moved it to 5433, away from a system
   * Postgres, keeps it), else the default. In a container it is always the default.
   */
  hostPort: number;
  /** A folder with a Dockerfile for it (`postgres/Dockerfile`), built instead of pulling the image. */
  buildDir?: string;
  /** The connections that reach this service; those with a variable are pointed at it. */
  connections: Connection[];
  /** Code that names the host itself (`Redis(host='redis')`): only Docker's network resolves it. */
  hardCodedHost?: Evidence;
  evidence: Evidence[];
}

export interface Findings {
  pythonApps: PythonWebApp[];
  celeryApps: CeleryApp[];
  migrations: Migrations[];
  nodeApps: NodeApp[];
  backing: BackingService[];
  /** Things found that `init` could not turn into a service, or that a person should check. */
  notes: string[];
}
