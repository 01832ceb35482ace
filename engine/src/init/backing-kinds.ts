// The backing services `devenv init` knows, and what gives each away in a repository: the client
// libraries that talk to it (per package ecosystem), its URL schemes, the words that name it in
// code and config, its conventional host name and port. What runs each one is
// backing-containers.ts.

import type { BackingKind } from './findings.js';

/** Package ecosystems whose dependency files are read (dependency-files.ts). */
export type Ecosystem = 'python' | 'npm' | 'go' | 'ruby' | 'maven';

export interface BackingKindSignals {
  kind: BackingKind;
  /** How it is named to a person: `PostgreSQL`. */
  label: string;
  /** The service name when the code names no host of its own (`postgres`, `redis`, `mongo`). */
  defaultName: string;
  /** The port its clients connect to by default. */
  port: number;
  /** URL schemes (`postgresql+asyncpg://` counts as `postgresql`). */
  schemes: string[];
  /**
   * Client libraries, by ecosystem. Python names are normalised (PEP 503: lower case, `-`), and
   * also match extras (`celery[redis]`, `sqlalchemy[postgresql]`); Go entries are module path
   * prefixes; Maven entries are artifact ids.
   */
  libraries: Record<Ecosystem, string[]>;
  /** What Python code imports / JavaScript requires to use it: finds the kind of a file's client calls. */
  imports: { python: string[]; js: string[] };
  /** A word that names it in code or config (`redis`, `psycopg`, `mongo`): tells which kind a `host` belongs to. */
  keyword: RegExp;
  /** Variable name prefixes whose `_HOST` / `_URL` names it: `REDIS_HOST`, `MONGO_URL`. */
  variablePrefixes: string[];
}

export const BACKING_KINDS: readonly BackingKindSignals[] = [
  {
    kind: 'postgres',
    label: 'PostgreSQL',
    defaultName: 'postgres',
    port: 5432,
    schemes: ['postgres', 'postgresql', 'pgsql'],
    libraries: {
      python: [
        'psycopg2',
        'psycopg2-binary',
        'psycopg',
        'psycopg-binary',
        'asyncpg',
        'pg8000',
        'postgresql',
        'postgres',
      ],
      npm: ['pg', 'postgres', 'pg-promise', 'slonik'],
      go: ['github.com/lib/pq', 'github.com/jackc/pgx'],
      ruby: ['pg'],
      maven: ['postgresql', 'r2dbc-postgresql'],
    },
    imports: { python: ['psycopg2', 'psycopg', 'asyncpg', 'pg8000'], js: ['pg', 'postgres', 'pg-promise'] },
    keyword: /postgres|psycopg|asyncpg|\bpg\b|\bPG[A-Z]/i,
    variablePrefixes: ['POSTGRES', 'POSTGRESQL', 'PG', 'PSQL'],
  },
  {
    kind: 'mysql',
    label: 'MySQL',
    defaultName: 'mysql',
    port: 3306,
    schemes: ['mysql'],
    libraries: {
      python: ['mysqlclient', 'pymysql', 'mysql-connector-python', 'mysql-connector', 'aiomysql', 'asyncmy', 'mysql'],
      npm: ['mysql', 'mysql2'],
      go: ['github.com/go-sql-driver/mysql'],
      ruby: ['mysql2', 'trilogy'],
      maven: ['mysql-connector-j', 'mysql-connector-java'],
    },
    imports: { python: ['pymysql', 'MySQLdb', 'mysql.connector', 'aiomysql', 'asyncmy'], js: ['mysql', 'mysql2'] },
    keyword: /mysql/i,
    variablePrefixes: ['MYSQL'],
  },
  {
    kind: 'mariadb',
    label: 'MariaDB',
    defaultName: 'mariadb',
    port: 3306,
    schemes: ['mariadb'],
    libraries: { python: ['mariadb'], npm: ['mariadb'], go: [], ruby: [], maven: ['mariadb-java-client'] },
    imports: { python: ['mariadb'], js: ['mariadb'] },
    keyword: /mariadb/i,
    variablePrefixes: ['MARIADB'],
  },
  {
    kind: 'redis',
    label: 'Redis',
    defaultName: 'redis',
    port: 6379,
    schemes: ['redis', 'rediss'],
    libraries: {
      python: ['redis', 'hiredis', 'aioredis', 'django-redis', 'rq', 'arq', 'flask-redis'],
      npm: ['redis', 'ioredis', '@redis/client', 'bull', 'bullmq', 'connect-redis'],
      go: ['github.com/redis/go-redis', 'github.com/go-redis/redis', 'github.com/gomodule/redigo'],
      ruby: ['redis', 'sidekiq', 'resque'],
      maven: ['jedis', 'lettuce-core', 'spring-boot-starter-data-redis'],
    },
    imports: { python: ['redis', 'aioredis'], js: ['redis', 'ioredis'] },
    keyword: /redis/i,
    variablePrefixes: ['REDIS'],
  },
  {
    kind: 'mongodb',
    label: 'MongoDB',
    defaultName: 'mongo',
    port: 27017,
    schemes: ['mongodb', 'mongodb+srv'],
    libraries: {
      python: ['pymongo', 'motor', 'mongoengine', 'beanie', 'mongodb'],
      npm: ['mongodb', 'mongoose'],
      go: ['go.mongodb.org/mongo-driver'],
      ruby: ['mongo', 'mongoid'],
      maven: ['mongodb-driver-sync', 'mongodb-driver-reactivestreams', 'spring-boot-starter-data-mongodb'],
    },
    imports: { python: ['pymongo', 'motor', 'mongoengine', 'beanie'], js: ['mongodb', 'mongoose'] },
    keyword: /mongo/i,
    variablePrefixes: ['MONGO', 'MONGODB'],
  },
  {
    kind: 'rabbitmq',
    label: 'RabbitMQ',
    defaultName: 'rabbitmq',
    port: 5672,
    schemes: ['amqp', 'amqps'],
    libraries: {
      python: ['pika', 'aio-pika', 'rabbitmq'],
      npm: ['amqplib', 'amqp-connection-manager', 'rascal'],
      go: ['github.com/rabbitmq/amqp091-go', 'github.com/streadway/amqp'],
      ruby: ['bunny', 'sneakers'],
      maven: ['amqp-client', 'spring-boot-starter-amqp', 'spring-rabbit'],
    },
    imports: { python: ['pika', 'aio_pika'], js: ['amqplib', 'amqp-connection-manager'] },
    keyword: /rabbit|amqp|pika/i,
    variablePrefixes: ['RABBITMQ', 'RABBIT', 'AMQP'],
  },
  {
    kind: 'kafka',
    label: 'Kafka',
    defaultName: 'kafka',
    port: 9092,
    schemes: ['kafka'],
    libraries: {
      python: ['kafka-python', 'kafka-python-ng', 'confluent-kafka', 'aiokafka'],
      npm: ['kafkajs', 'node-rdkafka', '@confluentinc/kafka-javascript'],
      go: [
        'github.com/segmentio/kafka-go',
        'github.com/IBM/sarama',
        'github.com/Shopify/sarama',
        'github.com/confluentinc/confluent-kafka-go',
        'github.com/twmb/franz-go',
      ],
      ruby: ['ruby-kafka', 'rdkafka', 'karafka'],
      maven: ['kafka-clients', 'spring-kafka'],
    },
    imports: { python: ['kafka', 'confluent_kafka', 'aiokafka'], js: ['kafkajs', 'node-rdkafka'] },
    keyword: /kafka/i,
    variablePrefixes: ['KAFKA'],
  },
  {
    kind: 'elasticsearch',
    label: 'Elasticsearch',
    defaultName: 'elasticsearch',
    port: 9200,
    schemes: ['elasticsearch'],
    libraries: {
      python: ['elasticsearch', 'elasticsearch-dsl', 'elasticsearch8'],
      npm: ['@elastic/elasticsearch', 'elasticsearch'],
      go: ['github.com/elastic/go-elasticsearch'],
      ruby: ['elasticsearch', 'elasticsearch-model', 'searchkick'],
      maven: ['elasticsearch-java', 'elasticsearch-rest-high-level-client', 'spring-boot-starter-data-elasticsearch'],
    },
    imports: { python: ['elasticsearch'], js: ['@elastic/elasticsearch', 'elasticsearch'] },
    keyword: /elastic/i,
    variablePrefixes: ['ELASTICSEARCH', 'ELASTIC', 'ES'],
  },
];

