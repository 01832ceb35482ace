// Can the service's interpreter run the debugger devenv inferred for it? Asked of the interpreter
// itself, in the service's own environment (a throwaway container of its image, or a host process
// with its cwd, variables and virtualenv: `Runtime.runOneOff`), before anything is created. An
// inferred debugger that cannot run (no debugpy, a Node without the inspector) is dropped: the
// service starts without it, and its status says why and what fixes it. A debugger asked for in
// `x-devenv.debug` is not checked: the service runs under it and fails loudly, as asked.
//
// A container image's answer is remembered by image id (it cannot change), in memory and in the
// user's cache (`$XDG_CACHE_HOME/devenv/debugger-checks.json`; DEVENV_NO_CACHE=1 turns it off); a
// host interpreter is asked on every `up` (~30 ms; debugpy may have been installed meanwhile).

import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { devenvCacheDir } from '../cache-dir.js';
import { RuntimeFailure } from '../errors.js';
import type { DebugKind, ProjectSpec, RuntimeKind, ServiceSpec } from '../model/spec.js';
import type { DebugAbsence } from '../model/status.js';
import type { Artifact, Runtime } from '../runtime-interface/runtime.js';
import { type DebugPlan, injectPlanned, type PlannedInjection } from './debug-plan.js';

const MARK = 'devenv-debugger-check';

/** What the interpreter reports about itself. */
export interface InterpreterFacts {
  /** debugpy importable / the inspector built in. */
  present: boolean;
  /** sys.executable / process.execPath. */
  executable: string;
  /** Python only: pip importable, a virtualenv, an EXTERNALLY-MANAGED system Python, apt-get on the machine. */
  pip?: boolean;
  venv?: boolean;
  managed?: boolean;
  apt?: boolean;
}

/** The command that makes `interpreter` report its facts on one line. */
export function checkArgv(type: DebugKind, interpreter: string): string[] {
  if (type === 'node') {
    return [interpreter, '-e', `console.log('${MARK}',process.features.inspector?1:0,process.execPath)`];
  }
  return [
    interpreter,
    '-c',
    'import importlib.util as u,os,sys,sysconfig;f=lambda m:int(u.find_spec(m) is not None);' +
      `print('${MARK}',f('debugpy'),f('pip'),int(sys.prefix!=getattr(sys,'base_prefix',sys.prefix)),` +
      "int(os.path.exists(os.path.join(sysconfig.get_paths()['stdlib'],'EXTERNALLY-MANAGED'))),int(os.path.exists('/usr/bin/apt-get')),sys.executable)",
  ];
}

/** The facts in the check's output; undefined when it did not answer (not that interpreter, a crash). */
export function parseCheck(type: DebugKind, output: string): InterpreterFacts | undefined {
  const line = output.split('\n').find((l) => l.startsWith(`${MARK} `));
  if (!line) return undefined;
  const fields = line.slice(MARK.length + 1).split(' ');
  const flag = (i: number) => fields[i] === '1';
  if (type === 'node') {
    if (fields.length < 2) return undefined;
    return { present: flag(0), executable: fields.slice(1).join(' ') };
  }
  if (fields.length < 6) return undefined;
  return {
    present: flag(0),
    pip: flag(1),
    venv: flag(2),
    managed: flag(3),
    apt: flag(4),
    executable: fields.slice(5).join(' '),
  };
}

export interface AbsenceContext {
  runtime: RuntimeKind;
  service: string;
  /** The interpreter as the command names it (`python3`). */
  interpreter: string;
  /** The Dockerfile the service is built from, relative to where devenv runs; unset for `image:` services. */
  dockerfile?: string;
  image?: string;
  /** devenv runs as root (no `sudo` in a printed command). */
  root: boolean;
}

