// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR:-default}` interpolation
// The Compose services that run backing services: for each kind its image (or the repository's
// own build folder), the credentials the apps use, a healthcheck that asks the server itself,
// a named volume for its data, and — where a host binary can do it simply — how devenv's
// process runtime runs it without Docker. Ports are not published: apps reach the server on the
// Compose network (a comment says how to publish one on 127.0.0.1).

import { rel } from './app-service-base.js';
import { signalsOf } from './backing-kinds.js';
import type { BackingKind, BackingService } from './findings.js';
import type { ComposeHealthcheck, PlannedService, ProcessSection } from './planned-service.js';
import type { CredentialRefs } from './server-credentials.js';

const PG_BIN = '${PG_BIN:-/usr/lib/postgresql/15/bin}';
const STATE = '${DEVENV_STATE_DIR:-.devenv/state}';

/** What runs a kind in a container: image, data directory, healthcheck, fixed environment. */
interface ServerImage {
  image: string;
  /** Where the image keeps its data (mounted from `<name>-data`). */
  dataDir: string;
  healthcheck: Omit<ComposeHealthcheck, 'interval' | 'timeout' | 'retries'> & Partial<ComposeHealthcheck>;
  /** The Debian package that builds an equivalent image FROM debian:bookworm-slim, when there is one. */
  debianPackage?: string;
  stopSignal?: string;
  /** Environment besides the credentials, given the service's name. */
  environment?: (name: string) => Record<string, string>;
  /** Said above the service. */
  comment?: string;
}

const SERVERS: Record<BackingKind, ServerImage> = {
  postgres: {
    image: 'postgres:16',
    dataDir: '/var/lib/postgresql/data',
    healthcheck: {
      test: ['CMD-SHELL', 'pg_isready -h 127.0.0.1 -p 5432 -U $${POSTGRES_USER} -d $${POSTGRES_DB}'],
      start_period: '20s',
    },
    debianPackage: 'postgresql',
    // SIGINT is PostgreSQL's fast shutdown; SIGTERM waits for every client to disconnect.
    stopSignal: 'SIGINT',
  },
  mysql: {
    image: 'mysql:8.4',
    dataDir: '/var/lib/mysql',
    // Over TCP: while the image creates its users the server listens on its socket only, so this
    // passes once the real server is up.
    healthcheck: { test: ['CMD-SHELL', 'mysqladmin ping -h 127.0.0.1 --silent'], start_period: '60s' },
  },
  mariadb: {
    image: 'mariadb:11',
    dataDir: '/var/lib/mysql',
    healthcheck: { test: ['CMD', 'healthcheck.sh', '--connect', '--innodb_initialized'], start_period: '60s' },
    debianPackage: 'mariadb-server',
  },
  redis: {
    image: 'redis:7',
    dataDir: '/data',
    healthcheck: { test: ['CMD-SHELL', 'redis-cli -h 127.0.0.1 ping | grep -q PONG'] },
    debianPackage: 'redis-server',
  },
  mongodb: {
    image: 'mongo:7',
    dataDir: '/data/db',
    healthcheck: { test: ['CMD', 'mongosh', '--quiet', '--eval', "db.adminCommand('ping').ok"], start_period: '30s' },
  },
  rabbitmq: {
    image: 'rabbitmq:3',
    dataDir: '/var/lib/rabbitmq',
    healthcheck: { test: ['CMD', 'rabbitmq-diagnostics', '-q', 'ping'], start_period: '60s', interval: '5s' },
    debianPackage: 'rabbitmq-server',
    // RabbitMQ keeps its data under its node name, which defaults to the container's host name
    // (new on every re-create): a fixed name keeps the volume's data.
    environment: () => ({ RABBITMQ_NODENAME: 'rabbit@localhost' }),
  },
  kafka: {
    image: 'apache/kafka:3.8.0',
    dataDir: '/var/lib/kafka/data',
    healthcheck: {
      test: [
        'CMD-SHELL',
        '/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 >/dev/null 2>&1',
      ],
      start_period: '60s',
      interval: '5s',
      timeout: '10s',
    },
    // One node that is its own controller (KRaft, no ZooKeeper). Clients are told to come back
    // at the service's name, which the Compose network resolves for every app.
    environment: (name) => ({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://${name}:9092`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_LOG_DIRS: '/var/lib/kafka/data',
      CLUSTER_ID: '5L6g3nShT-eMCtK--X86sw',
    }),
    comment: 'Clients on the host cannot use it as it stands: it tells them to reconnect to its Compose name.',
  },
  elasticsearch: {
    image: 'docker.elastic.co/elasticsearch/elasticsearch:8.15.3',
    dataDir: '/usr/share/elasticsearch/data',
    healthcheck: {
      test: [
        'CMD-SHELL',
        "curl -fsS 'http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=2s' >/dev/null",
      ],
      start_period: '90s',
      interval: '5s',
    },
    // A development node: one node, no TLS or password, a heap that fits beside the apps.
    environment: () => ({
      'discovery.type': 'single-node',
      'xpack.security.enabled': 'false',
      ES_JAVA_OPTS: '-Xms512m -Xmx512m',
    }),
  },
};

