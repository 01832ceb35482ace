// Which project (and so which daemon) a client means, worked out cheaply: find the config
// file and read its top-level `name:` without validating anything. `devenv status` must
// answer fast, so the full loader runs only in the daemon.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { readRegularFile } from '../shared/read-bounded.js';

export const CONFIG_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];

export interface IdentityOptions {
  files?: string[];
  projectDir?: string;
  projectName?: string;
  cwd?: string;
  env?: Record<string, string | undefined>;
}

export interface ProjectIdentity {
  name: string;
  projectDir: string;
  files: string[];
}

/** The first config file in `dir` or any parent, in Compose's order of names. */
export function findConfigUpwards(dir: string): string | undefined {
  let current = resolve(dir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = join(current, name);
      if (existsSync(candidate)) return candidate;
    }
    const parent = dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Undefined when no config file can be found (the caller explains what to do). */
export function resolveIdentity(opts: IdentityOptions): ProjectIdentity | undefined {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  let files = (opts.files ?? []).map((f) => resolve(cwd, f));
  if (files.length === 0) {
    const searchFrom = opts.projectDir ? resolve(cwd, opts.projectDir) : cwd;
    const found = findConfigUpwards(searchFrom);
    if (!found) return undefined;
    files = [found];
  }
  const projectDir = opts.projectDir ? resolve(cwd, opts.projectDir) : dirname(files[0]!);
  const name = normaliseProjectName(
    opts.projectName ?? env.COMPOSE_PROJECT_NAME ?? topLevelName(files, env) ?? basename(projectDir),
  );
  return { name, projectDir, files };
}

/** Compose's rule: lowercase letters, digits, dashes and underscores, starting with a letter or digit. */
export function normaliseProjectName(name: string): string {
  const cleaned = name.toLowerCase().replace(/[^a-z0-9_-]/g, '');
  return cleaned.replace(/^[^a-z0-9]+/, '') || 'default';
}

function topLevelName(files: string[], env: Record<string, string | undefined>): string | undefined {
  let name: string | undefined;
  for (const file of files) {
    // Bounded and non-blocking: a FIFO or /dev/zero given as -f is the loader's to report.
    const read = readRegularFile(file);
    if (!read.ok) continue;
    const text = read.bytes.toString('utf8');
    const m = /^name:[ \t]*(?:"([^"]*)"|'([^']*)'|([^\s#]+))/m.exec(text);
    const raw = m?.[1] ?? m?.[2] ?? m?.[3];
    if (raw !== undefined) name = interpolateSimple(raw, env);
  }
  return name || undefined;
}

function interpolateSimple(value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a, def, b) => {
    const v = env[a ?? b];
    return v === undefined || v === '' ? (def ?? '') : v;
  });
}

export interface DaemonPaths {
  /** 0700 directory holding sockets, owned by this user. */
  socketDir: string;
  socket: string;
  /** Held (as a directory) while a daemon starts, so two clients never start two daemons. */
  lock: string;
  /** The project's state directory (0700): daemon log, pid records, process runtime data. */
  stateDir: string;
  logFile: string;
}

const MAX_SOCKET_PATH = 107;

export function daemonPaths(
  identity: ProjectIdentity,
  env: Record<string, string | undefined> = process.env,
): DaemonPaths {
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const key = createHash('sha256').update(`${identity.projectDir}\0${identity.name}`).digest('hex').slice(0, 16);
  const candidates = [
    env.DEVENV_SOCKET_DIR,
    env.XDG_RUNTIME_DIR ? join(env.XDG_RUNTIME_DIR, 'devenv') : undefined,
    join(tmpdir(), `devenv-${uid}`),
    `/tmp/devenv-${uid}`,
  ].filter((d): d is string => !!d);
  // A socket path longer than the kernel's limit (107 bytes on Linux) cannot be bound: use the first directory that fits.
  const socketDir = candidates.find((d) => join(d, `${key}.sock`).length <= MAX_SOCKET_PATH) ?? `/tmp/devenv-${uid}`;
  const stateDir = env.DEVENV_STATE_DIR ?? join(identity.projectDir, '.devenv', identity.name);
  return {
    socketDir,
    socket: join(socketDir, `${key}.sock`),
    lock: join(socketDir, `${key}.lock`),
    stateDir,
    logFile: join(stateDir, 'daemon.log'),
  };
}