/** Why the debugger cannot run, and the one line that fixes it (a command on the host, a Dockerfile line in an image). */
export function unavailable(type: DebugKind, facts: InterpreterFacts, ctx: AbsenceContext): DebugAbsence {
  const exe = shellWord(facts.executable);
  const onHost = ctx.runtime === 'process';
  if (type === 'node') {
    return {
      kind: 'unavailable',
      type,
      reason: `${onHost ? `${ctx.interpreter} (${facts.executable})` : `the Node.js of ${ctx.service}'s image (${facts.executable})`} was built without the inspector`,
      fix: 'use a Node.js build with the inspector (nodejs.org, or your distribution’s nodejs)',
    };
  }
  const install = facts.venv
    ? `${facts.pip ? '' : `${exe} -m ensurepip && `}${exe} -m pip install debugpy`
    : facts.managed && facts.apt
      ? `${onHost && !ctx.root ? 'sudo ' : ''}apt-get install -y python3-debugpy`
      : `${exe} -m pip install debugpy`;
  if (onHost) {
    return {
      kind: 'unavailable',
      type,
      reason: `debugpy is not installed for ${ctx.interpreter} (${facts.executable}), the interpreter that runs ${ctx.service}`,
      fix: install,
    };
  }
  const line =
    facts.managed && facts.apt
      ? 'RUN apt-get update && apt-get install -y --no-install-recommends python3-debugpy'
      : `RUN ${install}`;
  return {
    kind: 'unavailable',
    type,
    reason: `debugpy is not installed in the image of ${ctx.service}${ctx.image ? ` (${ctx.image})` : ''} for ${facts.executable}`,
    fix: ctx.dockerfile
      ? `add \`${line}\` to ${ctx.dockerfile}`
      : `build the image from a Dockerfile \`FROM ${ctx.image ?? 'its image'}\` with \`${line}\``,
  };
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

// ---- the engine's call ------------------------------------------------------------------------

/**
 * `injectPlanned`, then for an inferred debugger the interpreter's answer: when it cannot run the
 * debugger, the service as written (no debugger) and why, with the fix. A debugger the file asks
 * for on the process runtime is checked too (the check runs the very interpreter the service will):
 * then the service fails with the same reason and fix, before anything starts.
 */
export async function injectChecked(
  plan: DebugPlan,
  service: ServiceSpec,
  ctx: { runtime: Runtime; project: ProjectSpec; artifact?: Artifact | undefined },
): Promise<PlannedInjection> {
  const planned = injectPlanned(plan, service, ctx.artifact?.config);
  const entry = plan.services[service.name];
  const asked = entry !== undefined && !entry.debug.inferred;
  if (!planned.endpoint || !planned.interpreter || !entry || (asked && plan.runtime !== 'process')) return planned;
  const facts = await askInterpreter(ctx.runtime, service, entry.debug.type, planned.interpreter, {
    project: ctx.project,
    ...(ctx.artifact ? { artifact: ctx.artifact } : {}),
  });
  if (!facts || facts.present) return planned;
  const image = ctx.artifact?.ref ?? service.image;
  const absent = unavailable(entry.debug.type, facts, {
    runtime: plan.runtime,
    service: service.name,
    interpreter: planned.interpreter,
    ...(service.build
      ? { dockerfile: shownPath(path.resolve(service.build.context, service.build.dockerfile), ctx.project.projectDir) }
      : {}),
    ...(image ? { image } : {}),
    root: process.getuid?.() === 0,
  });
  if (asked) {
    throw new RuntimeFailure(
      `debug.${entry.debug.type === 'python' ? 'debugpy' : 'inspector'}-missing`,
      absent.reason,
      {
        service: service.name,
        hint: `${absent.fix} (or \`x-devenv.debug: false\` to run it without)`,
      },
    );
  }
  // No log line: the engine warns once (a diagnostic with the fix), and the status keeps it.
  return { service, absent, notes: [] };
}

/** A path as a person finds it: relative to the project directory when inside it. */
function shownPath(file: string, projectDir: string): string {
  const rel = path.relative(projectDir, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

// ---- asking, with the image cache -------------------------------------------------------------

/** Answers (and questions in flight: services of one image share them) by image, for the daemon's life. */
const memory = new Map<string, Promise<InterpreterFacts | undefined>>();
const CACHE_ENTRIES = 200;

/** The interpreter's facts, or undefined when it could not be asked (then devenv injects as before). */
export async function askInterpreter(
  runtime: Runtime,
  service: ServiceSpec,
  type: DebugKind,
  interpreter: string,
  ctx: { project: ProjectSpec; artifact?: Artifact },
): Promise<InterpreterFacts | undefined> {
  if (!runtime.runOneOff) return undefined;
  const argv = checkArgv(type, interpreter);
  // Only an image's answer is fixed; its environment from the file is part of the question.
  const key =
    runtime.kind !== 'process' && ctx.artifact?.id
      ? JSON.stringify([ctx.artifact.id, argv, service.environment.PATH, service.environment.PYTHONPATH, service.user])
      : undefined;
  const ask = async (): Promise<InterpreterFacts | undefined> => {
    const cached = key ? readCache()[key] : undefined;
    if (cached) return cached;
    try {
      const r = await runtime.runOneOff!(service, argv, { ...ctx, timeoutMs: 15_000 });
      const facts = parseCheck(type, r.output);
      if (key && facts) writeCache(key, facts);
      return facts;
    } catch {
      return undefined; // cannot ask (the image cannot start that way): no verdict
    }
  };
  if (!key) return ask();
  let answer = memory.get(key);
  if (!answer) {
    answer = ask();
    memory.set(key, answer);
    // No verdict is not remembered: the next `up` asks again.
    void answer.then((facts) => {
      if (!facts) memory.delete(key);
    });
  }
  return answer;
}

function cacheFile(): string | undefined {
  return process.env.DEVENV_NO_CACHE === '1' ? undefined : path.join(devenvCacheDir(), 'debugger-checks.json');
}

function readCache(): Record<string, InterpreterFacts> {
  const file = cacheFile();
  if (!file) return {};
  try {
    const data = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, InterpreterFacts>) : {};
  } catch {
    return {};
  }
}

function writeCache(key: string, facts: InterpreterFacts): void {
  const file = cacheFile();
  if (!file) return;
  try {
    const entries = Object.entries({ ...readCache(), [key]: facts }).slice(-CACHE_ENTRIES);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(Object.fromEntries(entries)), { mode: 0o600 });
    renameSync(tmp, file);
  } catch {
    // A cache that cannot be written only costs the next `up` one more check.
  }
}
