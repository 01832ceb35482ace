// Handing a service user what it needs from a place it cannot enter. When devenv runs as root
// and a service runs as another user (postgres) from a project that user cannot reach (mode
// 0700), the files its command, init and probe name (init-db.sh, a config file) are read here,
// as root, and copied into `<services' state>/.devenv-files/<service>/`, readable by the
// service's group only; the argv is rewritten to the copies, and a working directory it cannot
// enter becomes that directory. Copied afresh at every start, so an edit takes effect.

import { chmod, chown, copyFile, lstat, mkdir, readdir, readlink, realpath, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { RuntimeFailure } from '../../errors.js';
import type { ProcessSpec } from '../../model/spec.js';
import { resolveProgram } from './binaries.js';
import { checkTraversable, inaccessible, letOthersPass, prepareOwnedDir, type RunAs } from './run-as.js';

export const HANDOVER_DIR = '.devenv-files';

/** Where and with which argv a service runs (after a handover, the copies). */
export interface RunPlan {
  cwd: string;
  command: string[];
  init?: string[];
  probe?: string[];
}

/**
 * Before a start as another user: give it its data directory, hand over what it cannot reach,
 * and check (as that user) that it can reach the rest: fails with the fix otherwise.
 * `note` is set when files were handed over, for the service log.
 */
export async function prepareForUser(opts: {
  service: string;
  proc: ProcessSpec;
  who: RunAs;
  servicesStateDir: string;
  /** The program as found on PATH for the service. */
  programPath: string;
  /** Absolute path of init's `creates`. */
  creates: string | undefined;
  path: string | undefined;
}): Promise<{ run: RunPlan; note?: string }> {
  const { service, proc, who, creates } = opts;
  if (creates) await prepareOwnedDir(dirname(creates), opts.servicesStateDir, who);
  const handed = await handOver({ service, proc, who, servicesStateDir: opts.servicesStateDir });
  const { copied, ...run } = handed ?? {
    copied: {},
    cwd: proc.cwd,
    command: proc.command,
    ...(proc.init ? { init: proc.init.command } : {}),
  };
  const program = (await resolveProgram(run.command[0]!, run.cwd, opts.path)) ?? opts.programPath;
  const needed = [run.cwd, dirname(program)];
  if (creates) needed.push(dirname(creates));
  if (run.init?.[0]?.includes('/')) needed.push(dirname(resolve(run.cwd, run.init[0])));
  await checkTraversable(who, needed, service, opts.servicesStateDir);
  return handed ? { run, note: handoverNote(who.name, proc.cwd, handed) } : { run };
}

/** One line for the service log: what its user could not reach, and what devenv did instead. */
function handoverNote(user: string, cwd: string, handed: HandedOver): string {
  const files = Object.keys(handed.copied);
  const parts: string[] = [];
  if (files.length > 0) parts.push(`copied ${files.join(', ')} to ${dirname(Object.values(handed.copied)[0]!)}`);
  if (handed.cwd !== cwd) parts.push(`runs in ${handed.cwd} instead of ${cwd}`);
  return `${user} cannot reach what ${files.length > 0 ? 'it needs in the project' : cwd}: ${parts.join('; ')}`;
}

/** What the service runs with after the handover. */
export interface HandedOver extends RunPlan {
  /** Source → copy, for the note in the service log. */
  copied: Record<string, string>;
}

const MAX_ENTRIES = 2000;
const MAX_BYTES = 64 * 1024 * 1024;

/**
 * The paths in `proc` (argv elements naming existing files or directories, `--opt=PATH` too;
 * not argv[0] looked up on PATH; nothing in the services' state) and its cwd that `who` cannot reach.
 */
export async function unreachableFor(
  proc: ProcessSpec,
  who: RunAs,
  servicesStateDir: string,
): Promise<{ paths: string[]; cwd: boolean }> {
  const candidates = new Set<string>();
  for (const argv of argvLists(proc)) {
    for (const [i, arg] of argv.entries()) {
      const path = pathOf(arg, i, proc.cwd);
      // The services' own state is devenv's to hand out (a data directory is given, never copied).
      if (!path || isInside(path, servicesStateDir)) continue;
      if (await stat(path).catch(() => undefined)) candidates.add(path);
    }
  }
  const blocked = new Set(
    await inaccessible(who, [
      ...[...candidates].map((path) => ({ path, access: 'read' as const })),
      { path: proc.cwd, access: 'enter' as const },
    ]),
  );
  return { paths: [...candidates].filter((p) => blocked.has(p)), cwd: blocked.has(proc.cwd) };
}

/** Copy what `who` cannot reach into its handover directory; undefined when it reaches everything. */
export async function handOver(opts: {
  service: string;
  proc: ProcessSpec;
  who: RunAs;
  servicesStateDir: string;
}): Promise<HandedOver | undefined> {
  const { proc, who } = opts;
  const need = await unreachableFor(proc, who, opts.servicesStateDir);
  if (need.paths.length === 0 && !need.cwd) return undefined;
  await mkdir(opts.servicesStateDir, { recursive: true, mode: 0o700 });
  await letOthersPass(opts.servicesStateDir);
  const root = join(opts.servicesStateDir, HANDOVER_DIR);
  await mkdir(root, { recursive: true, mode: 0o711 });
  const dir = join(root, opts.service);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { mode: 0o750 });
  await chown(dir, 0, who.gid);
  await chmod(dir, 0o750);

  const copied: Record<string, string> = {};
  const budget = { entries: 0, bytes: 0 };
  const taken = new Set<string>();
  for (const [i, src] of need.paths.entries()) {
    let name = basename(src);
    if (taken.has(name)) name = `${i}-${name}`;
    taken.add(name);
    const dst = join(dir, name);
    await copyTree(await realpath(src), dst, who.gid, budget, opts.service);
    copied[src] = dst;
  }
  const rewrite = (argv: string[]) => argv.map((arg, i) => rewriteArg(arg, i, proc.cwd, copied));
  const out: HandedOver = { cwd: need.cwd ? dir : proc.cwd, command: rewrite(proc.command), copied };
  if (proc.init) out.init = rewrite(proc.init.command);
  if (proc.healthcheck?.type === 'command') out.probe = rewrite(proc.healthcheck.command);
  return out;
}

