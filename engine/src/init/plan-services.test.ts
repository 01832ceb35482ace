// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { memoryFs } from '../config/config-fs.js';
import { loadProject } from '../config/load-project.js';
import { renderCompose } from './compose-document.js';
import { detect } from './detect.js';
import { planServices } from './plan-services.js';
import { memoryRepo } from './repo-files.js';

/** A small FastAPI + Celery + Alembic + Vite repository, with Dockerfiles for the backend only. */
const stack: Record<string, string> = {
  '.env.example': 'DATABASE_URL=postgresql://shop:shop@localhost:5432/shop\nREDIS_URL=redis://localhost:6379/0\n',
  'backend/requirements.txt': 'fastapi\ncelery[redis]\nalembic\n',
  'backend/Dockerfile': 'FROM python:3.12\nWORKDIR /srv\nCOPY . .\n',
  'backend/alembic.ini': '[alembic]\n',
  'backend/app/__init__.py': '',
  'backend/app/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n@app.get("/health")\ndef health(): ...\n',
  'backend/app/tasks.py': 'from celery import Celery\ncelery = Celery("shop")\n',
  'frontend/package.json': '{ "devDependencies": { "vite": "5" } }',
  'frontend/src/main.js': '',
  'frontend/index.html': '',
  'frontend/vite.config.js': "export default { server: { proxy: { '/api': process.env.BACKEND_URL } } }\n",
};

function plan(files: Record<string, string>) {
  const repo = memoryRepo(files);
  return planServices(detect(repo), repo);
}

async function load(files: Record<string, string>, compose: string) {
  const fs = memoryFs({
    ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`/p/${k}`, v])),
    '/p/compose.yaml': compose,
  });
  return loadProject({ files: ['/p/compose.yaml'], projectDir: '/p', env: { HOME: '/home/me' }, fs });
}

describe('planServices', () => {
  it('names, wires and configures every service of the stack', () => {
    const p = plan(stack);
    expect(p.services.map((s) => [s.name, s.kind])).toEqual([
      ['postgres', 'postgres'],
      ['redis', 'redis'],
      ['migrate', 'alembic'],
      ['backend', 'fastapi'],
      ['worker', 'celery'],
      ['frontend', 'vite'],
    ]);
    const by = Object.fromEntries(p.services.map((s) => [s.name, s]));
    expect(by.migrate?.dependsOn).toEqual({ postgres: 'service_healthy' });
    expect(by.migrate?.restart).toBe('no');
    expect(by.backend?.dependsOn).toEqual({
      postgres: 'service_healthy',
      redis: 'service_healthy',
      migrate: 'service_completed_successfully',
    });
    expect(by.worker?.dependsOn).toEqual(by.backend?.dependsOn);
    expect(by.frontend?.dependsOn).toEqual({ backend: 'service_started' });
    expect(by.backend?.environment).toEqual({
      DATABASE_URL: 'postgresql://${POSTGRES_USER:-shop}:${POSTGRES_PASSWORD:-shop}@postgres:5432/${POSTGRES_DB:-shop}',
      REDIS_URL: 'redis://redis:6379/0',
    });
    expect(by.backend?.process?.env).toEqual({
      DATABASE_URL:
        'postgresql://${POSTGRES_USER:-shop}:${POSTGRES_PASSWORD:-shop}@127.0.0.1:5432/${POSTGRES_DB:-shop}',
      REDIS_URL: 'redis://127.0.0.1:6379/0',
      PYTHONUNBUFFERED: '1',
    });
    expect(by.backend?.watch).toEqual([
      { path: './backend/app', target: '/srv/app', action: 'sync', ignore: ['__pycache__/'] },
      { path: './backend/requirements.txt', action: 'rebuild' },
      { path: './backend/Dockerfile', action: 'rebuild' },
    ]);
    expect(by.worker?.watch?.[0]?.action).toBe('sync+restart');
    expect(by.frontend?.environment).toEqual({ BACKEND_URL: 'http://backend:8000' });
    expect(by.frontend?.process).toMatchObject({
      command: 'node node_modules/vite/bin/vite.js --host 127.0.0.1 --port 5173 --strictPort',
      cwd: './frontend',
      env: { BACKEND_URL: 'http://127.0.0.1:8000' },
      init: { command: 'npm install --no-audit --no-fund', creates: 'node_modules/.package-lock.json' },
      healthcheck: { type: 'http', url: 'http://127.0.0.1:5173/' },
    });
    // No Dockerfile in ./frontend: it runs as a process, and so the whole project does for now.
    expect(by.frontend?.processOnly).toBe(true);
    expect(by.frontend?.build).toBeUndefined();
    expect(by.frontend?.watch).toBeUndefined();
    expect(p.runtime).toBe('process');
    expect(p.notes).toEqual([expect.stringContaining('frontend: no Dockerfile, so it runs as a local process')]);
    expect(by.postgres).toMatchObject({ image: 'postgres:16', volumes: ['postgres-data:/var/lib/postgresql/data'] });
    expect(by.redis?.image).toBe('redis:7');
    expect(p.volumes).toEqual(['postgres-data', 'redis-data']);
  });

  it('moves a port that is taken, passing the new one to the command', () => {
    const p = plan({
      'api/package.json': '{ "dependencies": { "express": "4" } }',
      'api/server.js': 'app.listen(3000);\n',
      'web/package.json': '{ "dependencies": { "next": "14" } }',
      'admin/package.json': '{ "dependencies": { "react-scripts": "5" } }',
    });
    const by = Object.fromEntries(p.services.map((s) => [s.name, s]));
    expect(by.api?.ports).toEqual(['3000:3000']);
    expect(by.admin?.ports).toEqual(['3001:3001']);
    expect(by.admin?.process?.env).toEqual({ HOST: '127.0.0.1', PORT: '3001', BROWSER: 'none' });
    expect(by.web?.ports).toEqual(['3002:3002']);
    expect(by.web?.process?.command).toBe('node node_modules/next/dist/bin/next dev -H 127.0.0.1 -p 3002');
    expect(by.web?.dependsOn).toEqual({ api: 'service_started' });
  });

  it('keeps a non-default host port for processes, and the default inside containers', () => {
    const p = plan({
      '.env.example': 'DATABASE_URL=postgresql://app@localhost:5433/app\nREDIS_URL=redis://localhost:6380\n',
      'requirements.txt': 'flask\n',
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
    });
    const by = Object.fromEntries(p.services.map((s) => [s.name, s]));
    expect(by.web?.environment).toEqual({
      DATABASE_URL: 'postgresql://${POSTGRES_USER:-app}@postgres:5432/${POSTGRES_DB:-app}',
      REDIS_URL: 'redis://redis:6379/0',
    });
    expect(by.web?.process?.env).toMatchObject({
      DATABASE_URL: 'postgresql://${POSTGRES_USER:-app}@127.0.0.1:5433/${POSTGRES_DB:-app}',
      REDIS_URL: 'redis://127.0.0.1:6380/0',
    });
    expect(by.postgres?.process?.command).toContain('5433');
    expect(by.postgres?.process?.healthcheck).toMatchObject({ command: expect.stringContaining('-p 5433') });
    expect(by.postgres?.environment).toMatchObject({ POSTGRES_HOST_AUTH_METHOD: 'trust' });
    expect(by.redis?.process?.command).toBe('redis-server --bind 127.0.0.1 --port 6380 --save "" --appendonly no');
  });

  it('says when a proxy target is written out in the Vite config', () => {
    const p = plan({
      'requirements.txt': 'flask\n',
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      'ui/package.json': '{ "scripts": { "dev": "vite --open" }, "devDependencies": { "vite": "5" } }',
      'ui/vite.config.js': "export default { server: { proxy: { '/api': { target: 'http://localhost:5000' } } } }\n",
    });
    expect(p.services.map((s) => s.name)).toEqual(['web', 'ui']);
    expect(p.services[1]?.dependsOn).toEqual({ web: 'service_started' });
    expect(p.notes).toContainEqual(
      expect.stringContaining('ui/vite.config.js:1 proxies /api to http://localhost:5000'),
    );
  });
});

