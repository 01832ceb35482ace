import { describe, expect, it } from 'vitest';
import { backingServices } from './backing-services.js';
import { findConnections } from './connection-hints.js';
import { findClientLibraries } from './dependency-files.js';
import { memoryRepo } from './repo-files.js';

function services(files: Record<string, string>, notes: string[] = []) {
  const repo = memoryRepo(files);
  const libraries = findClientLibraries(repo);
  return backingServices(repo, libraries, findConnections(repo, libraries), notes);
}

function evidence(s: { evidence: { file: string; line: number }[] }): string[] {
  return s.evidence.map((e) => `${e.file}:${e.line}`);
}

describe('backingServices', () => {
  it('names the service after the host the code uses, and keeps every piece of evidence', () => {
    const [redis] = services({
      'requirements.txt': 'flask\nredis\n',
      'app.py': "from redis import Redis\ncache = Redis(host='redis', port=6379)\n",
    });
    expect(redis).toMatchObject({ kind: 'redis', name: 'redis', hostPort: 6379 });
    expect(evidence(redis!)).toEqual(['app.py:2', 'requirements.txt:2']);
    expect(redis?.hardCodedHost).toMatchObject({ file: 'app.py', line: 2 });
  });

  it('uses the kind’s usual name when the code only names localhost, or nothing but the library', () => {
    expect(
      services({
        '.env.example': 'MONGO_URL=mongodb://localhost:27017/shop\n',
        'package.json': '{"dependencies": {"mongoose": "8", "kafkajs": "2"}}',
      }).map((s) => [s.kind, s.name]),
    ).toEqual([
      ['mongodb', 'mongo'],
      ['kafka', 'kafka'],
    ]);
  });

  it('makes one service per host a kind is reached at; connections to localhost join the first', () => {
    const found = services({
      '.env.example': 'CACHE_URL=redis://cache:6379/0\nBROKER_URL=redis://queue:6379/1\nLOCAL=redis://localhost:6379\n',
    });
    expect(found.map((s) => [s.name, evidence(s)])).toEqual([
      ['cache', ['.env.example:1', '.env.example:3']],
      ['queue', ['.env.example:2']],
    ]);
  });

  it('takes credentials from the most authoritative URL and a Dockerfile folder when there is one', () => {
    const notes: string[] = [];
    const [pg] = services(
      {
        '.env.example': 'DATABASE_URL=postgresql+psycopg://shop:example@localhost:5432/orders\n',
        'api/settings.py': 'DB = "postgresql://other:pw@localhost/other"\n',
        'docker/postgres/Dockerfile': 'FROM debian:bookworm-slim\nRUN apt-get install -y postgresql-15\n',
      },
      notes,
    );
    expect(pg).toMatchObject({
      kind: 'postgres',
      name: 'postgres',
      user: 'shop',
      password: 'example',
      database: 'orders',
      buildDir: 'docker/postgres',
    });
    expect(evidence(pg!)).toEqual(['.env.example:1', 'api/settings.py:1', 'docker/postgres/Dockerfile:2']);
    expect(notes).toEqual([]);
  });

  it('matches what the code writes out without a variable: init cannot change it', () => {
    const [pg] = services({
      '.env.example': 'DATABASE_URL=postgresql://app:app@localhost/app\n',
      'worker/db.py': 'conn = psycopg2.connect(host="db", user="worker", password="w0rker", dbname="jobs")\n',
    });
    expect(pg).toMatchObject({ name: 'db', user: 'worker', password: 'w0rker', database: 'jobs' });
  });

  it('never copies a password from a private .env, and defaults what a URL leaves out', () => {
    const notes: string[] = [];
    const [pg] = services({ '.env': 'DATABASE_URL=postgres://me:hunter2@db:5432/app\n' }, notes);
    expect(pg).toMatchObject({ name: 'db', user: 'me', password: 'devenv', database: 'app' });
    expect(notes).toEqual([expect.stringContaining('.env:1 holds a PostgreSQL password')]);
    const [bare] = services({ '.env': 'DATABASE_URL=postgres://localhost/\n' });
    expect(bare).toMatchObject({ user: 'postgres', password: '', database: 'postgres' });
  });

  it('reads credentials from separate variables: DB_USER, DB_PASSWORD, DB_NAME', () => {
    const [mysql] = services({
      'requirements.txt': 'pymysql\n',
      '.env.example': 'DB_HOST=mysql\nDB_USER=shop\nDB_PASSWORD=example\nDB_NAME=orders\n',
    });
    expect(mysql).toMatchObject({
      kind: 'mysql',
      name: 'mysql',
      user: 'shop',
      password: 'example',
      database: 'orders',
    });
  });

  it('runs MariaDB when the repository names it, though its clients speak MySQL', () => {
    const found = services({
      'package.json': '{"dependencies": {"mariadb": "3"}}',
      '.env.example': 'DATABASE_URL=mysql://app:pw@mariadb:3306/app\n',
    });
    expect(found.map((s) => [s.kind, s.name, s.user])).toEqual([['mariadb', 'mariadb', 'app']]);
  });

  it('finds one service of each kind, in a stable order', () => {
    const found = services({
      'requirements.txt': 'psycopg2\npymysql\nredis\npymongo\npika\nkafka-python\nelasticsearch\n',
    });
    expect(found.map((s) => [s.kind, s.name, s.hostPort])).toEqual([
      ['postgres', 'postgres', 5432],
      ['mysql', 'mysql', 3306],
      ['mongodb', 'mongo', 27017],
      ['redis', 'redis', 6379],
      ['rabbitmq', 'rabbitmq', 5672],
      ['kafka', 'kafka', 9092],
      ['elasticsearch', 'elasticsearch', 9200],
    ]);
  });

  it('skips templated URLs for credentials', () => {
    const found = services({ 'app.py': 'URL = f"postgresql://{user}:{pw}@{host}/db"\nB = "redis://cache:6379"\n' });
    expect(found.map((s) => [s.kind, s.name])).toEqual([
      ['postgres', 'postgres'],
      ['redis', 'cache'],
    ]);
    expect(found[0]).toMatchObject({ user: 'postgres', database: 'postgres' });
  });
});
