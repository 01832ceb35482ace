import { describe, expect, it } from 'vitest';
import { backingServices, findConnectionUrls, parseUrl } from './backing-services.js';
import { memoryRepo } from './repo-files.js';

describe('findConnectionUrls', () => {
  it('reads env files, code defaults, pydantic fields, process.env and Dockerfiles, example files first', () => {
    const repo = memoryRepo({
      '.env': 'DATABASE_URL=postgresql://app:secret@localhost:5432/shop\n',
      '.env.example': '# copy to .env\nexport REDIS_URL="redis://localhost:6379/1"\n',
      'api/config.py':
        'import os\nBROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")\nclass S(BaseSettings):\n    cache_url: str = "redis://localhost/3"\n',
      'web/server.js': "const url = process.env.REDIS_URL || 'redis://localhost:6379';\n",
      'api/Dockerfile': 'FROM python\nENV DATABASE_URL=postgres://u@db/x\n',
      'api/tests/test_db.py': 'URL = "postgresql://test@localhost/test"\n',
      'web/node_modules_like.md': 'postgres://ignored@localhost/x\n',
    });
    const urls = findConnectionUrls(repo);
    expect(urls.map((u) => [u.evidence.file, u.evidence.line, u.kind, u.variable])).toEqual([
      ['.env.example', 2, 'redis', 'REDIS_URL'],
      ['.env', 1, 'postgres', 'DATABASE_URL'],
      ['api/config.py', 2, 'redis', 'CELERY_BROKER_URL'],
      ['api/config.py', 4, 'redis', 'CACHE_URL'],
      ['api/Dockerfile', 2, 'postgres', 'DATABASE_URL'],
      ['web/server.js', 1, 'redis', 'REDIS_URL'],
    ]);
    expect(urls[0]?.url).toBe('redis://localhost:6379/1');
  });

  it('takes dj_database_url for DATABASE_URL and a Django postgresql engine as evidence', () => {
    const urls = findConnectionUrls(
      memoryRepo({
        'a/settings.py': 'DATABASES = {"default": dj_database_url.config(default="postgres://localhost/a")}\n',
      }),
    );
    expect(urls).toMatchObject([{ kind: 'postgres', variable: 'DATABASE_URL' }]);
    const engineOnly = findConnectionUrls(
      memoryRepo({ 'b/settings.py': 'X = 1\nDATABASES = {"default": {"ENGINE": "django.db.backends.postgresql"}}\n' }),
    );
    expect(engineOnly).toMatchObject([{ kind: 'postgres', evidence: { file: 'b/settings.py', line: 2 } }]);
    expect(engineOnly[0]?.variable).toBeUndefined();
  });
});

describe('backingServices', () => {
  it('takes credentials from the most authoritative URL and a Dockerfile folder when there is one', () => {
    const repo = memoryRepo({
      '.env.example': 'DATABASE_URL=postgresql+psycopg://shop:example@localhost:5432/orders\n',
      'api/settings.py': 'DB = "postgresql://other:pw@localhost/other"\n',
      'docker/postgres/Dockerfile': 'FROM debian:bookworm-slim\nRUN apt-get install -y postgresql-15\n',
    });
    const notes: string[] = [];
    const [pg] = backingServices(repo, findConnectionUrls(repo), notes);
    expect(pg).toMatchObject({
      kind: 'postgres',
      user: 'shop',
      password: 'example',
      database: 'orders',
      buildDir: 'docker/postgres',
    });
    expect(pg?.evidence.map((e) => `${e.file}:${e.line}`)).toEqual([
      '.env.example:1',
      'api/settings.py:1',
      'docker/postgres/Dockerfile:2',
    ]);
    expect(notes).toEqual([]);
  });

  it('does not copy a password from a private .env, and defaults what a URL leaves out', () => {
    const repo = memoryRepo({
      '.env': 'DATABASE_URL=postgres://localhost/\nOTHER=postgres://me:hunter2@db:5432/app\n',
    });
    const notes: string[] = [];
    const [pg] = backingServices(repo, findConnectionUrls(repo), notes);
    expect(pg).toMatchObject({ user: 'postgres', password: '', database: 'postgres' });
    const second = memoryRepo({ '.env': 'DATABASE_URL=postgres://me:hunter2@db:5432/app\n' });
    const [pg2] = backingServices(second, findConnectionUrls(second), notes);
    expect(pg2).toMatchObject({ user: 'me', password: 'devenv', database: 'app' });
    expect(notes).toEqual([expect.stringContaining('.env:1 holds a database password')]);
  });

  it('skips templated URLs for credentials', () => {
    const repo = memoryRepo({ 'app.py': 'URL = f"postgresql://{user}:{pw}@{host}/db"\nB = "redis://cache:6379"\n' });
    const services = backingServices(repo, findConnectionUrls(repo), []);
    expect(services.map((s) => s.kind)).toEqual(['postgres', 'redis']);
    expect(services[0]).toMatchObject({ user: 'postgres', database: 'postgres' });
  });
});

describe('parseUrl', () => {
  it('splits a connection URL', () => {
    expect(parseUrl('postgresql+asyncpg://u%40x:p@h:6543/db?sslmode=disable')).toEqual({
      scheme: 'postgresql+asyncpg',
      user: 'u@x',
      password: 'p',
      host: 'h',
      port: 6543,
      path: 'db',
    });
    expect(parseUrl('redis://localhost')).toEqual({
      scheme: 'redis',
      user: '',
      password: '',
      host: 'localhost',
      path: '',
    });
    expect(parseUrl('postgres://')).toBeUndefined();
  });
});
