// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are Compose `${VAR:-default}` interpolation
// The credentials of a generated database or broker as compose.yaml writes them: `${VAR:-value}`
// references that the server's own environment and every app URL share, so the two always agree
// and a developer changes both at once from .env.

import type { BackingService } from './findings.js';

export interface CredentialRefs {
  /** `${POSTGRES_USER:-app}`, or the literal user (`root`) when the image has no variable for it; empty: no user. */
  user: string;
  /** `${POSTGRES_PASSWORD:-devenv}`; empty: no password. */
  password: string;
  /** `${POSTGRES_DB:-app}`, or the literal database (MongoDB, a RabbitMQ vhost). */
  database: string;
  /** The variable names the server's image reads them from, with their `${…}` value. */
  serverEnvironment: Record<string, string>;
}

/** The variables each image reads: user, password, database (and MySQL's root password). */
const IMAGE_VARIABLES = {
  postgres: { user: 'POSTGRES_USER', password: 'POSTGRES_PASSWORD', database: 'POSTGRES_DB' },
  mysql: { user: 'MYSQL_USER', password: 'MYSQL_PASSWORD', database: 'MYSQL_DATABASE', root: 'MYSQL_ROOT_PASSWORD' },
  mariadb: {
    user: 'MARIADB_USER',
    password: 'MARIADB_PASSWORD',
    database: 'MARIADB_DATABASE',
    root: 'MARIADB_ROOT_PASSWORD',
  },
  mongodb: { user: 'MONGO_INITDB_ROOT_USERNAME', password: 'MONGO_INITDB_ROOT_PASSWORD' },
  rabbitmq: { user: 'RABBITMQ_DEFAULT_USER', password: 'RABBITMQ_DEFAULT_PASS', database: 'RABBITMQ_DEFAULT_VHOST' },
} as const;

/**
 * The references for `b`. The first server of a kind uses the image's variable names
 * (`${POSTGRES_USER:-…}`); a second one of the same kind gets its own (`${ANALYTICS_USER:-…}`),
 * so that setting one never changes the other.
 */
export function credentialRefs(b: BackingService, name: string, firstOfKind: boolean): CredentialRefs {
  const refs: CredentialRefs = { user: '', password: '', database: b.database, serverEnvironment: {} };
  if (!(b.kind in IMAGE_VARIABLES)) return refs;
  const image = IMAGE_VARIABLES[b.kind as keyof typeof IMAGE_VARIABLES];
  const own = (imageVariable: string, role: string) =>
    firstOfKind ? imageVariable : `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_${role}`;
  const ref = (variable: string, value: string) => `\${${variable}:-${value}}`;

  if ((b.kind === 'mysql' || b.kind === 'mariadb') && 'root' in image) {
    const rootPassword = own(image.root, 'ROOT_PASSWORD');
    if (b.user === 'root') {
      // The image makes root itself; its user variables are for a second, ordinary user.
      refs.user = 'root';
      refs.password = ref(rootPassword, b.password || 'devenv');
      refs.serverEnvironment[image.root] = refs.password;
    } else {
      refs.user = ref(own(image.user, 'USER'), b.user);
      refs.password = ref(own(image.password, 'PASSWORD'), b.password || 'devenv');
      refs.serverEnvironment[image.root] = ref(rootPassword, 'devenv');
      refs.serverEnvironment[image.user] = refs.user;
      refs.serverEnvironment[image.password] = refs.password;
    }
    refs.database = ref(own(image.database, 'DATABASE'), b.database);
    refs.serverEnvironment[image.database] = refs.database;
    return refs;
  }
  // MongoDB's image makes a root user only from both values.
  if (b.kind === 'mongodb' && !(b.user && b.password)) return refs;
  if (b.user) {
    refs.user = ref(own(image.user, 'USER'), b.user);
    refs.serverEnvironment[image.user] = refs.user;
  }
  if (b.password) {
    refs.password = ref(own(image.password, 'PASSWORD'), b.password);
    refs.serverEnvironment[image.password] = refs.password;
  }
  if ('database' in image && b.database) {
    refs.database = ref(own(image.database, b.kind === 'rabbitmq' ? 'VHOST' : 'DB'), b.database);
    refs.serverEnvironment[image.database] = refs.database;
  }
  return refs;
}