/** The image `init` writes for a kind (when the repository has no build folder for it). */
export function serverImage(kind: BackingKind): string {
  return SERVERS[kind].image;
}

export function backingContainer(name: string, b: BackingService, credentials: CredentialRefs): PlannedService {
  const server = SERVERS[b.kind];
  const label = signalsOf(b.kind).label;
  const environment: Record<string, string> = { ...credentials.serverEnvironment, ...server.environment?.(name) };
  if (b.kind === 'postgres' && !credentials.password) environment.POSTGRES_HOST_AUTH_METHOD = 'trust';
  const comments: string[] = [];
  if (b.buildDir) comments.push(`Built from ${rel(b.buildDir)} (its Dockerfile installs ${label}).`);
  else if (server.debianPackage) {
    comments.push(
      `${server.image} comes from Docker Hub. A machine without registry access can build one FROM debian:bookworm-slim (apt-get install ${server.debianPackage}) instead, as devenv’s compose/reference stack does.`,
    );
  } else {
    // `docker.elastic.co/…` names its registry; `apache/kafka` and `mongo` are on Docker Hub.
    const registry = /^[^/]+\.[^/]+\//.test(server.image)
      ? server.image.slice(0, server.image.indexOf('/'))
      : 'Docker Hub';
    comments.push(`${server.image} comes from ${registry}.`);
  }
  if (server.comment) comments.push(server.comment);
  comments.push(
    `Apps reach it at ${name}:${signalsOf(b.kind).port}; to reach it from the host too, add \`ports: ["127.0.0.1:${signalsOf(b.kind).port}:${signalsOf(b.kind).port}"]\`.`,
  );
  const service: PlannedService = {
    name,
    kind: b.kind,
    evidence: b.evidence,
    comments,
    healthcheck: healthcheckOf(server),
    restart: 'unless-stopped',
    debug: false,
    processOnly: false,
  };
  if (Object.keys(environment).length > 0) service.environment = environment;
  // A repository's own image keeps its data where it chooses; only Postgres's is known (PGDATA).
  if (!b.buildDir || b.kind === 'postgres') service.volumes = [`${name}-data:${server.dataDir}`];
  if (server.stopSignal) service.stopSignal = server.stopSignal;
  const process = hostProcess(name, b, credentials);
  if (process) service.process = process;
  if (b.buildDir) service.build = { context: rel(b.buildDir) };
  else service.image = server.image;
  return service;
}

/** The server's healthcheck, `test` first as Compose files write it, with the usual timing unless it has its own. */
function healthcheckOf(server: ServerImage): ComposeHealthcheck {
  const { test, ...timing } = server.healthcheck;
  return { test, interval: '2s', timeout: '5s', retries: 30, ...timing };
}

/** How devenv's process runtime runs the server from the host's own binaries, where that is simple. */
function hostProcess(name: string, b: BackingService, credentials: CredentialRefs): ProcessSection | undefined {
  const data = `${STATE}/${name}`;
  switch (b.kind) {
    case 'postgres': {
      // initdb once, then the app's database; trust: the host server listens on 127.0.0.1 only.
      const initScript = [
        '"$$PG_BIN/initdb" -D "$$1" --username="$$POSTGRES_USER" --auth=trust --encoding=UTF8 --no-locale >/dev/null',
        'if [ "$$POSTGRES_DB" != postgres ]; then echo "CREATE DATABASE \\"$$POSTGRES_DB\\"" | "$$PG_BIN/postgres" --single -D "$$1" postgres >/dev/null; fi',
      ].join(' && ');
      return {
        user: 'postgres',
        init: { command: ['sh', '-c', initScript, 'init-db', data], creates: `${data}/PG_VERSION` },
        command: [`${PG_BIN}/postgres`, '-D', data, '-k', '', '-h', '127.0.0.1', '-p', String(b.hostPort)],
        cwd: '.',
        env: { POSTGRES_USER: credentials.user, POSTGRES_DB: credentials.database, PG_BIN },
        healthcheck: {
          type: 'command',
          command: `pg_isready -h 127.0.0.1 -p ${b.hostPort} -U ${credentials.user} -d ${credentials.database}`,
        },
      };
    }
    case 'redis':
      return {
        command: `redis-server --bind 127.0.0.1 --port ${b.hostPort} --save "" --appendonly no`,
        cwd: '.',
        healthcheck: { type: 'command', command: `redis-cli -h 127.0.0.1 -p ${b.hostPort} ping` },
      };
    case 'mongodb':
      // Without credentials only: a host mongod has no users, and would refuse an app that logs in.
      if (credentials.user) return undefined;
      return {
        init: { command: ['mkdir', '-p', data], creates: data },
        command: ['mongod', '--dbpath', data, '--bind_ip', '127.0.0.1', '--port', String(b.hostPort)],
        cwd: '.',
        healthcheck: {
          type: 'command',
          command: `mongosh --quiet --port ${b.hostPort} --eval "db.adminCommand('ping').ok"`,
        },
      };
    default:
      return undefined;
  }
}
