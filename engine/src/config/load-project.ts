// loadProject: from the command line's view of a project (-f, -p, --project-dir, --profile, the
// environment) to a normalised ProjectSpec, or a UserError listing every problem found.

import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type Problem, UserError } from '../errors.js';
import type { ProjectSpec } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { compileProject, type SourceFile } from './compile-project.js';
import { type ConfigFs, nodeFs, readForLoader } from './config-fs.js';
import { byPosition, Diagnostics, toProblem } from './diagnostics.js';
import { parseDotenv } from './dotenv.js';
import { CONFIG_FILE_NAMES, discoverConfigFiles } from './find-config-file.js';
import type { KeyUse } from './key-uses.js';
import { enabledProfiles } from './profiles.js';

export interface LoadOptions {
  /** `-f`: several are merged in order (Compose merge rules). Default: discovered, plus its override file. */
  files?: string[];
  /** `--project-dir`; default: the directory of the first file. */
  projectDir?: string;
  /** `-p`. */
  projectName?: string;
  /** Default: process.cwd(). */
  cwd?: string;
  /** Default: process.env. The project's `.env` is read too; these values win over it. */
  env?: Record<string, string | undefined>;
  /** `--profile`; COMPOSE_PROFILES adds to them. */
  profiles?: string[];
  /** Services named on the command line: they and their dependencies are enabled whatever their profiles. */
  services?: string[];
  /** Disk access (read-only); tests may pass a fake. */
  fs?: ConfigFs;
}

export interface LoadResult {
  /** Fully normalised: absolute paths, defaults filled, profiles applied. */
  project: ProjectSpec;
  /** Unset variables, obsolete `version`, and ONE warning listing every unsupported key with its position. */
  warnings: Problem[];
  /** The interpolated, merged Compose document, for `devenv config` to print as YAML or JSON. */
  resolved: Record<string, unknown>;
  /**
   * The Compose keys the active services (and the top level) use, with their positions: once the
   * runtime is known, `runtimeKeyProblems(keyUses, runtime)` says which it refuses.
   */
  keyUses: KeyUse[];
}

export async function loadProject(opts: LoadOptions = {}): Promise<LoadResult> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  const processEnv = opts.env ?? process.env;
  const fs = opts.fs ?? nodeFs;
  const explicitDir = opts.projectDir === undefined ? undefined : resolve(cwd, opts.projectDir);
  const files = configFiles(opts, cwd, explicitDir, processEnv, fs);
  const projectDir = explicitDir ?? dirname(files[0] as string);

  const diagnostics = new Diagnostics();
  const warnedUnset = new Set<string>();
  const env = projectEnvironment(projectDir, processEnv, fs, diagnostics, warnedUnset);
  const sources: SourceFile[] = [];
  const unreadable: Problem[] = [];
  for (const path of files) {
    const read = readForLoader(fs, path);
    if ('text' in read) sources.push({ path, text: read.text });
    else if ('problem' in read) unreadable.push(read.problem);
    else unreadable.push(notFound(path, cwd));
  }
  if (unreadable.length > 0) throw new UserError(unreadable);
  const output = compileProject({
    files: sources,
    projectDir,
    env,
    profiles: enabledProfiles(opts.profiles, env.COMPOSE_PROFILES),
    projectName: opts.projectName ?? env.COMPOSE_PROJECT_NAME,
    services: opts.services ?? [],
    fs,
    home: env.HOME ?? homedir(),
    diagnostics,
    warnedUnset,
  });
  if (diagnostics.hasErrors || !output.project || !output.resolved) {
    throw new UserError(diagnostics.errors.sort(byPosition).map(toProblem), [
      'fix the problems above, then run the command again',
    ]);
  }
  return {
    project: output.project,
    warnings: diagnostics.warnings.sort(byPosition).map(toProblem),
    resolved: output.resolved,
    keyUses: output.keyUses ?? [],
  };
}

function configFiles(
  opts: LoadOptions,
  cwd: string,
  explicitDir: string | undefined,
  env: Record<string, string | undefined>,
  fs: ConfigFs,
): string[] {
  let files: string[] | undefined;
  if (opts.files && opts.files.length > 0) files = opts.files.map((f) => resolve(cwd, f));
  else if (env.COMPOSE_FILE) {
    const separator = env.COMPOSE_PATH_SEPARATOR ?? ':';
    files = env.COMPOSE_FILE.split(separator)
      .filter(Boolean)
      .map((f) => resolve(explicitDir ?? cwd, f));
  } else {
    files = discoverConfigFiles(explicitDir ?? cwd, fs, explicitDir === undefined);
    if (!files) {
      throw new UserError(
        {
          code: ConfigCode.notFound,
          message: `no Compose file found in ${explicitDir ?? cwd}${explicitDir ? '' : ' or its parent directories'}`,
          hint: `create one of ${CONFIG_FILE_NAMES.join(', ')}, or pass its path with -f`,
        },
        ['devenv reads standard Compose files: see docs/config.md'],
      );
    }
  }
  const problems: Problem[] = [];
  for (const f of files) {
    if (fs.isFile(f)) continue;
    const read = readForLoader(fs, f);
    problems.push('problem' in read ? read.problem : notFound(f, cwd));
  }
  if (problems.length > 0) throw new UserError(problems);
  return files;
}

function notFound(file: string, cwd: string): Problem {
  return {
    code: ConfigCode.fileNotFound,
    message: `config file not found: ${file}`,
    hint: `check the path given with -f (relative paths start at ${cwd})`,
  };
}

/**
 * The project's `.env` (if any) under the given environment, which wins. Every lookup asks the
 * given environment first, at lookup time: a daemon that records which names were asked
 * (ConfigSource.envNames) sees each of them, also those the `.env` sets.
 */
function projectEnvironment(
  projectDir: string,
  processEnv: Record<string, string | undefined>,
  fs: ConfigFs,
  diagnostics: Diagnostics,
  warnedUnset: Set<string>,
): Record<string, string | undefined> {
  const path = join(projectDir, '.env');
  const read = readForLoader(fs, path);
  if ('problem' in read) diagnostics.add([{ severity: 'error', ...read.problem }]);
  const text = 'text' in read ? read.text : undefined;
  let fromFile: Record<string, string> = {};
  if (text !== undefined) {
    const parsed = parseDotenv(text, path, (name, sofar) => processEnv[name] ?? sofar[name], warnedUnset);
    diagnostics.add(parsed.diagnostics);
    fromFile = parsed.values;
  }
  const env: Record<string, string | undefined> = { ...fromFile };
  for (const [key, value] of Object.entries(processEnv)) if (value !== undefined) env[key] = value;
  return new Proxy(env, {
    get: (target, key) => (typeof key === 'string' ? (processEnv[key] ?? target[key]) : undefined),
  });
}