function isInside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

function argvLists(proc: ProcessSpec): string[][] {
  const lists = [proc.command];
  if (proc.init) lists.push(proc.init.command);
  if (proc.healthcheck?.type === 'command') lists.push(proc.healthcheck.command);
  return lists;
}

/** The path an argument names, if it can name one: argv[0] only with a `/` (else PATH finds it). */
function pathOf(arg: string, index: number, cwd: string): string | undefined {
  const value = optionValue(arg);
  if (!value) return undefined;
  if (index === 0 && !value.includes('/')) return undefined;
  return isAbsolute(value) ? value : resolve(cwd, value);
}

/** `--config=./x.conf` → `./x.conf`; a plain argument is itself. */
function optionValue(arg: string): string {
  const m = /^(-{1,2}[^=\s]+=)(.*)$/.exec(arg);
  return m ? m[2]! : arg;
}

function rewriteArg(arg: string, index: number, cwd: string, copied: Record<string, string>): string {
  const path = pathOf(arg, index, cwd);
  const copy = path === undefined ? undefined : copied[path];
  if (copy === undefined) return arg;
  const m = /^(-{1,2}[^=\s]+=)(.*)$/.exec(arg);
  return m ? `${m[1]}${copy}` : copy;
}

/** Copy a file or a directory tree (symbolic links inside copied as links), group-readable by `gid`. */
async function copyTree(
  src: string,
  dst: string,
  gid: number,
  budget: { entries: number; bytes: number },
  service: string,
): Promise<void> {
  const st = await lstat(src);
  budget.entries += 1;
  budget.bytes += st.isFile() ? st.size : 0;
  if (budget.entries > MAX_ENTRIES || budget.bytes > MAX_BYTES) {
    throw new RuntimeFailure(
      'process.handover-too-large',
      `service ${service} names files its user cannot reach, more than devenv copies for it (${MAX_ENTRIES} entries, ${MAX_BYTES / 2 ** 20} MiB)`,
      {
        service,
        hint: 'move the project somewhere its user can reach, or set DEVENV_STATE_DIR and `chmod o+x` the directories on the way',
      },
    );
  }
  if (st.isSymbolicLink()) {
    await symlink(await readlink(src), dst);
    return;
  }
  if (st.isDirectory()) {
    await mkdir(dst, { mode: 0o750 });
    for (const name of await readdir(src)) await copyTree(join(src, name), join(dst, name), gid, budget, service);
    await chown(dst, 0, gid);
    await chmod(dst, 0o750);
    return;
  }
  if (!st.isFile()) return;
  await copyFile(src, dst);
  await chown(dst, 0, gid);
  // Readable by the service's group; executable for it when the original was executable.
  await chmod(dst, st.mode & 0o111 ? 0o750 : 0o640);
}
