// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR}` syntax under test, not templates
import { describe, expect, it } from 'vitest';
import { memoryFs } from '../config/config-fs.js';
import { loadProject } from '../config/load-project.js';
import { renderCompose } from './compose-document.js';
import { detect } from './detect.js';
import { planServices } from './plan-services.js';
import { memoryRepo } from './repo-files.js';

/** A Flask app with a Dockerfile, plus `files`: the plan, and the rendered file as devenv loads it. */
async function planned(files: Record<string, string>) {
  const all = {
    'requirements.txt': 'flask\n',
    'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
    Dockerfile: 'FROM debian:bookworm-slim\nWORKDIR /app\n',
    ...files,
  };
  const repo = memoryRepo(all);
  const plan = planServices(detect(repo), repo);
  const fs = memoryFs({
    ...Object.fromEntries(Object.entries(all).map(([k, v]) => [`/p/${k}`, v])),
    '/p/compose.yaml': renderCompose(plan),
  });
  const loaded = await loadProject({ files: ['/p/compose.yaml'], projectDir: '/p', env: { HOME: '/home/me' }, fs });
  expect(loaded.warnings).toEqual([]);
  const by = Object.fromEntries(plan.services.map((s) => [s.name, s]));
  return { plan, by, project: loaded.project };
}

