// Which Compose keys a document uses, and what the key table (compose-keys.ts) says about each on
// a runtime. The loader reports the keys whose state is the same on every runtime (`models` is
// refused everywhere, `deploy.placement` warned everywhere); the daemon, once it knows the
// runtime (and the Docker engine's API version), reports the rest with runtimeKeyProblems().

import { relative } from 'node:path';
import type { RuntimeKind, SourceLocation } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { KEY_PREFIXES, type KeyRow, type KeyState, keyRow, RUNTIME_LABEL } from './compose-keys.js';
import { type ConfigNode, isMap, isSeq, type MapNode, toPlain } from './config-node.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import { describePath } from './schema-errors.js';

export interface KeyUse {
  /** The table row's key, e.g. `services.*.cap_add`. */
  pattern: string;
  /** The concrete path, e.g. ['services', 'web', 'cap_add']. */
  path: string[];
  location: SourceLocation;
  /** The key's value as plain data. */
  value: unknown;
}

/** Every key of the table the document uses, in document order; `x-` keys are not Compose's. */
export function findKeyUses(root: MapNode): KeyUse[] {
  const uses: KeyUse[] = [];
  const walk = (node: ConfigNode, path: string[], pattern: string) => {
    if (isSeq(node)) {
      const items = pattern === '' ? '*' : `${pattern}.*`;
      if (!KEY_PREFIXES.has(items)) return;
      for (const [i, item] of node.items.entries()) walk(item, [...path, String(i)], items);
      return;
    }
    if (!isMap(node)) return;
    for (const [key, entry] of node.entries) {
      if (key.startsWith('x-')) continue;
      const named = pattern === '' ? key : `${pattern}.${key}`;
      if (KEY_PREFIXES.has(named)) {
        const row = keyRow(named);
        if (row)
          uses.push({ pattern: named, path: [...path, key], location: entry.keyLoc, value: toPlain(entry.value) });
        if (!row?.subtree) walk(entry.value, [...path, key], named);
        continue;
      }
      // A name (a service, a network, a secret…), not a key: its value holds keys.
      const name = pattern === '' ? '*' : `${pattern}.*`;
      if (KEY_PREFIXES.has(name)) walk(entry.value, [...path, key], name);
    }
  };
  walk(root, [], '');
  return uses;
}

/** True when every runtime puts the key in the same state (it is reported while loading). */
export function sameOnEveryRuntime(row: KeyRow): boolean {
  const kinds = [row.docker, row.process, row.kubernetes].map((s) => JSON.stringify(s));
  return kinds[0] === kinds[1] && kinds[1] === kinds[2] && !row.refuseWhen;
}

export interface KeyProblem {
  use: KeyUse;
  severity: 'error' | 'warning';
  code: string;
  message: string;
  hint: string;
}

function subject(use: KeyUse): string {
  return describePath(use.path);
}

function problemFor(use: KeyUse, state: KeyState, runtime: RuntimeKind | undefined): KeyProblem | undefined {
  const on = runtime ? ` on ${RUNTIME_LABEL[runtime]}` : '';
  if (state.state === 'refused') {
    return {
      use,
      severity: 'error',
      code: ConfigCode.refusedKey,
      message: `${subject(use)} cannot be honoured${on}: ${state.why}`,
      hint: state.fix,
    };
  }
  if (state.state === 'warned') {
    return {
      use,
      severity: 'warning',
      code: use.pattern === 'version' ? ConfigCode.versionObsolete : ConfigCode.noEffect,
      message: `${subject(use)} has no effect${on}: ${state.why}`,
      hint:
        use.pattern === 'version'
          ? 'remove the `version:` line (the Compose spec has no versions)'
          : 'nothing to do: the service runs as it would with the key; remove it to silence this warning',
    };
  }
  return undefined;
}

/** Keys in the same state on every runtime: refused everywhere (errors) or warned everywhere. */
export function runtimeIndependentProblems(uses: readonly KeyUse[]): KeyProblem[] {
  const out: KeyProblem[] = [];
  for (const use of uses) {
    const row = keyRow(use.pattern);
    if (!row || !sameOnEveryRuntime(row)) continue;
    const problem = problemFor(use, row.docker, undefined);
    if (problem) out.push(problem);
  }
  return out;
}

export interface RuntimeTarget {
  kind: RuntimeKind;
  /** The Docker engine's API version (`1.41`), when known: keys needing a newer one are refused. */
  dockerApi?: string;
}

