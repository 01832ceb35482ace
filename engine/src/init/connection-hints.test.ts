import { describe, expect, it } from 'vitest';
import { findConnections, parseVariableName } from './connection-hints.js';
import { findClientLibraries } from './dependency-files.js';
import type { Connection } from './findings.js';
import { memoryRepo } from './repo-files.js';

function connections(files: Record<string, string>): Connection[] {
  const repo = memoryRepo(files);
  return findConnections(repo, findClientLibraries(repo));
}

/** `kind host:port user/password/database VARIABLE=role @file:line`, the parts that are set. */
function summary(c: Connection): string {
  const parts: string[] = [c.kind];
  if (c.host !== undefined || c.port !== undefined) parts.push(`${c.host ?? ''}:${c.port ?? ''}`);
  if (c.user !== undefined || c.password !== undefined || c.database !== undefined)
    parts.push(`${c.user ?? ''}/${c.password ?? ''}/${c.database ?? ''}`);
  if (c.variable) parts.push(`${c.variable.name}=${c.variable.holds}`);
  parts.push(`@${c.evidence.file}:${c.evidence.line}`);
  return parts.join(' ');
}

function found(files: Record<string, string>): string[] {
  return connections(files).map(summary);
}

describe('findConnections: URLs', () => {
  it('reads env files, code defaults, pydantic fields, process.env and Dockerfiles, example files first', () => {
    expect(
      found({
        '.env': 'DATABASE_URL=postgresql://app:secret@localhost:5432/shop\n',
        '.env.example': '# copy to .env\nexport REDIS_URL="redis://localhost:6379/1"\n',
        'api/config.py':
          'import os\nBROKER = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/2")\nclass S(BaseSettings):\n    cache_url: str = "redis://localhost/3"\n',
        'web/server.js': "const url = process.env.REDIS_URL || 'redis://localhost:6379';\n",
        'api/Dockerfile': 'FROM python\nENV DATABASE_URL=postgres://u@db/x\n',
        'api/tests/test_db.py': 'URL = "postgresql://test@localhost/test"\n',
        'web/notes.md': 'postgres://ignored@localhost/x\n',
      }),
    ).toEqual([
      'redis localhost:6379 //1 REDIS_URL=url @.env.example:2',
      'postgres localhost:5432 app/secret/shop DATABASE_URL=url @.env:1',
      'redis 127.0.0.1:6379 //2 CELERY_BROKER_URL=url @api/config.py:2',
      'redis localhost: //3 CACHE_URL=url @api/config.py:4',
      'postgres db: u//x DATABASE_URL=url @api/Dockerfile:2',
      'redis localhost:6379 REDIS_URL=url @web/server.js:1',
    ]);
  });

  it('reads each kind from settings.py, config/*.js, config/*.json and config/*.yaml', () => {
    expect(
      found({
        'settings.py': 'DATABASES = {"default": dj_database_url.config(default="postgres://localhost/a")}\n',
        'config/default.js': "module.exports = { mongo: { uri: 'mongodb://mongo:27017/app' } };\n",
        'config/default.json': '{ "amqp": { "url": "amqp://guest:guest@rabbitmq:5672" } }\n',
        'config/app.yaml':
          'search:\n  url: http://elasticsearch:9200\nmysql:\n  url: mysql://shop:pw@mysql:3306/shop\n',
      }),
    ).toEqual([
      'elasticsearch elasticsearch:9200 @config/app.yaml:2',
      'mysql mysql:3306 shop/pw/shop @config/app.yaml:4',
      'mongodb mongo:27017 //app @config/default.js:1',
      'rabbitmq rabbitmq:5672 guest/guest/ @config/default.json:1',
      'postgres localhost: //a DATABASE_URL=url @settings.py:1',
    ]);
  });

  it('takes a templated URL as the kind only', () => {
    expect(found({ 'app.py': 'URL = f"postgresql://{user}:{pw}@{host}/db"\n' })).toEqual(['postgres @app.py:1']);
  });
});

describe('findConnections: hosts given to clients', () => {
  it('Redis(host=…) and other constructors, on one line', () => {
    expect(
      found({
        'app.py':
          "from redis import Redis\nr = Redis(host='redis', port=6379, db=0)\nm = MongoClient('mongo', 27017)\np = pika.ConnectionParameters('rabbitmq')\napp.run(host='0.0.0.0')\n",
      }),
    ).toEqual(['redis redis:6379 @app.py:2', 'mongodb mongo: @app.py:3', 'rabbitmq rabbitmq: @app.py:4']);
  });

  it('a call spread over lines: the kind from the call, the fields from its lines', () => {
    expect(
      found({
        'db.py':
          'import psycopg2\n\ndef connect():\n    return psycopg2.connect(\n        host="db",\n        user="shop",\n        password="example",\n        dbname="orders",\n    )\n',
        'src/db.js':
          "const { Pool } = require('pg');\nconst pool = new Pool({\n  host: 'postgres',\n  user: 'app',\n  database: 'app',\n  port: 5432,\n});\n",
        'src/cache.js':
          "import { createClient } from 'redis';\nexport const cache = createClient({\n  socket: { host: 'cache', port: 6379 },\n});\n",
      }),
    ).toEqual([
      'postgres db: shop/example/orders @db.py:5',
      'redis cache:6379 @src/cache.js:3',
      'postgres postgres:5432 app//app @src/db.js:3',
    ]);
  });

  it("Django's DATABASES: the engine and the host, user, password and name beside it", () => {
    expect(
      found({
        'mysite/settings.py':
          'DATABASES = {\n    "default": {\n        "ENGINE": "django.db.backends.mysql",\n        "NAME": "polls",\n        "USER": "polls",\n        "PASSWORD": "secret",\n        "HOST": "mysql",\n        "PORT": "3306",\n    }\n}\n',
      }),
    ).toEqual([
      'mysql :3306 polls/secret/polls @mysite/settings.py:3',
      'mysql mysql:3306 polls/secret/polls @mysite/settings.py:7',
    ]);
  });

  it('a YAML block names the kind for its host', () => {
    expect(
      found({
        'config/settings.yaml':
          'server:\n  host: 0.0.0.0\nredis:\n  host: cache\n  port: 6380\nkafka:\n  brokers: ["kafka:9092"]\n',
      }),
    ).toEqual(['redis cache:6380 @config/settings.yaml:4', 'kafka kafka:9092 @config/settings.yaml:7']);
  });

  it('a host at the top level of a file names its kind on its own line or not at all', () => {
    expect(found({ 'server.py': 'import redis\nHOST = "api"\nPORT = 8000\n' })).toEqual([]);
  });
});

