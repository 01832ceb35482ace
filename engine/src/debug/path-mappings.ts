// Local root ↔ remote root for a debug endpoint, so a breakpoint set in a local file lands in the
// file the service runs, and a stack frame points back at the local file. Sources, most specific
// first: `develop.watch` sync rules (path → target), bind mounts of directories (source → target),
// then the build context → the image's WORKDIR (from the image itself, or the Dockerfile's last
// WORKDIR). A bind-mounted file (a CA bundle, a config file) is no source tree: it is left out, or
// it would break clients that need one root pair every mapping agrees with (VS Code's node attach).

import { statSync } from 'node:fs';
import type { RuntimeKind, ServiceSpec } from '../model/spec.js';

export interface PathMapping {
  localRoot: string;
  remoteRoot: string;
}

export function debugPathMappings(
  service: ServiceSpec,
  opts: { runtime: RuntimeKind; workdir?: string | undefined },
): PathMapping[] {
  // A host process sees the same files as the editor: nothing to translate.
  if (opts.runtime === 'process') return [];
  const found: PathMapping[] = [];
  for (const rule of service.develop?.watch ?? []) {
    if (rule.action.startsWith('sync') && rule.target) found.push({ localRoot: rule.path, remoteRoot: rule.target });
  }
  for (const m of service.volumes) {
    if (m.type === 'bind' && m.source && !isFile(m.source)) found.push({ localRoot: m.source, remoteRoot: m.target });
  }
  if (service.build && opts.workdir) found.push({ localRoot: service.build.context, remoteRoot: opts.workdir });
  const seen = new Set<string>();
  const unique = found
    .map((m) => ({ localRoot: trimSlash(m.localRoot), remoteRoot: trimSlash(m.remoteRoot) }))
    .filter((m) => {
      if (seen.has(m.localRoot)) return false;
      seen.add(m.localRoot);
      return true;
    });
  // Longest local root first: debugpy and editors take the first mapping that matches.
  return unique.sort((a, b) => b.localRoot.length - a.localRoot.length || a.localRoot.localeCompare(b.localRoot));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The one mapping for clients that take a single pair (VS Code's node attach): the widest root. */
export function widestMapping(mappings: readonly PathMapping[]): PathMapping | undefined {
  return [...mappings].sort((a, b) => a.localRoot.length - b.localRoot.length)[0];
}

/**
 * The WORKDIR in effect at the end of the stage that is built (`target`, or the last stage): the
 * last WORKDIR instruction, relative ones resolved, `$VAR`/`${VAR}` from ARG defaults, build args
 * and ENV. A stage `FROM` an earlier stage inherits its WORKDIR. Undefined when no WORKDIR is set
 * (or its value cannot be resolved): the image's own default is then unknown.
 */
export function dockerfileWorkdir(
  text: string,
  opts: { target?: string | undefined; args?: Record<string, string> } = {},
): string | undefined {
  const lines = logicalLines(text);
  interface Stage {
    name?: string;
    workdir?: string;
    vars: Record<string, string>;
  }
  const stages: Stage[] = [];
  const globalArgs: Record<string, string> = {};
  let stage: Stage | undefined;
  for (const line of lines) {
    const m = /^(\w+)\s+(.*)$/s.exec(line);
    if (!m) continue;
    const instruction = m[1]!.toUpperCase();
    const rest = m[2]!.trim();
    if (instruction === 'FROM') {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?/i.exec(rest);
      const base = stages.find((s) => s.name !== undefined && s.name === from?.[1]?.toLowerCase());
      stage = {
        ...(from?.[2] ? { name: from[2].toLowerCase() } : {}),
        ...(base?.workdir ? { workdir: base.workdir } : {}),
        vars: { ...globalArgs, ...(base?.vars ?? {}) },
      };
      stages.push(stage);
      continue;
    }
    if (instruction === 'ARG') {
      const arg = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$/.exec(rest);
      if (!arg) continue;
      const value = opts.args?.[arg[1]!] ?? (arg[2] !== undefined ? unquote(arg[2]) : undefined);
      const into = stage ? stage.vars : globalArgs;
      if (value !== undefined) into[arg[1]!] = value;
      continue;
    }
    if (!stage) continue;
    if (instruction === 'ENV') {
      for (const [k, v] of envPairs(rest)) {
        const value = expand(v, stage.vars);
        if (value === undefined) delete stage.vars[k];
        else stage.vars[k] = value;
      }
    } else if (instruction === 'WORKDIR') {
      const expanded = expand(unquote(rest), stage.vars);
      if (expanded === undefined) {
        delete stage.workdir;
        continue;
      }
      stage.workdir = expanded.startsWith('/') ? normalise(expanded) : normalise(`${stage.workdir ?? '/'}/${expanded}`);
    }
  }
  const built = opts.target ? stages.find((s) => s.name === opts.target!.toLowerCase()) : stages[stages.length - 1];
  return built?.workdir;
}

function logicalLines(text: string): string[] {
  const out: string[] = [];
  let current = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (current === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue; // comment lines inside a continued instruction
    if (line.endsWith('\\')) current += `${line.slice(0, -1)} `;
    else {
      out.push(current + line);
      current = '';
    }
  }
  if (current) out.push(current);
  return out;
}

function envPairs(rest: string): [string, string][] {
  if (!rest.includes('=')) {
    const [k, ...v] = rest.split(/\s+/);
    return k ? [[k, v.join(' ')]] : [];
  }
  const pairs: [string, string][] = [];
  for (const m of rest.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g)) {
    pairs.push([m[1]!, unquote(m[2]!)]);
  }
  return pairs;
}

function unquote(v: string): string {
  const t = v.trim();
  if ((t.startsWith('"') && t.endsWith('"')) || (t.startsWith("'") && t.endsWith("'"))) return t.slice(1, -1);
  return t;
}

function expand(value: string, vars: Record<string, string>): string | undefined {
  let unresolved = false;
  const out = value.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (_, a, def, b) => {
      const name = (a ?? b) as string;
      const v = vars[name] ?? (def as string | undefined);
      if (v === undefined) unresolved = true;
      return v ?? '';
    },
  );
  return unresolved ? undefined : out;
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const p of path.split('/')) {
    if (p === '' || p === '.') continue;
    if (p === '..') parts.pop();
    else parts.push(p);
  }
  return `/${parts.join('/')}`;
}

function trimSlash(p: string): string {
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}
