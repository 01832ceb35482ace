// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
// `devenv init` end to end: the real CLI (cli/bin/devenv.js) in a temporary copy of each scenario
// in test/fixtures/init/, one folder per scenario. Each test checks the exit code, what was
// printed, the compose.yaml written (parsed), that devenv's own loader accepts it with no errors
// and no warnings, and .vscode/launch.json.

import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadProject } from '../../engine/src/config/index.js';
import { type CliResult, devenv, repoRoot } from '../helpers/cli.js';

const fixtures = join(repoRoot, 'test', 'fixtures', 'init');
const temps: string[] = [];

afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/** A fresh copy of the scenario (on top of `base`, a repository folder, if given). */
function copyScenario(name: string, base?: string): string {
  const dir = mkdtempSync(join(tmpdir(), `devenv-init-${name}-`));
  temps.push(dir);
  const skip = (src: string) => !/(^|\/)(node_modules|dist|\.devenv|__pycache__)(\/|$)/.test(src);
  if (base) cpSync(join(repoRoot, base), dir, { recursive: true, filter: skip });
  cpSync(join(fixtures, name), dir, { recursive: true, filter: skip });
  return dir;
}

interface ComposeFile {
  'x-devenv'?: { runtime?: string };
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile?: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  restart?: string;
  develop?: { watch: { path: string; action: string; target?: string }[] };
  'x-devenv': {
    url?: string;
    debug: string | false;
    process: {
      command: string | string[];
      cwd: string;
      env?: Record<string, string>;
      user?: string;
      init?: { command: string | string[]; creates: string };
      healthcheck?: { type: string; url?: string; port?: number; command?: string };
    };
  };
}

function readCompose(dir: string): ComposeFile {
  return parse(readFileSync(join(dir, 'compose.yaml'), 'utf8')) as ComposeFile;
}

/** devenv's own loader, with an environment holding only HOME: no errors (it would throw), no warnings. */
async function loadCleanly(dir: string) {
  const result = await loadProject({ cwd: dir, env: { HOME: '/home/devenv' } });
  expect(result.warnings).toEqual([]);
  return result.project;
}

/** `devenv config`, the command a user runs to check a Compose file, accepts the generated one. */
async function validByConfigCommand(dir: string, services: string[]): Promise<void> {
  const config = await devenv(['config', '--services'], { cwd: dir });
  expect(config.code, config.stderr).toBe(0);
  expect(config.stderr).toBe('');
  expect(config.stdout.trim().split('\n')).toEqual(services);
}

function launchConfigurations(dir: string): { type: string; request: string; name: string }[] {
  const text = readFileSync(join(dir, '.vscode', 'launch.json'), 'utf8');
  return (parseJsonc(text, [], { allowTrailingComma: true }) as { configurations: [] }).configurations;
}

function expectWritten(result: CliResult): void {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/\nwrote:\n {2}compose\.yaml +\(new\)\n/);
  // The hint names the devenv that ran (here the repository's bin), so it runs as printed.
  expect(result.stdout.trimEnd()).toMatch(/\nnext: `(devenv|npx devenv|node \S+\/devenv\.js) up`$/);
}

const RUN_BOTH = { type: 'devenv', request: 'launch', name: 'Run Both' };