describe('renderCompose', () => {
  it('writes a file that devenv’s loader accepts without errors or warnings', async () => {
    const text = renderCompose(plan(stack));
    const { project, warnings } = await load(stack, text);
    expect(warnings).toEqual([]);
    expect(Object.keys(project.services).sort()).toEqual([
      'backend',
      'frontend',
      'migrate',
      'postgres',
      'redis',
      'worker',
    ]);
    const backend = project.services.backend!;
    expect(backend.ports).toMatchObject([
      { target: 8000, published: 8000, hostIp: '127.0.0.1', hostIpExplicit: false },
    ]);
    expect(backend.devenv.process?.command).toEqual([
      'python3',
      '-m',
      'uvicorn',
      'app.main:app',
      '--host',
      '127.0.0.1',
      '--port',
      '8000',
      '--reload',
    ]);
    expect(backend.devenv.process?.healthcheck).toMatchObject({ type: 'http', url: 'http://127.0.0.1:8000/health' });
    expect(project.services.postgres?.devenv.process?.init?.command.slice(0, 2)).toEqual(['sh', '-c']);
    expect(project.services.postgres?.devenv.process?.init?.command[2]).toContain('"$PG_BIN/initdb" -D "$1"');
    expect(project.devenv.runtime).toBe('process');
  });

  it('hoists what several services share into anchors and starts with what it detected', () => {
    const text = renderCompose(plan(stack));
    expect(text).toMatch(/^# Generated by `devenv init`/);
    expect(text).toContain('#   backend   fastapi   backend/app/main.py:2, backend/requirements.txt:1\n');
    expect(text).toContain('x-backend-environment: &backend-environment\n');
    expect(text).toContain('    environment: *backend-environment\n');
    expect(text).toContain('    build: *backend-build\n');
    expect(text).toContain('        env: *backend-process-env\n');
    expect(text).toContain('      - "8000:8000"\n');
    expect(text).toContain('volumes:\n  postgres-data:\n');
    const doc = parse(text) as { services: Record<string, { command?: unknown }> };
    expect(doc.services.worker?.command).toEqual([
      'celery',
      '-A',
      'app.tasks',
      'worker',
      '--pool=solo',
      '--loglevel=INFO',
    ]);
  });
});
