// `devenv init` as a service: detect the services of a repository, write compose.yaml and the
// "Run Both" launch configuration. Refuses to replace a Compose file unless forced (then the old
// one is moved to a backup first), and checks its own output with devenv's config loader.

import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { nodeFs } from '../config/config-fs.js';
import { CONFIG_FILE_NAMES, OVERRIDE_FILE_NAMES } from '../config/find-config-file.js';
import { loadProject } from '../config/load-project.js';
import { type Problem, UserError } from '../errors.js';
import { renderCompose } from './compose-document.js';
import { detect, foundNothing } from './detect.js';
import type { Evidence } from './findings.js';
import { mergeLaunchJson } from './launch-json.js';
import { planServices, type ServiceKind } from './plan-services.js';
import { scanRepo } from './repo-files.js';

export interface InitOptions {
  /** The repository to look at and write into. */
  dir: string;
  /** Replace an existing Compose file (it is moved to a backup first). */
  force?: boolean;
  /** Work everything out, write nothing. */
  dryRun?: boolean;
}

export interface InitFile {
  /** Relative to the project directory. */
  path: string;
  action: 'create' | 'merge' | 'unchanged';
  /** Why an `unchanged` file was left alone. */
  reason?: string;
  text: string;
}

export interface InitResult {
  dir: string;
  services: { name: string; kind: ServiceKind; evidence: Evidence[] }[];
  /** Existing Compose files moved aside by --force: from → to, relative. */
  backups: { from: string; to: string }[];
  files: InitFile[];
  notes: string[];
  /** False for --dry-run. */
  written: boolean;
}

export const COMPOSE_FILE = 'compose.yaml';
export const LAUNCH_FILE = '.vscode/launch.json';

/** What detection looks for, said when it finds nothing. */
export const DETECTED_KINDS = [
  'Python web apps: FastAPI (`= FastAPI(`), Flask (`= Flask(`), Django (manage.py)',
  'Celery workers (`= Celery(`) and Alembic migrations (alembic.ini)',
  'Node frontends: package.json with vite, next or react-scripts',
  'Node APIs: package.json with express, fastify, koa, @hapi/hapi or @nestjs/core',
  'Backing services (PostgreSQL, MySQL/MariaDB, Redis, MongoDB, RabbitMQ, Kafka, Elasticsearch): their client libraries in requirements.txt, pyproject.toml, Pipfile, setup.cfg/setup.py, package.json, go.mod, Gemfile, pom.xml or build.gradle; postgres://, mysql://, redis://, mongodb://, amqp:// URLs and hosts given to their clients in .env files, settings, config files or code',
];

export async function initProject(opts: InitOptions): Promise<InitResult> {
  const dir = resolve(opts.dir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError({
      code: 'init.no-directory',
      message: `${dir} is not a directory`,
      hint: 'run `devenv init` in your repository',
    });
  }
  const existing = [...CONFIG_FILE_NAMES, ...OVERRIDE_FILE_NAMES].filter((name) => nodeFs.isFile(join(dir, name)));
  if (existing.length > 0 && !opts.force) {
    throw new UserError({
      code: 'init.compose-exists',
      message: `${existing.join(' and ')} already exist${existing.length === 1 ? 's' : ''} in ${dir}; devenv init does not overwrite ${existing.length === 1 ? 'it' : 'them'}`,
      hint: `run \`devenv up\` to use ${existing.length === 1 ? 'it' : 'them'}, or \`devenv init --force\` to generate a new compose.yaml (the old file${existing.length === 1 ? ' is' : 's are'} moved to ${existing.map((n) => `${n}.bak`).join(', ')} first)`,
    });
  }

  const repo = scanRepo(dir);
  const findings = detect(repo);
  if (foundNothing(findings)) {
    const lines = [
      'it looks for:',
      ...DETECTED_KINDS.map((k) => `    - ${k}`),
      ...findings.notes.map((n) => `  note: ${n}`),
      '  run it at the root of the repository, or write compose.yaml by hand (docs/config.md)',
    ];
    throw new UserError({
      code: 'init.nothing-detected',
      message: `devenv init found no services in ${dir}`,
      hint: lines.join('\n'),
    });
  }
  const plan = planServices(findings, repo);
  const composeText = renderCompose(plan);
  const notes = [...plan.notes, ...(await checkWithLoader(dir, composeText))];

  const launchPath = join(dir, LAUNCH_FILE);
  const launch = mergeLaunchJson(nodeFs.readText(launchPath), launchPath);
  const files: InitFile[] = [
    { path: COMPOSE_FILE, action: 'create', text: composeText },
    {
      path: LAUNCH_FILE,
      action: launch.action,
      text: launch.text,
      ...(launch.action === 'unchanged' ? { reason: launch.reason } : {}),
    },
  ];
  const backups = existing.map((name) => ({ from: name, to: backupName(dir, name) }));

  if (!opts.dryRun) {
    for (const b of backups) renameSync(join(dir, b.from), join(dir, b.to));
    writeFileSync(join(dir, COMPOSE_FILE), composeText);
    if (launch.action !== 'unchanged') {
      mkdirSync(join(dir, '.vscode'), { recursive: true });
      writeFileSync(launchPath, launch.text);
    }
  }
  return {
    dir,
    services: plan.services.map((s) => ({ name: s.name, kind: s.kind, evidence: s.evidence })),
    backups,
    files,
    notes,
    written: !opts.dryRun,
  };
}

/** `compose.yaml.bak`, or `.bak.1`, `.bak.2`… when an earlier backup is there: a backup is never overwritten. */
function backupName(dir: string, name: string): string {
  let candidate = `${name}.bak`;
  for (let i = 1; existsSync(join(dir, candidate)); i++) candidate = `${name}.bak.${i}`;
  return candidate;
}

/**
 * Loads the generated file with devenv's own loader, before anything is written. A problem in the
 * generated file is a bug in `init`; one elsewhere (a broken `.env`) becomes a note for the user.
 */
async function checkWithLoader(dir: string, composeText: string): Promise<string[]> {
  const composePath = join(dir, COMPOSE_FILE);
  const fs = {
    ...nodeFs,
    isFile: (p: string) => p === composePath || nodeFs.isFile(p),
    readText: (p: string) => (p === composePath ? composeText : nodeFs.readText(p)),
  };
  const env = { HOME: process.env.HOME ?? '/' };
  let problems: Problem[];
  try {
    problems = (await loadProject({ files: [composePath], projectDir: dir, env, fs })).warnings;
  } catch (err) {
    if (!(err instanceof UserError)) throw err;
    problems = err.problems;
  }
  const own = problems.filter((p) => !p.location || p.location.file === composePath);
  if (own.length > 0) {
    throw new Error(
      `devenv init generated a compose.yaml its own loader does not accept:\n${own.map((p) => `  ${p.location ? `${p.location.line}:${p.location.col} ` : ''}${p.message} [${p.code}]`).join('\n')}\n--- compose.yaml ---\n${composeText}`,
    );
  }
  return problems.map(
    (p) => `devenv will report: ${p.location ? `${p.location.file}:${p.location.line}: ` : ''}${p.message}`,
  );
}
