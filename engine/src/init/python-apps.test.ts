// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { detectPython } from './python-apps.js';
import { memoryRepo } from './repo-files.js';

function detect(files: Record<string, string>) {
  const notes: string[] = [];
  return { ...detectPython(memoryRepo(files), notes), notes };
}

describe('detectPython: FastAPI', () => {
  it('finds the app object, its module path and a health route behind a router prefix', () => {
    const { pythonApps, notes } = detect({
      'backend/requirements.txt': '# pins\nfastapi==0.110.0\nuvicorn[standard]>=0.20\n',
      'backend/app/__init__.py': '',
      'backend/app/main.py':
        'from fastapi import FastAPI\nfrom app.routes import router\n\napp = FastAPI(title="x")\napp.include_router(router)\n',
      'backend/app/routes.py':
        'from fastapi import APIRouter\nrouter = APIRouter(prefix="/api")\n\n@router.get("/items")\ndef items(): ...\n\n@router.get("/health")\ndef health(): ...\n',
    });
    expect(notes).toEqual([]);
    expect(pythonApps).toHaveLength(1);
    const app = pythonApps[0]!;
    expect(app).toMatchObject({
      framework: 'fastapi',
      dir: 'backend',
      target: 'app.main:app',
      factory: false,
      port: 8000,
      health: { type: 'http', path: '/api/health' },
      python: '${PYTHON:-python3}',
      sourcePaths: ['app'],
      manifests: ['backend/requirements.txt'],
    });
    expect(app.evidence).toEqual([
      { file: 'backend/app/main.py', line: 4, note: 'FastAPI app' },
      { file: 'backend/requirements.txt', line: 2, note: 'depends on fastapi' },
    ]);
  });

  it('adds the include_router prefix, and reads the port from uvicorn.run', () => {
    const { pythonApps } = detect({
      'pyproject.toml': '[project]\ndependencies = [\n  "fastapi>=0.100",\n]\n',
      'main.py':
        'import uvicorn\nfrom fastapi import FastAPI\nimport routes\napp = FastAPI()\napp.include_router(routes.router, prefix="/v1")\nif __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=8080)\n',
      'routes.py': 'from fastapi import APIRouter\nrouter = APIRouter()\n@router.get("/healthz")\ndef h(): ...\n',
    });
    expect(pythonApps[0]).toMatchObject({
      dir: '.',
      target: 'main:app',
      port: 8080,
      health: { type: 'http', path: '/v1/healthz' },
      sourcePaths: ['main.py'],
    });
  });

  it('runs an app factory with --factory, falls back to /docs for health, and prefers a venv', () => {
    const { pythonApps } = detect({
      'api/requirements.txt': 'fastapi\n',
      'api/.venv/bin/python': '',
      'api/service/app.py': 'from fastapi import FastAPI\n\ndef create_app():\n    app = FastAPI()\n    return app\n',
    });
    expect(pythonApps[0]).toMatchObject({
      target: 'service.app:create_app',
      factory: true,
      health: { type: 'http', path: '/docs' },
      python: '${PYTHON:-.venv/bin/python}',
    });
  });

  it('probes the port when docs are off and no route is found', () => {
    const { pythonApps } = detect({
      'requirements.txt': 'fastapi\n',
      'app.py': 'from fastapi import FastAPI\napp = FastAPI(docs_url=None)\n',
    });
    expect(pythonApps[0]?.health).toEqual({ type: 'tcp' });
  });

  it('notes a FastAPI dependency without an app object', () => {
    const { pythonApps, notes } = detect({ 'requirements.txt': 'fastapi==1\n', 'lib.py': 'x = 1\n' });
    expect(pythonApps).toEqual([]);
    expect(notes).toEqual(['requirements.txt:1 lists fastapi, but no `= FastAPI(` was found: add its service by hand']);
  });

  it('ignores apps in tests', () => {
    const { pythonApps } = detect({
      'requirements.txt': 'fastapi\n',
      'tests/test_api.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
    });
    expect(pythonApps).toEqual([]);
  });
});

