// `x-devenv.process.user`: when devenv runs as root (CI), run a service's init and command as
// that user (initdb and postgres refuse root). The user gets its data directory, and every
// directory on the way to what it needs is checked as that very user (the kernel decides, ACLs
// included), so "cannot cd to /root/project" becomes a hint instead of a cryptic exit.

import { execFile } from 'node:child_process';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { promisify } from 'node:util';
import { RuntimeFailure } from '../../errors.js';

const execFileAsync = promisify(execFile);

export interface RunAs {
  name: string;
  uid: number;
  gid: number;
  home: string;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** `name`, `uid`, `name:group` or `uid:gid`, as Compose's `user:` reads. */
export async function resolveRunAs(spec: string, service: string): Promise<RunAs> {
  const [userPart, groupPart] = spec.split(':', 2) as [string, string | undefined];
  const entry = await getent('passwd', userPart);
  if (!entry) {
    throw new RuntimeFailure('process.unknown-user', `user ${userPart} of service ${service} does not exist`, {
      service,
      hint:
        process.platform === 'darwin'
          ? `create it (System Settings → Users & Groups, or \`sudo sysadminctl -addUser ${userPart}\`), or change \`x-devenv.process.user\``
          : `create it (e.g. \`useradd --system ${userPart}\`, or install the package that does, like postgresql for \`postgres\`), or change \`x-devenv.process.user\``,
    });
  }
  const [name, , uid, gid, , home] = entry;
  let groupId = Number(gid);
  if (groupPart) {
    const group = await getent('group', groupPart);
    if (!group) {
      throw new RuntimeFailure('process.unknown-group', `group ${groupPart} of service ${service} does not exist`, {
        service,
        hint: 'fix the group in `x-devenv.process.user` (user:group)',
      });
    }
    groupId = Number(group[2]);
  }
  return { name: name!, uid: Number(uid), gid: groupId, home: home || '/' };
}

/** A passwd or group entry as its fields (name:x:uid:gid:gecos:home:shell / name:x:gid:members). */
async function getent(db: 'passwd' | 'group', key: string): Promise<string[] | undefined> {
  if (process.platform === 'darwin') return dscacheutil(db, key);
  try {
    const { stdout } = await execFileAsync('getent', [db, key]);
    const line = stdout.split('\n')[0]?.trim();
    return line ? line.split(':') : undefined;
  } catch {
    return undefined;
  }
}

/** macOS has no getent: Directory Services answer, as `key: value` lines. */
async function dscacheutil(db: 'passwd' | 'group', key: string): Promise<string[] | undefined> {
  const numeric = /^\d+$/.test(key);
  const attribute = numeric ? (db === 'passwd' ? 'uid' : 'gid') : 'name';
  try {
    const { stdout } = await execFileAsync('dscacheutil', [
      '-q',
      db === 'passwd' ? 'user' : 'group',
      '-a',
      attribute,
      key,
    ]);
    const fields = new Map(
      stdout
        .split('\n')
        .map((l) => /^(\w+): (.*)$/.exec(l.trim()))
        .filter((m): m is RegExpExecArray => m !== null)
        .map((m) => [m[1]!, m[2]!] as const),
    );
    if (!fields.has('name')) return undefined;
    const f = (k: string) => fields.get(k) ?? '';
    return db === 'passwd'
      ? [f('name'), 'x', f('uid'), f('gid'), '', f('dir'), f('shell')]
      : [f('name'), 'x', f('gid'), f('users')];
  } catch {
    return undefined;
  }
}

/** `/a/b/c` → `/`, `/a`, `/a/b`, `/a/b/c`. */
export function ancestors(path: string): string[] {
  const out: string[] = [];
  let p = resolve(path);
  for (;;) {
    out.unshift(p);
    const parent = dirname(p);
    if (parent === p) break;
    p = parent;
  }
  return out;
}

/** The existing directories among `paths` (and their ancestors) that `who` cannot enter, shallowest first. */
export async function untraversable(who: RunAs, paths: string[]): Promise<string[]> {
  const dirs = [...new Set(paths.flatMap(ancestors))];
  const existing: string[] = [];
  for (const d of dirs) {
    const s = await stat(d).catch(() => undefined);
    if (s?.isDirectory()) existing.push(d);
  }
  return inaccessible(
    who,
    existing.map((path) => ({ path, access: 'enter' as const })),
  );
}

/**
 * Which of `wanted` `who` cannot read (a file) or enter (a directory), decided by the kernel: a
 * `test -r` / `test -x` run with the user's uid and gid, so modes, ACLs and every directory on
 * the way count. One shell for all of them.
 */
export async function inaccessible(
  who: RunAs,
  wanted: { path: string; access: 'read' | 'enter' }[],
): Promise<string[]> {
  if (wanted.length === 0) return [];
  // Files to read first, then (after a marker no absolute path can equal) directories to enter.
  const script =
    'm=r; for p do if [ "$p" = -x- ]; then m=x; elif [ "$m" = r ]; then [ -r "$p" ] || printf "%s\\n" "$p"; else [ -x "$p" ] || printf "%s\\n" "$p"; fi; done';
  const args = [
    ...wanted.filter((w) => w.access === 'read').map((w) => w.path),
    '-x-',
    ...wanted.filter((w) => w.access === 'enter').map((w) => w.path),
  ];
  const { stdout } = await execFileAsync('/bin/sh', ['-c', script, 'sh', ...args], {
    uid: who.uid,
    gid: who.gid,
    cwd: '/',
  });
  return stdout.split('\n').filter(Boolean);
}

export async function checkTraversable(who: RunAs, paths: string[], service: string, stateDir: string): Promise<void> {
  const blocked = await untraversable(who, paths);
  if (blocked.length === 0) return;
  const first = blocked[0]!;
  const mode = await stat(first).then(
    (s) => (s.mode & 0o777).toString(8),
    () => '?',
  );
  throw new RuntimeFailure(
    'process.user-cannot-reach',
    `service ${service} runs as ${who.name}, who cannot enter ${first} (mode ${mode})`,
    {
      service,
      hint: `allow it with \`chmod o+x ${first}\`, or move what ${service} needs (the project, or DEVENV_STATE_DIR: now ${stateDir}) somewhere ${who.name} can reach`,
    },
  );
}

/** Others may pass through `dir` (not list it): `x` for group and others. */
export async function letOthersPass(dir: string): Promise<void> {
  const st = await stat(dir);
  if ((st.mode & 0o011) !== 0o011) await chmod(dir, (st.mode & 0o777) | 0o011);
}

/**
 * Create a directory the user owns (mode 0700) under the state directory, and let the user pass
 * through the state directory (0711: others may enter, not list; logs and records stay 0700).
 */
export async function prepareOwnedDir(dir: string, stateDir: string, who: RunAs): Promise<void> {
  const rel = relative(stateDir, dir);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return;
  await letOthersPass(stateDir);
  let p = stateDir;
  const parts = rel.split(sep);
  for (const [i, part] of parts.entries()) {
    p = resolve(p, part);
    const last = i === parts.length - 1;
    const existed = await stat(p).catch(() => undefined);
    if (!existed) await mkdir(p, { mode: last ? 0o700 : 0o711 });
    if (last && (!existed || existed.uid !== who.uid)) await chown(p, who.uid, who.gid);
  }
}