export function signalsOf(kind: BackingKind): BackingKindSignals {
  return BACKING_KINDS.find((k) => k.kind === kind) as BackingKindSignals;
}

/** PEP 503: `Django_Redis` and `django.redis` are `django-redis`. */
export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

/** The kind whose client library `name` is in `ecosystem`, if any. */
export function kindOfLibrary(ecosystem: Ecosystem, name: string): BackingKind | undefined {
  for (const k of BACKING_KINDS) {
    const list = k.libraries[ecosystem];
    if (ecosystem === 'python') {
      if (list.includes(normalisePythonName(name))) return k.kind;
    } else if (ecosystem === 'go') {
      // `github.com/redis/go-redis/v9` is a version of `github.com/redis/go-redis`.
      if (list.some((prefix) => name === prefix || name.startsWith(`${prefix}/`))) return k.kind;
    } else if (list.includes(name)) {
      return k.kind;
    }
  }
  return undefined;
}

/** The kind of a URL scheme (`postgresql+asyncpg` → postgres), or undefined. */
export function kindOfScheme(scheme: string): BackingKind | undefined {
  const base = scheme.toLowerCase().replace(/^jdbc:/, '');
  const plain = base === 'mongodb+srv' ? base : base.replace(/\+.*$/, '');
  return BACKING_KINDS.find((k) => k.schemes.includes(plain))?.kind;
}

/** Host names that mean "this machine": a URL to them says which kind, not which service name. */
export function isLocalHost(host: string): boolean {
  return /^(localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|::1|\[::1\]|host\.docker\.internal)$/i.test(host);
}

/**
 * A host the code reaches that can be a Compose service name: one DNS label, lower case, not this
 * machine. `db`, `cache`, `redis` qualify; `db.example.com` (somewhere else) does not.
 */
export function isServiceHost(host: string | undefined): host is string {
  return host !== undefined && /^[a-z][a-z0-9_-]{0,62}$/.test(host) && !isLocalHost(host);
}