describe('the service init writes for each backing kind', () => {
  it('PostgreSQL: credentials the app’s URL shares, pg_isready, a data volume, a host process', async () => {
    const { by, project } = await planned({
      '.env.example': 'DATABASE_URL=postgresql://shop:example@db:5432/orders\n',
    });
    expect(by.db).toMatchObject({
      image: 'postgres:16',
      environment: {
        POSTGRES_USER: '${POSTGRES_USER:-shop}',
        POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-example}',
        POSTGRES_DB: '${POSTGRES_DB:-orders}',
      },
      volumes: ['db-data:/var/lib/postgresql/data'],
      stopSignal: 'SIGINT',
    });
    expect(by.db?.healthcheck?.test[1]).toContain('pg_isready');
    expect(by.web?.environment).toEqual({
      DATABASE_URL: 'postgresql://${POSTGRES_USER:-shop}:${POSTGRES_PASSWORD:-example}@db:5432/${POSTGRES_DB:-orders}',
    });
    expect(by.web?.dependsOn).toEqual({ db: 'service_healthy' });
    expect(project.services.web?.environment.DATABASE_URL).toBe('postgresql://shop:example@db:5432/orders');
    expect(project.services.db?.devenv.process?.command[0]).toBe('/usr/lib/postgresql/15/bin/postgres');
  });

  it('MySQL: a root password of its own, the app’s user, mysqladmin ping', async () => {
    const { by, project } = await planned({
      'requirements.txt': 'flask\npymysql\n',
      '.env.example': 'DATABASE_URL=mysql+pymysql://shop:example@mysql:3306/orders\n',
    });
    expect(by.mysql).toMatchObject({
      image: 'mysql:8.4',
      environment: {
        MYSQL_ROOT_PASSWORD: '${MYSQL_ROOT_PASSWORD:-devenv}',
        MYSQL_USER: '${MYSQL_USER:-shop}',
        MYSQL_PASSWORD: '${MYSQL_PASSWORD:-example}',
        MYSQL_DATABASE: '${MYSQL_DATABASE:-orders}',
      },
      volumes: ['mysql-data:/var/lib/mysql'],
      healthcheck: { test: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 --silent'] },
    });
    expect(by.mysql?.process).toBeUndefined();
    expect(project.services.web?.environment.DATABASE_URL).toBe('mysql+pymysql://shop:example@mysql:3306/orders');
  });

  it('MySQL as root: the root password is the app’s', async () => {
    const { by } = await planned({ '.env.example': 'DATABASE_URL=mysql://root:secret@localhost/app\n' });
    expect(by.mysql?.environment).toEqual({
      MYSQL_ROOT_PASSWORD: '${MYSQL_ROOT_PASSWORD:-secret}',
      MYSQL_DATABASE: '${MYSQL_DATABASE:-app}',
    });
    expect(by.web?.environment?.DATABASE_URL).toBe(
      'mysql://root:${MYSQL_ROOT_PASSWORD:-secret}@mysql:3306/${MYSQL_DATABASE:-app}',
    );
  });

  it('MariaDB: its own image, variables and healthcheck script', async () => {
    const { by } = await planned({ 'requirements.txt': 'flask\nmariadb\n', '.env.example': 'DB_HOST=mariadb\n' });
    expect(by.mariadb).toMatchObject({
      image: 'mariadb:11',
      environment: { MARIADB_USER: '${MARIADB_USER:-app}', MARIADB_DATABASE: '${MARIADB_DATABASE:-app}' },
      healthcheck: { test: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'] },
      volumes: ['mariadb-data:/var/lib/mysql'],
    });
    expect(by.web?.environment).toEqual({ DB_HOST: 'mariadb' });
    expect(by.web?.process?.env).toMatchObject({ DB_HOST: '127.0.0.1' });
  });

  it('Redis: named after the host the code uses, redis-cli ping, /data', async () => {
    const { by } = await planned({
      'requirements.txt': 'flask\nredis\n',
      'app.py':
        "from flask import Flask\nfrom redis import Redis\napp = Flask(__name__)\ncache = Redis(host='cache')\n",
    });
    expect(by.cache).toMatchObject({
      kind: 'redis',
      image: 'redis:7',
      volumes: ['cache-data:/data'],
      healthcheck: { test: ['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] },
    });
    expect(by.web?.dependsOn).toEqual({ cache: 'service_healthy' });
    // The host is in the code: nothing to set.
    expect(by.web?.environment).toBeUndefined();
  });

  it('MongoDB: a root user from the URL, authSource=admin for the app, mongosh ping', async () => {
    const { by, project } = await planned({
      'requirements.txt': 'flask\npymongo\n',
      '.env.example': 'MONGO_URL=mongodb://shop:example@mongo:27017/orders\n',
    });
    expect(by.mongo).toMatchObject({
      image: 'mongo:7',
      environment: {
        MONGO_INITDB_ROOT_USERNAME: '${MONGO_INITDB_ROOT_USERNAME:-shop}',
        MONGO_INITDB_ROOT_PASSWORD: '${MONGO_INITDB_ROOT_PASSWORD:-example}',
      },
      volumes: ['mongo-data:/data/db'],
      healthcheck: { test: ['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"] },
    });
    expect(by.mongo?.process).toBeUndefined();
    expect(project.services.web?.environment.MONGO_URL).toBe(
      'mongodb://shop:example@mongo:27017/orders?authSource=admin',
    );
  });

  it('MongoDB without credentials also runs as a host mongod', async () => {
    const { by } = await planned({ '.env.example': 'MONGO_URL=mongodb://localhost:27017/shop\n' });
    expect(by.mongo?.environment).toBeUndefined();
    expect(by.mongo?.process?.command).toEqual([
      'mongod',
      '--dbpath',
      '${DEVENV_STATE_DIR:-.devenv/state}/mongo',
      '--bind_ip',
      '127.0.0.1',
      '--port',
      '27017',
    ]);
    expect(by.web?.environment).toEqual({ MONGO_URL: 'mongodb://mongo:27017/shop' });
    expect(by.web?.process?.env).toMatchObject({ MONGO_URL: 'mongodb://127.0.0.1:27017/shop' });
  });

  it('RabbitMQ: the URL’s user and vhost, a fixed node name for its data, rabbitmq-diagnostics ping', async () => {
    const { by } = await planned({
      'requirements.txt': 'flask\ncelery\n',
      '.env.example': 'CELERY_BROKER_URL=amqp://shop:example@rabbitmq:5672/jobs\n',
    });
    expect(by.rabbitmq).toMatchObject({
      image: 'rabbitmq:3',
      environment: {
        RABBITMQ_DEFAULT_USER: '${RABBITMQ_DEFAULT_USER:-shop}',
        RABBITMQ_DEFAULT_PASS: '${RABBITMQ_DEFAULT_PASS:-example}',
        RABBITMQ_DEFAULT_VHOST: '${RABBITMQ_DEFAULT_VHOST:-jobs}',
        RABBITMQ_NODENAME: 'rabbit@localhost',
      },
      volumes: ['rabbitmq-data:/var/lib/rabbitmq'],
      healthcheck: { test: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'] },
    });
    expect(by.web?.environment?.CELERY_BROKER_URL).toBe(
      'amqp://${RABBITMQ_DEFAULT_USER:-shop}:${RABBITMQ_DEFAULT_PASS:-example}@rabbitmq:5672/${RABBITMQ_DEFAULT_VHOST:-jobs}',
    );
  });

  it('Kafka: one KRaft node that advertises its service name; the app gets host:port', async () => {
    const { by } = await planned({
      'requirements.txt': 'flask\nkafka-python\n',
      '.env.example': 'KAFKA_BOOTSTRAP_SERVERS=localhost:9092\n',
    });
    expect(by.kafka).toMatchObject({
      image: 'apache/kafka:3.8.0',
      volumes: ['kafka-data:/var/lib/kafka/data'],
      environment: expect.objectContaining({
        KAFKA_ADVERTISED_LISTENERS: 'PLAINTEXT://kafka:9092',
        KAFKA_LOG_DIRS: '/var/lib/kafka/data',
      }),
    });
    expect(by.kafka?.healthcheck?.test[1]).toContain('kafka-broker-api-versions.sh');
    expect(by.web?.environment).toEqual({ KAFKA_BOOTSTRAP_SERVERS: 'kafka:9092' });
    expect(by.web?.process?.env).toMatchObject({ KAFKA_BOOTSTRAP_SERVERS: '127.0.0.1:9092' });
  });

  it('Elasticsearch: a single development node, its cluster health as the healthcheck', async () => {
    const { by, project } = await planned({ '.env.example': 'ELASTICSEARCH_URL=http://localhost:9200\n' });
    expect(by.elasticsearch).toMatchObject({
      image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.3',
      environment: { 'discovery.type': 'single-node', 'xpack.security.enabled': 'false' },
      volumes: ['elasticsearch-data:/usr/share/elasticsearch/data'],
    });
    expect(by.elasticsearch?.healthcheck?.test[1]).toContain('/_cluster/health');
    expect(project.services.web?.environment.ELASTICSEARCH_URL).toBe('http://elasticsearch:9200');
  });

  it('publishes no backing-service port (a comment says how, on 127.0.0.1)', async () => {
    const { plan } = await planned({ 'requirements.txt': 'flask\npsycopg2\nredis\npymongo\npika\n' });
    for (const s of plan.services.filter((x) => x.name !== 'web')) {
      expect(s.ports).toBeUndefined();
      expect(s.comments.join(' ')).toMatch(/ports: \["127\.0\.0\.1:\d+:\d+"\]/);
    }
  });

  it('says what the process runtime cannot do when an app has no Dockerfile', async () => {
    const repo = memoryRepo({
      'requirements.txt': 'flask\nredis\nkafka-python\n',
      'app.py': "from flask import Flask\nfrom redis import Redis\napp = Flask(__name__)\nr = Redis(host='redis')\n",
    });
    const plan = planServices(detect(repo), repo);
    expect(plan.runtime).toBe('process');
    expect(plan.notes).toContainEqual(expect.stringContaining('kafka: no way to run it as a local process'));
    expect(plan.notes).toContainEqual(
      expect.stringContaining('app.py:4 connects to host "redis", which only Docker\'s network resolves'),
    );
  });
});
