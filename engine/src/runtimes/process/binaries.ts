// What a host process needs installed: each command's program (argv[0]) found on PATH or at
// its path, and for `python -m X` the module X importable by that interpreter. Used before a
// start (a missing program fails with the install command, not "exit 127") and by
// `devenv doctor` for the whole project.

import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { basename, delimiter, isAbsolute, resolve } from 'node:path';
import type { ProjectSpec } from '../../model/spec.js';

export interface MissingBinary {
  service: string;
  /** The program as written (`redis-server`), or `python3 -m uvicorn` for a module. */
  binary: string;
  /** What to run to get it, for this platform. */
  installHint: string;
  /** Which command needs it. */
  usedBy: 'command' | 'init' | 'healthcheck';
}

/** The absolute path argv[0] runs, or undefined when nothing executable is there. */
export async function resolveProgram(
  program: string,
  cwd: string,
  pathVar: string | undefined,
): Promise<string | undefined> {
  if (program.includes('/')) {
    const p = isAbsolute(program) ? program : resolve(cwd, program);
    return (await isExecutableFile(p)) ? p : undefined;
  }
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = resolve(cwd, dir, program);
    if (await isExecutableFile(p)) return p;
  }
  return undefined;
}

async function isExecutableFile(p: string): Promise<boolean> {
  try {
    const s = await stat(p);
    if (!s.isFile()) return false;
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

interface Packages {
  debian: string;
  mac: string;
}

const knownPackages: Record<string, Packages> = {
  postgres: { debian: 'postgresql', mac: 'postgresql@15' },
  initdb: { debian: 'postgresql', mac: 'postgresql@15' },
  pg_ctl: { debian: 'postgresql', mac: 'postgresql@15' },
  pg_isready: { debian: 'postgresql-client', mac: 'postgresql@15' },
  psql: { debian: 'postgresql-client', mac: 'postgresql@15' },
  'redis-server': { debian: 'redis-server', mac: 'redis' },
  'redis-cli': { debian: 'redis-tools', mac: 'redis' },
  node: { debian: 'nodejs', mac: 'node' },
  npm: { debian: 'npm', mac: 'node' },
  npx: { debian: 'npm', mac: 'node' },
  python3: { debian: 'python3', mac: 'python@3' },
  python: { debian: 'python-is-python3', mac: 'python@3' },
  curl: { debian: 'curl', mac: 'curl' },
  nginx: { debian: 'nginx', mac: 'nginx' },
  mysqld: { debian: 'default-mysql-server', mac: 'mysql' },
  mongod: { debian: 'mongodb-org (MongoDB repository)', mac: 'mongodb-community' },
};

/** The install command for a program, for this platform. */
export function installHint(program: string, platform: NodeJS.Platform = process.platform): string {
  const name = basename(program);
  const pkg = knownPackages[name] ?? (/^python3(\.\d+)?$/.test(name) ? knownPackages.python3 : undefined);
  if (!pkg) return `install ${name} (or fix PATH / the path in the command)`;
  return platform === 'darwin' ? `brew install ${pkg.mac}` : `apt-get install -y ${pkg.debian}`;
}

/** For `python3 -m X`: the Debian package (python3-x) or pip. */
export function pythonModuleHint(module: string, platform: NodeJS.Platform = process.platform): string {
  const top = module.split('.')[0]!;
  return platform === 'darwin'
    ? `pip install ${top} (in the venv PYTHON points at)`
    : `apt-get install -y python3-${top.toLowerCase()} (or pip install ${top} in a venv and set PYTHON to its python)`;
}

/** `python3 -m uvicorn app:app` → `uvicorn`; anything else → undefined. */
export function pythonModuleOf(argv: string[]): string | undefined {
  if (!/^python(\d(\.\d+)?)?$/.test(basename(argv[0] ?? ''))) return undefined;
  const m = argv.indexOf('-m');
  return m > 0 ? argv[m + 1] : undefined;
}

function canImport(python: string, module: string, cwd: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  return new Promise((done) => {
    execFile(python, ['-c', `import ${module.split('.')[0]}`], { cwd, env, timeout: 20_000 }, (err) => done(!err));
  });
}

/**
 * Every program (and `python -m` module) the project's host processes need and this machine
 * lacks: commands, init steps and command probes. Empty when all are there.
 */
export async function findMissingBinaries(
  project: ProjectSpec,
  opts: { env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform; modules?: boolean } = {},
): Promise<MissingBinary[]> {
  const hostEnv = opts.env ?? process.env;
  const checks: Promise<MissingBinary | undefined>[] = [];
  for (const svc of Object.values(project.services)) {
    const proc = svc.devenv.process;
    if (!proc) continue;
    const env = { ...hostEnv, ...proc.env };
    const commands: [MissingBinary['usedBy'], string[]][] = [['command', proc.command]];
    if (proc.init) commands.push(['init', proc.init.command]);
    if (proc.healthcheck?.type === 'command') commands.push(['healthcheck', proc.healthcheck.command]);
    for (const [usedBy, argv] of commands) {
      const program = argv[0];
      if (!program) continue;
      checks.push(
        (async () => {
          const path = await resolveProgram(program, proc.cwd, env.PATH);
          if (!path) {
            return { service: svc.name, binary: program, installHint: installHint(program, opts.platform), usedBy };
          }
          const module = opts.modules === false ? undefined : pythonModuleOf(argv);
          if (module && !(await canImport(path, module, proc.cwd, env))) {
            return {
              service: svc.name,
              binary: `${program} -m ${module}`,
              installHint: `${pythonModuleHint(module, opts.platform)}; ${program} here is ${path}`,
              usedBy,
            };
          }
          return undefined;
        })(),
      );
    }
  }
  const results = await Promise.all(checks);
  return results.filter((r): r is MissingBinary => !!r);
}
