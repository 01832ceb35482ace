// Where the services of a project keep their state (DEVENV_STATE_DIR as they see it: postgres's
// data directory, anything a service writes under it). Normally the project's own state
// directory. But when devenv runs as root and a service must run as another user (postgres
// refuses root) who cannot enter the project (a clone in /root, a `mktemp -d`: mode 0700),
// that user could never reach its data there. Then the services' state lives in a private
// directory of the invoking user under /var/lib/devenv (/var/tmp/devenv where there is no
// /var/lib), at a path derived from the project, so every later `up`, `down`, `reset` and a
// restarted daemon find it again. The runtime's own records and logs stay in the project.
//
//   /var/lib/devenv                 root 0711   nobody else can create or replace it
//   /var/lib/devenv/<uid>           uid  0711
//   /var/lib/devenv/<uid>/<name>-<key>  uid 0711   the services' state directory
//       postgres/                   postgres 0700   (the runtime hands each data dir to its user)
//
// Every component devenv creates or reuses is checked: a real directory (no symlink), owned by
// root or the invoking user, writable by nobody else; anything else is refused with the fix.

import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { RuntimeFailure } from '../../errors.js';
import type { ProjectSpec } from '../../model/spec.js';
import { isRoot, type RunAs, resolveRunAs, untraversable } from './run-as.js';

export interface ServicesStatePlacement {
  /** DEVENV_STATE_DIR for the services. */
  dir: string;
  /** Set when it is not the project's state directory: why, and whether this call created it. */
  moved?: { reason: string; created: boolean };
}

export interface PlacementOptions {
  project: Pick<ProjectSpec, 'name' | 'projectDir' | 'services'>;
  /** The project's state directory (records, logs; the default for the services' state). */
  stateDir: string;
  /** The user set DEVENV_STATE_DIR: it wins, whoever can reach it. */
  explicit: boolean;
  /** Where private state directories live (tests); default /var/lib/devenv or /var/tmp/devenv. */
  base?: string;
  /** Only say what would happen; create nothing (`devenv doctor`). */
  dryRun?: boolean;
}

export function defaultPrivateBase(): string {
  return existsSync('/var/lib') ? '/var/lib/devenv' : '/var/tmp/devenv';
}

/** The private state directory of a project: deterministic, so it is found again. */
export function privateStateDir(project: Pick<ProjectSpec, 'name' | 'projectDir'>, base = defaultPrivateBase()) {
  const uid = process.getuid?.() ?? 0;
  const key = createHash('sha256').update(`${project.projectDir}\0${project.name}`).digest('hex').slice(0, 12);
  return join(base, String(uid), `${project.name}-${key}`);
}

export async function placeServicesState(opts: PlacementOptions): Promise<ServicesStatePlacement> {
  const stay = { dir: opts.stateDir };
  if (opts.explicit || !isRoot()) return stay;
  const base = opts.base ?? defaultPrivateBase();
  const dir = privateStateDir(opts.project, base);
  if (existsSync(dir)) {
    // Chosen before: keep it (and its data), even if the project became reachable since.
    if (!opts.dryRun) await ensurePrivateChain(base, dir);
    return {
      dir,
      moved: { reason: `${dir} holds this project's services' state from an earlier run`, created: false },
    };
  }
  const blocked = await firstBlockedUser(opts.project, dirname(opts.stateDir));
  if (!blocked) return stay;
  if (!opts.dryRun) await ensurePrivateChain(base, dir);
  return {
    dir,
    moved: {
      reason: `${blocked.service} runs as ${blocked.user.name}, who cannot enter ${blocked.path}`,
      created: !opts.dryRun,
    },
  };
}

/** The first service whose user cannot reach `parent` (the directory the state directory lives in). */
export async function firstBlockedUser(
  project: PlacementOptions['project'],
  parent: string,
): Promise<{ service: string; user: RunAs; path: string } | undefined> {
  const seen = new Map<string, RunAs | undefined>();
  for (const svc of Object.values(project.services)) {
    const spec = svc.devenv.process?.user;
    if (!spec) continue;
    if (!seen.has(spec)) seen.set(spec, await resolveRunAs(spec, svc.name).catch(() => undefined));
    const user = seen.get(spec);
    if (!user || user.uid === 0) continue; // an unknown user fails at its start, with its own error
    const blocked = await untraversable(user, [parent]);
    if (blocked.length > 0) return { service: svc.name, user, path: blocked[0]! };
  }
  return undefined;
}

/**
 * Create (or check) base, base/<uid> and the project's directory. The system directories above
 * the base are resolved (macOS: /var -> /private/var) and must be root's and not writable by
 * others unless sticky (/var/tmp); the base must be root's; the rest the invoking user's.
 */
async function ensurePrivateChain(base: string, dir: string): Promise<void> {
  const uid = process.getuid?.() ?? 0;
  const parent = await realpath(dirname(base)).catch(() => undefined);
  if (!parent) throw refusal(dirname(base), 'does not exist');
  for (let p = parent; ; p = dirname(p)) {
    const st = await lstat(p);
    if (st.uid !== 0) throw refusal(p, `is owned by uid ${st.uid}, not root`);
    if ((st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0)
      throw refusal(p, `is writable by others (mode ${mode(st.mode)})`);
    if (dirname(p) === p) break;
  }
  const realBase = join(parent, base.slice(dirname(base).length + 1));
  const realDir = join(realBase, dir.slice(base.length + 1));
  await ensureOwnedDir(realBase, 0);
  await ensureOwnedDir(dirname(realDir), uid);
  await ensureOwnedDir(realDir, uid);
}

/** A directory that is really a directory, owned by `owner`, mode 0711 (others may pass, not list or write). */
async function ensureOwnedDir(path: string, owner: number): Promise<void> {
  let st = await lstat(path).catch(() => undefined);
  if (!st) {
    try {
      await mkdir(path, { mode: 0o711 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    st = await lstat(path);
  }
  if (st.isSymbolicLink()) throw refusal(path, 'is a symbolic link');
  if (!st.isDirectory()) throw refusal(path, 'is not a directory');
  if (st.uid !== owner) throw refusal(path, `is owned by uid ${st.uid}, not ${owner === 0 ? 'root' : `uid ${owner}`}`);
  // Ours: make it exactly 0711 (a directory someone else could write to is no private state).
  if ((st.mode & 0o7777) !== 0o711) await chmod(path, 0o711);
}

function refusal(path: string, what: string): RuntimeFailure {
  return new RuntimeFailure('process.state-dir-unsafe', `cannot keep the services' state under ${path}: it ${what}`, {
    hint: `remove or fix ${path} (it must be root's, a real directory, writable by nobody else), or choose the state directory yourself: DEVENV_STATE_DIR=/some/dir the service users can reach`,
  });
}

function mode(m: number): string {
  return (m & 0o7777).toString(8).padStart(4, '0');
}