describe('detectPython: Flask', () => {
  it('runs `flask --app module`, with the port from .env and a blueprint health route', () => {
    const { pythonApps } = detect({
      'requirements.txt': 'Flask==3.0.0\nflask-sqlalchemy\n',
      '.env': 'FLASK_RUN_PORT=5050\n',
      'hello/__init__.py':
        'from flask import Flask\nfrom .status import bp\napp = Flask(__name__)\napp.register_blueprint(bp)\n',
      'hello/status.py':
        'from flask import Blueprint\nbp = Blueprint("status", __name__, url_prefix="/status")\n@bp.route("/health")\ndef health(): ...\n',
    });
    expect(pythonApps[0]).toMatchObject({
      framework: 'flask',
      target: 'hello',
      port: 5050,
      health: { type: 'http', path: '/status/health' },
      sourcePaths: ['hello'],
    });
  });

  it('names a non-`app` variable, defaults to port 5000 and probes `/` when that is all it has', () => {
    const { pythonApps } = detect({
      'requirements.txt': 'flask\n',
      'server.py': 'from flask import Flask\nserver = Flask(__name__)\n@server.route("/")\ndef index(): ...\n',
    });
    expect(pythonApps[0]).toMatchObject({ target: 'server:server', port: 5000, health: { type: 'http', path: '/' } });
  });
});

describe('detectPython: Django', () => {
  const django = {
    'web/requirements.txt': 'Django>=5\ndj-database-url\n',
    'web/manage.py':
      'import os, sys\ndef main():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mysite.settings")\n    from django.core.management import execute_from_command_line\n',
    'web/mysite/__init__.py': '',
    'web/mysite/settings.py': 'ROOT_URLCONF = "mysite.urls"\n',
    'web/mysite/urls.py':
      'from django.urls import path\nfrom django.contrib import admin\nurlpatterns = [\n    path("admin/", admin.site.urls),\n    path("healthz/", health),\n]\n',
    'web/polls/__init__.py': '',
    'web/polls/migrations/__init__.py': '',
  };

  it('finds manage.py, the URLconf health route, the packages to sync, and a migrate step', () => {
    const { pythonApps, migrations } = detect(django);
    expect(pythonApps).toHaveLength(1);
    expect(pythonApps[0]).toMatchObject({
      framework: 'django',
      dir: 'web',
      target: 'manage.py',
      port: 8000,
      health: { type: 'http', path: '/healthz/' },
      sourcePaths: ['mysite', 'polls'],
    });
    expect(pythonApps[0]?.evidence[0]).toEqual({ file: 'web/manage.py', line: 3, note: 'Django manage.py' });
    expect(migrations).toEqual([
      {
        tool: 'django',
        dir: 'web',
        python: '${PYTHON:-python3}',
        evidence: [{ file: 'web/manage.py', line: 1, note: 'Django: manage.py migrate' }],
      },
    ]);
  });

  it('probes /admin/ when no health route exists (a redirect counts as up)', () => {
    const { pythonApps } = detect({
      ...django,
      'web/mysite/urls.py': 'urlpatterns = [\n    path("admin/", admin.site.urls),\n]\n',
    });
    expect(pythonApps[0]?.health).toEqual({ type: 'http', path: '/admin/' });
  });
});

describe('detectPython: Celery and Alembic', () => {
  it('finds the Celery app module and alembic.ini', () => {
    const { celeryApps, migrations } = detect({
      'backend/requirements.txt': 'celery[redis]==5.3\nalembic\n',
      'backend/alembic.ini': '# config\n[alembic]\nscript_location = migrations\n',
      'backend/app/__init__.py': '',
      'backend/app/worker.py': 'from celery import Celery\n\ncelery_app = Celery("x", broker="redis://localhost")\n',
    });
    expect(celeryApps).toEqual([
      {
        dir: 'backend',
        module: 'app.worker',
        python: '${PYTHON:-python3}',
        sourcePaths: ['app'],
        manifests: ['backend/requirements.txt'],
        evidence: [
          { file: 'backend/app/worker.py', line: 3, note: 'Celery app' },
          { file: 'backend/requirements.txt', line: 1, note: 'depends on celery' },
        ],
      },
    ]);
    expect(migrations).toMatchObject([
      { tool: 'alembic', dir: 'backend', evidence: [{ file: 'backend/alembic.ini', line: 2 }] },
    ]);
  });

  it('notes celery listed without an app', () => {
    const { celeryApps, notes } = detect({ 'requirements.txt': 'celery\n', 'a.py': '' });
    expect(celeryApps).toEqual([]);
    expect(notes[0]).toContain('lists celery');
  });

  it('does not take a similar package for the framework', () => {
    const { pythonApps, notes } = detect({ 'requirements.txt': 'flask-cors\ndjango-environ\n', 'a.py': '' });
    expect(pythonApps).toEqual([]);
    expect(notes).toEqual([]);
  });
});