const scenarios: Record<string, () => Promise<void>> = {
  'example-app': async () => {
    const dir = copyScenario('example-app', 'example');
    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    for (const row of [
      /postgres +postgres +\.env:2 \(DATABASE_URL=postgresql:\/\/app:devenv@localhost:5432\/app\)/,
      /redis +redis +\.env:3 /,
      /migrate +alembic +backend\/alembic\.ini:2 /,
      /backend +fastapi +backend\/app\/main\.py:7 \(FastAPI app\), backend\/requirements\.txt:4/,
      /worker +celery +backend\/app\/worker\.py:17 \(Celery app\)/,
      /frontend +vite +frontend\/package\.json:\d+ \(depends on vite\), frontend\/vite\.config\.js:16/,
    ]) {
      expect(result.stdout).toMatch(row);
    }
    const compose = readCompose(dir);
    expect(Object.keys(compose.services)).toEqual(['postgres', 'redis', 'migrate', 'backend', 'worker', 'frontend']);
    const { postgres, redis, migrate, backend, worker, frontend } = compose.services as Record<string, ComposeService>;
    // Every service of the example has a Dockerfile (postgres and redis too, in their folders).
    expect(compose['x-devenv']).toBeUndefined();
    expect(postgres?.build).toEqual({ context: './postgres' });
    expect(redis?.build).toEqual({ context: './redis' });
    expect(postgres?.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(postgres?.healthcheck?.test[1]).toContain('pg_isready');
    expect(postgres?.['x-devenv'].process.user).toBe('postgres');
    expect(postgres?.['x-devenv'].process.init?.creates).toBe('${DEVENV_STATE_DIR:-.devenv/state}/postgres/PG_VERSION');
    expect(redis?.healthcheck?.test[1]).toContain('redis-cli');
    expect(compose.volumes).toEqual({ 'postgres-data': null });

    expect(migrate).toMatchObject({
      build: { context: './backend' },
      command: ['alembic', 'upgrade', 'head'],
      restart: 'no',
      depends_on: { postgres: { condition: 'service_healthy' } },
    });
    expect(backend).toMatchObject({
      build: { context: './backend' },
      command: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000', '--reload'],
      ports: ['8000:8000'],
      depends_on: {
        postgres: { condition: 'service_healthy' },
        redis: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      },
      environment: {
        DATABASE_URL:
          'postgresql://${POSTGRES_USER:-app}:${POSTGRES_PASSWORD:-devenv}@postgres:5432/${POSTGRES_DB:-app}',
        REDIS_URL: 'redis://redis:6379/0',
      },
      develop: {
        watch: [
          { path: './backend/app', target: '/app/app', action: 'sync' },
          { path: './backend/requirements.txt', action: 'rebuild' },
          { path: './backend/Dockerfile', action: 'rebuild' },
        ],
      },
      'x-devenv': {
        url: 'http://127.0.0.1:8000/docs',
        debug: 'python',
        process: {
          command: '${PYTHON:-python3} -m uvicorn app.main:app --host 127.0.0.1 --port 8000 --reload',
          cwd: './backend',
          healthcheck: { type: 'http', url: 'http://127.0.0.1:8000/api/health' },
        },
      },
    });
    expect(backend?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:8000/api/health');
    expect(worker).toMatchObject({
      command: ['celery', '-A', 'app.worker', 'worker', '--pool=solo', '--loglevel=INFO'],
      depends_on: backend?.depends_on,
      'x-devenv': { debug: 'python' },
    });
    expect(worker?.develop?.watch[0]).toMatchObject({ path: './backend/app', action: 'sync+restart' });
    expect(frontend).toMatchObject({
      build: { context: './frontend' },
      command: ['node', 'node_modules/vite/bin/vite.js', '--host', '0.0.0.0', '--port', '5173', '--strictPort'],
      environment: { BACKEND_URL: 'http://backend:8000' },
      ports: ['5173:5173'],
      depends_on: { backend: { condition: 'service_started' } },
      'x-devenv': {
        url: 'http://127.0.0.1:5173',
        debug: 'node',
        process: {
          init: { command: 'npm ci --no-audit --no-fund', creates: 'node_modules/.package-lock.json' },
          command: 'node node_modules/vite/bin/vite.js --host 127.0.0.1 --port 5173 --strictPort',
          env: { BACKEND_URL: 'http://127.0.0.1:8000' },
        },
      },
    });
    expect(frontend?.develop?.watch.map((w) => w.path)).toContain('./frontend/src');

    const project = await loadCleanly(dir);
    expect(project.services.backend?.ports).toMatchObject([{ published: 8000, hostIp: '127.0.0.1' }]);
    expect(project.services.backend?.devenv.process?.env.DATABASE_URL).toBe(
      'postgresql://app:devenv@127.0.0.1:5432/app',
    );
    expect(project.services.frontend?.dependsOn.backend?.condition).toBe('service_started');
    expect(launchConfigurations(dir)).toEqual([RUN_BOTH]);
  },

  'django-postgres': async () => {
    const dir = copyScenario('django-postgres');
    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    expect(result.stdout).toMatch(/web +django +manage\.py:7 \(Django manage\.py\)/);
    expect(result.stdout).toMatch(/postgres +postgres +mysite\/settings\.py:8 /);
    const compose = readCompose(dir);
    expect(Object.keys(compose.services)).toEqual(['postgres', 'migrate', 'web']);
    expect(compose['x-devenv']).toBeUndefined();
    expect(compose.services.postgres).toMatchObject({
      image: 'postgres:16',
      environment: {
        POSTGRES_USER: '${POSTGRES_USER:-polls}',
        POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-polls}',
        POSTGRES_DB: '${POSTGRES_DB:-polls}',
      },
    });
    expect(compose.services.migrate).toMatchObject({
      build: { context: '.' },
      command: ['python', 'manage.py', 'migrate', '--noinput'],
      restart: 'no',
      depends_on: { postgres: { condition: 'service_healthy' } },
    });
    expect(compose.services.web).toMatchObject({
      build: { context: '.' },
      command: ['python', 'manage.py', 'runserver', '0.0.0.0:8000'],
      environment: {
        DATABASE_URL:
          'postgres://${POSTGRES_USER:-polls}:${POSTGRES_PASSWORD:-polls}@postgres:5432/${POSTGRES_DB:-polls}',
      },
      ports: ['8000:8000'],
      depends_on: {
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      },
      develop: {
        watch: [
          { path: './mysite', target: '/code/mysite', action: 'sync' },
          { path: './polls', target: '/code/polls', action: 'sync' },
          { path: './requirements.txt', action: 'rebuild' },
          { path: './Dockerfile', action: 'rebuild' },
        ],
      },
      'x-devenv': {
        url: 'http://127.0.0.1:8000/',
        debug: 'python',
        process: {
          command: '${PYTHON:-python3} manage.py runserver 127.0.0.1:8000',
          cwd: '.',
          healthcheck: { type: 'http', url: 'http://127.0.0.1:8000/health/' },
        },
      },
    });
    await loadCleanly(dir);
    expect(launchConfigurations(dir)).toEqual([RUN_BOTH]);
  },

  'flask-app': async () => {
    const dir = copyScenario('flask-app');
    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    expect(result.stdout).toMatch(/web +flask +app\.py:3 \(Flask app\), requirements\.txt:1/);
    // No Dockerfile: a process until it has an image, and the output says so.
    expect(result.stdout).toContain('web: no Dockerfile, so it runs as a local process (x-devenv.process)');
    const compose = readCompose(dir);
    expect(Object.keys(compose.services)).toEqual(['web']);
    expect(compose['x-devenv']).toEqual({ runtime: 'process' });
    const web = compose.services.web as ComposeService;
    expect(web.build).toBeUndefined();
    expect(web.image).toBeUndefined();
    expect(web.develop).toBeUndefined();
    expect(web).toMatchObject({
      ports: ['5000:5000'],
      'x-devenv': {
        url: 'http://127.0.0.1:5000/',
        debug: 'python',
        process: {
          command: '${PYTHON:-python3} -m flask --app app run --host 127.0.0.1 --port 5000 --reload',
          cwd: '.',
          healthcheck: { type: 'http', url: 'http://127.0.0.1:5000/healthz' },
        },
      },
    });
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toContain(
      '# No Dockerfile in .: runs as a local process (x-devenv.process) until it has an image.\n',
    );
    const project = await loadCleanly(dir);
    expect(project.devenv.runtime).toBe('process');
  },

  'nextjs-frontend': async () => {
    const dir = copyScenario('nextjs-frontend');
    const dry = await devenv(['init', '--dry-run', '--json'], { cwd: dir });
    expect(dry.code).toBe(0);
    const planned = JSON.parse(dry.stdout) as { written: boolean; services: { name: string; kind: string }[] };
    expect(planned.written).toBe(false);
    expect(planned.services.map((s) => [s.name, s.kind])).toEqual([['frontend', 'next']]);
    expect(existsSync(join(dir, 'compose.yaml'))).toBe(false);
    expect(existsSync(join(dir, '.vscode'))).toBe(false);

    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    const compose = readCompose(dir);
    expect(Object.keys(compose.services)).toEqual(['frontend']);
    expect(compose.services.frontend).toMatchObject({
      command: ['node', 'node_modules/next/dist/bin/next', 'dev', '-H', '0.0.0.0', '-p', '3000'],
      ports: ['3000:3000'],
      'x-devenv': {
        url: 'http://127.0.0.1:3000',
        debug: 'node',
        process: {
          init: { command: 'npm ci --no-audit --no-fund', creates: 'node_modules/.package-lock.json' },
          command: 'node node_modules/next/dist/bin/next dev -H 127.0.0.1 -p 3000',
          healthcheck: { type: 'http', url: 'http://127.0.0.1:3000/' },
        },
      },
    });
    expect(compose.services.frontend?.depends_on).toBeUndefined();
    await loadCleanly(dir);
  },

  'express-redis': async () => {
    const dir = copyScenario('express-redis');
    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    expect(result.stdout).toMatch(/redis +redis +server\.js:4 /);
    const compose = readCompose(dir);
    expect(Object.keys(compose.services)).toEqual(['redis', 'api']);
    expect(compose.services.redis?.image).toBe('redis:7');
    expect(compose.services.api).toMatchObject({
      build: { context: '.' },
      command: ['node', 'server.js'],
      environment: { REDIS_URL: 'redis://redis:6379/0', PORT: '3000' },
      ports: ['3000:3000'],
      depends_on: { redis: { condition: 'service_healthy' } },
      develop: {
        watch: [
          { path: './server.js', target: '/usr/src/app/server.js', action: 'sync+restart' },
          { path: './package.json', action: 'rebuild' },
          { path: './Dockerfile', action: 'rebuild' },
        ],
      },
      'x-devenv': {
        debug: 'node',
        process: {
          command: 'node server.js',
          env: { REDIS_URL: 'redis://127.0.0.1:6379/0', PORT: '3000' },
          healthcheck: { type: 'http', url: 'http://127.0.0.1:3000/health' },
        },
      },
    });
    await loadCleanly(dir);
  },

  'flask-redis': async () => {
    const dir = copyScenario('flask-redis');
    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    // The backing service, named after the host the code uses, with both pieces of evidence.
    expect(result.stdout).toMatch(
      /redis +redis +app\.py:5 \(cache = Redis\(host="redis", port=6379, socket_connect_timeout=2\)\), requirements\.txt:2\n/,
    );
    expect(result.stdout).toMatch(/web +flask +app\.py:4 \(Flask app\), requirements\.txt:1\n/);
    const compose = readCompose(dir);
    expect(Object.keys(compose.services)).toEqual(['redis', 'web']);
    expect(compose['x-devenv']).toBeUndefined();
    const { redis, web } = compose.services as Record<string, ComposeService>;
    expect(redis).toMatchObject({
      image: 'redis:7',
      volumes: ['redis-data:/data'],
      healthcheck: { test: ['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] },
      restart: 'unless-stopped',
    });
    expect(redis?.ports).toBeUndefined();
    expect(compose.volumes).toEqual({ 'redis-data': null });
    expect(web).toMatchObject({
      build: { context: '.' },
      command: ['flask', '--app', 'app', 'run', '--host', '0.0.0.0', '--port', '5000', '--reload'],
      ports: ['5000:5000'],
      depends_on: { redis: { condition: 'service_healthy' } },
    });
    // The code names its host itself: there is no variable to set.
    expect(web?.environment).toBeUndefined();
    expect(web?.healthcheck?.test.join(' ')).toContain('http://127.0.0.1:5000/health');
    await validByConfigCommand(dir, ['redis', 'web']);
    const project = await loadCleanly(dir);
    expect(project.services.web?.dependsOn.redis?.condition).toBe('service_healthy');
  },

  'express-mongodb': async () => {
    const dir = copyScenario('express-mongodb');
    const dry = await devenv(['init', '--dry-run'], { cwd: dir });
    expect(dry.code, dry.stderr).toBe(0);
    // The evidence is printed by --dry-run too, before anything is written.
    expect(dry.stdout).toMatch(
      /mongo +mongodb +server\.js:4 \(const url = process\.env\.MONGO_URL \|\| 'mongodb:\/\/mongo:27017\/inventory';\), package\.json:10\n/,
    );
    expect(existsSync(join(dir, 'compose.yaml'))).toBe(false);

    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    expect(result.stdout).toMatch(/mongo +mongodb +server\.js:4 .*package\.json:10\n/);
    const compose = readCompose(dir);
    expect(Object.keys(compose.services)).toEqual(['mongo', 'api']);
    const { mongo, api } = compose.services as Record<string, ComposeService>;
    expect(mongo).toMatchObject({
      image: 'mongo:7',
      volumes: ['mongo-data:/data/db'],
      healthcheck: { test: ['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"] },
    });
    expect(mongo?.ports).toBeUndefined();
    expect(api).toMatchObject({
      build: { context: '.' },
      command: ['node', 'server.js'],
      environment: { MONGO_URL: 'mongodb://mongo:27017/inventory', PORT: '3000' },
      depends_on: { mongo: { condition: 'service_healthy' } },
      'x-devenv': {
        process: {
          env: { MONGO_URL: 'mongodb://127.0.0.1:27017/inventory', PORT: '3000' },
          healthcheck: { type: 'http', url: 'http://127.0.0.1:3000/health' },
        },
      },
    });
    await validByConfigCommand(dir, ['mongo', 'api']);
    await loadCleanly(dir);
  },

  'empty-repo': async () => {
    const dir = copyScenario('empty-repo');
    const result = await devenv(['init'], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`error: devenv init found no services in ${dir} [init.nothing-detected]`);
    for (const what of [
      'FastAPI',
      'Django (manage.py)',
      'vite, next or react-scripts',
      'express',
      'postgres://',
      'MongoDB',
      'go.mod',
    ]) {
      expect(result.stderr).toContain(what);
    }
    expect(existsSync(join(dir, 'compose.yaml'))).toBe(false);
    expect(existsSync(join(dir, '.vscode'))).toBe(false);
  },

  'existing-compose': async () => {
    const dir = copyScenario('existing-compose');
    const original = readFileSync(join(dir, 'compose.yaml'), 'utf8');
    const refused = await devenv(['init'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `compose.yaml already exists in ${dir}; devenv init does not overwrite it [init.compose-exists]`,
    );
    expect(refused.stderr).toContain('devenv init --force');
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe(original);
    expect(existsSync(join(dir, '.vscode'))).toBe(false);

    const dry = await devenv(['init', '--force', '--dry-run'], { cwd: dir });
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('would move compose.yaml to compose.yaml.bak');
    expect(dry.stdout).toContain('--- compose.yaml (would be created) ---\n# Generated by `devenv init`');
    expect(dry.stdout).toContain('dry run: nothing was written');
    expect(readFileSync(join(dir, 'compose.yaml'), 'utf8')).toBe(original);
    expect(existsSync(join(dir, 'compose.yaml.bak'))).toBe(false);

    const forced = await devenv(['init', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(/compose\.yaml\.bak +\(the previous compose\.yaml, moved aside by --force\)/);
    expect(readFileSync(join(dir, 'compose.yaml.bak'), 'utf8')).toBe(original);
    expect(Object.keys(readCompose(dir).services)).toEqual(['api']);
    await loadCleanly(dir);

    // A second --force keeps the first backup.
    const again = await devenv(['init', '--force'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(readFileSync(join(dir, 'compose.yaml.bak'), 'utf8')).toBe(original);
    expect(readFileSync(join(dir, 'compose.yaml.bak.1'), 'utf8')).toContain('# Generated by `devenv init`');
  },

  'launch-json-merge': async () => {
    const dir = copyScenario('launch-json-merge');
    const before = readFileSync(join(dir, '.vscode', 'launch.json'), 'utf8');
    const result = await devenv(['init'], { cwd: dir });
    expectWritten(result);
    expect(result.stdout).toMatch(
      /\.vscode\/launch\.json +\(added the "Run Both" configuration; everything else kept\)/,
    );
    const after = readFileSync(join(dir, '.vscode', 'launch.json'), 'utf8');
    for (const kept of [
      '// Use IntelliSense to learn about possible attributes.',
      '"name": "Python: current file", // the one I use most',
      '/* attach to a running uvicorn */',
      '"connect": { "host": "localhost", "port": 5678 }',
    ]) {
      expect(after).toContain(kept);
    }
    expect(after.startsWith(before.slice(0, before.lastIndexOf('}\n  ]')))).toBe(true);
    expect(launchConfigurations(dir).map((c) => c.name)).toEqual(['Python: current file', 'Attach', 'Run Both']);
    expect(launchConfigurations(dir)[2]).toEqual(RUN_BOTH);
    expect(Object.keys(readCompose(dir).services)).toEqual(['api']);
    await loadCleanly(dir);

    // Run again (with --force for the compose file): the configuration is not added twice.
    const again = await devenv(['init', '--force'], { cwd: dir });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(
      '.vscode/launch.json  (unchanged: it already has a devenv configuration ("Run Both"))',
    );
    expect(readFileSync(join(dir, '.vscode', 'launch.json'), 'utf8')).toBe(after);
  },
};

describe('devenv init', () => {
  it('has a test for every scenario folder in test/fixtures/init', () => {
    const folders = readdirSync(fixtures).filter((name) => statSync(join(fixtures, name)).isDirectory());
    expect(folders.sort()).toEqual(Object.keys(scenarios).sort());
  });

  for (const [name, run] of Object.entries(scenarios)) {
    it(name, run, 60_000);
  }
});