/** Keys whose state depends on the runtime, on this one (and the engine's API version). */
export function runtimeKeyProblems(uses: readonly KeyUse[], target: RuntimeTarget): KeyProblem[] {
  const out: KeyProblem[] = [];
  for (const use of uses) {
    const row = keyRow(use.pattern);
    if (!row) continue;
    const state = row[target.kind];
    const when = row.refuseWhen;
    if (when && when.runtime === target.kind && when.test(use.value)) {
      out.push({
        use,
        severity: 'error',
        code: ConfigCode.refusedKey,
        message: `${subject(use)} cannot be ${JSON.stringify(use.value)} on ${RUNTIME_LABEL[target.kind]}: ${when.why}`,
        hint: when.fix,
      });
      continue;
    }
    if (sameOnEveryRuntime(row)) continue;
    if (state.state === 'honoured' && state.minApi && target.dockerApi && olderApi(target.dockerApi, state.minApi)) {
      out.push({
        use,
        severity: 'error',
        code: ConfigCode.refusedKey,
        message: `${subject(use)} needs Docker Engine API ${state.minApi} or newer; this engine speaks ${target.dockerApi}`,
        hint: 'upgrade the Docker engine, or remove the key',
      });
      continue;
    }
    const problem = problemFor(use, state, target.kind);
    if (problem) out.push(problem);
  }
  return out;
}

function olderApi(actual: string, wanted: string): boolean {
  const [a1 = 0, a2 = 0] = actual.split('.').map(Number);
  const [w1 = 0, w2 = 0] = wanted.split('.').map(Number);
  return a1 < w1 || (a1 === w1 && a2 < w2);
}

/** Only the uses that concern what runs: keys of services that are not active are left alone. */
export function activeUses(uses: readonly KeyUse[], active: ReadonlySet<string>): KeyUse[] {
  return uses.filter((u) => u.path[0] !== 'services' || u.path.length < 2 || active.has(u.path[1] as string));
}

function at(loc: SourceLocation, projectDir: string): string {
  const rel = relative(projectDir, loc.file);
  return `${rel.startsWith('..') ? loc.file : rel}:${loc.line}:${loc.col}`;
}

/**
 * As diagnostics: each error on its own; the warnings as one that lists every key with its
 * position (a terminal), or one per key (`perKey`, an editor that underlines each).
 */
export function keyDiagnostics(
  problems: readonly KeyProblem[],
  opts: { projectDir: string; perKey?: boolean },
): ConfigDiagnostic[] {
  const out: ConfigDiagnostic[] = [];
  const warnings = problems.filter((p) => p.severity === 'warning' && p.code === ConfigCode.noEffect);
  for (const p of problems) {
    if (p.severity === 'warning' && p.code === ConfigCode.noEffect && !opts.perKey) continue;
    out.push({ severity: p.severity, code: p.code, message: p.message, location: p.use.location, hint: p.hint });
  }
  const first = warnings[0];
  if (first && !opts.perKey) {
    const list = warnings.map((w) => `${w.message} (${at(w.use.location, opts.projectDir)})`).join('; ');
    out.push({
      severity: 'warning',
      code: ConfigCode.noEffect,
      message:
        warnings.length === 1
          ? (first.message as string)
          : `${warnings.length} Compose keys have no effect here: ${list}`,
      location: first.use.location,
      hint: first.hint,
    });
  }
  return out;
}

/** The runtime a `--runtime` / `x-devenv.runtime` choice means, when it names one. */
export function runtimeKindOf(choice: string | undefined): RuntimeKind | undefined {
  if (choice === 'docker' || choice === 'process') return choice;
  if (choice === 'kind' || choice === 'k3d') return 'kubernetes';
  return undefined;
}

/**
 * What the runtime refuses (errors) and warns about among the keys a load found, as problems to
 * print or throw: the check `up` makes once it knows the runtime and the engine's API version.
 */
export function checkKeysForRuntime(
  uses: readonly KeyUse[],
  target: RuntimeTarget,
  projectDir: string,
): { errors: ConfigDiagnostic[]; warnings: ConfigDiagnostic[] } {
  const all = keyDiagnostics(runtimeKeyProblems(uses, target), { projectDir });
  return { errors: all.filter((d) => d.severity === 'error'), warnings: all.filter((d) => d.severity === 'warning') };
}