describe('findConnections: variables', () => {
  it('host, address and credential variables in env files, with their values', () => {
    expect(
      found({
        '.env.example':
          'REDIS_HOST=cache\nPGHOST=localhost\nPGUSER=app\nMONGO_URI=\nKAFKA_BOOTSTRAP_SERVERS=kafka:9092,kafka2:9092\nRABBITMQ_HOST=rabbitmq\nAPP_ELASTICSEARCH_HOST=search\n',
      }),
    ).toEqual([
      'redis cache: REDIS_HOST=host @.env.example:1',
      'postgres localhost: PGHOST=host @.env.example:2',
      'postgres app// PGUSER=user @.env.example:3',
      'mongodb MONGO_URI=url @.env.example:4',
      'kafka kafka:9092 KAFKA_BOOTSTRAP_SERVERS=address @.env.example:5',
      'rabbitmq rabbitmq: RABBITMQ_HOST=host @.env.example:6',
      'elasticsearch search: APP_ELASTICSEARCH_HOST=host @.env.example:7',
    ]);
  });

  it('variables code reads, with or without a default; DB_ names take the one SQL database the repository uses', () => {
    expect(
      found({
        'requirements.txt': 'psycopg2-binary\n',
        'app/db.py':
          'import os\nhost = os.environ.get("DB_HOST", "db")\npassword = os.environ["DB_PASSWORD"]\nr = Redis(host=os.getenv("REDIS_HOST", "redis"))\n',
        'src/kafka.js': "const brokers = (process.env.KAFKA_BROKERS || 'localhost:9092').split(',');\n",
      }),
    ).toEqual([
      'postgres db: DB_HOST=host @app/db.py:2',
      'postgres DB_PASSWORD=password @app/db.py:3',
      'redis redis: REDIS_HOST=host @app/db.py:4',
      'kafka localhost:9092 KAFKA_BROKERS=address @src/kafka.js:1',
    ]);
  });

  it('a constant in code is a hard-coded host, not a variable', () => {
    expect(found({ 'app/config.py': 'REDIS_HOST = "cache"\n' })).toEqual(['redis cache: @app/config.py:1']);
  });

  it('names a variable’s kind and role', () => {
    expect(parseVariableName('REDIS_HOST')).toEqual({ kind: 'redis', role: 'host' });
    expect(parseVariableName('PGPASSWORD')).toEqual({ kind: 'postgres', role: 'password' });
    expect(parseVariableName('SPRING_RABBITMQ_USERNAME')).toEqual({ kind: 'rabbitmq', role: 'user' });
    expect(parseVariableName('DATABASE_URL')).toEqual({ role: 'url' });
    expect(parseVariableName('DB_NAME')).toEqual({ role: 'database' });
    expect(parseVariableName('REDISTRIBUTE')).toBeUndefined();
    expect(parseVariableName('HOST')).toBeUndefined();
  });
});

describe('findConnections: what it never reads or never trips on', () => {
  it('skips comments, lock files, tests, minified code and very long lines', () => {
    expect(
      found({
        'app.py': '# r = Redis(host="old-cache")\n',
        'src/app.js': '// mongodb://old:27017/x\n',
        'package-lock.json': '{"x": "redis://lock:6379"}\n',
        'tests/conftest.py': 'URL = "redis://test:6379"\n',
        'static/app.min.js': 'var a="redis://min:6379";\n',
        'gen.js': `var a = "${'x'.repeat(3000)} redis://long:6379";\n`,
      }),
    ).toEqual([]);
  });

  it('survives odd input: unbalanced quotes, empty files, binary-looking text, CRLF', () => {
    expect(() =>
      connections({
        '.env': 'REDIS_URL="redis://cache:6379\r\nMONGO_HOST=\r\n',
        'a.py': 'Redis(host="\n',
        'b.json': '\u0000\u0001redis\u0000',
        'c.yaml': '',
        'd.js': 'process.env.REDIS_HOST ||',
      }),
    ).not.toThrow();
    expect(found({ '.env': 'REDIS_URL=redis://cache:6379\r\n' })).toEqual(['redis cache:6379 REDIS_URL=url @.env:1']);
  });
});
