// Compose volume syntax → MountSpec. Short form `[SOURCE:]TARGET[:MODE]`: a SOURCE that looks
// like a path (`.`, `/`, `~`) is a bind mount resolved to an absolute host path, anything else
// names a volume. The long form names its `type` explicitly.

import { homedir } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { MountSpec } from '../model/spec.js';
import { parseBoolean } from './units.js';

export interface MountProblem {
  message: string;
  hint: string;
  field?: 'source' | 'target' | 'type';
}

export type MountParse = { ok: true; mount: MountSpec } | { ok: false; problem: MountProblem };

const MODES = new Set([
  'ro',
  'rw',
  'z',
  'Z',
  'cached',
  'delegated',
  'consistent',
  'nocopy',
  'shared',
  'rshared',
  'slave',
  'rslave',
  'private',
  'rprivate',
]);

export function looksLikePath(source: string): boolean {
  return source === '.' || source === '..' || /^(\.{1,2}[/\\]|\/|~)/.test(source);
}

/** Absolute host path: `~` expands to the home directory, relative paths resolve against `baseDir`. */
export function hostPath(source: string, baseDir: string, home: string = homedir()): string {
  if (source === '~' || source.startsWith('~/')) return resolve(home, source.slice(2));
  return isAbsolute(source) ? resolve(source) : resolve(baseDir, source);
}

function fail(message: string, hint: string, field?: MountProblem['field']): MountParse {
  const problem: MountProblem = { message, hint };
  if (field) problem.field = field;
  return { ok: false, problem };
}

function checkTarget(target: string, original: string): MountParse | undefined {
  if (target === '')
    return fail(
      `\`${original}\` has no container path`,
      'write it like "./src:/app/src" or "data:/var/lib/data"',
      'target',
    );
  if (!target.startsWith('/')) {
    return fail(
      `container path \`${target}\` in \`${original}\` is not absolute`,
      `container paths start with \`/\`, e.g. \`/${target.replace(/^\.?\/*/, '')}\``,
      'target',
    );
  }
  return undefined;
}

export function parseVolumeString(input: string, baseDir: string, home?: string): MountParse {
  const original = input.trim();
  const parts = original.split(':');
  if (parts.length > 3)
    return fail(`\`${original}\` has too many \`:\` separators`, 'write it like "SOURCE:TARGET[:ro]"');
  if (parts.length === 1) {
    const bad = checkTarget(parts[0] as string, original);
    if (bad) return bad;
    return { ok: true, mount: { type: 'volume', target: parts[0] as string, readOnly: false } };
  }
  const [source, target, mode] = parts as [string, string, string | undefined];
  if (source === '')
    return fail(
      `\`${original}\` has an empty source`,
      'write a host path (./dir) or a volume name before the `:`',
      'source',
    );
  const bad = checkTarget(target, original);
  if (bad) return bad;
  const modes = mode === undefined ? [] : mode.split(',');
  const unknown = modes.find((m) => !MODES.has(m));
  if (unknown !== undefined) {
    return fail(
      `unknown volume mode \`${unknown}\` in \`${original}\``,
      'use `ro` (read-only) or `rw`, optionally with `z`/`Z`',
    );
  }
  const readOnly = modes.includes('ro');
  const selinux = modes.find((m) => m === 'z' || m === 'Z') as 'z' | 'Z' | undefined;
  const propagation = modes.find((m) => PROPAGATION.has(m));
  if (looksLikePath(source)) {
    // The short syntax creates a missing host directory, as Compose (and `docker run -v`) does.
    const mount: MountSpec = {
      type: 'bind',
      source: hostPath(source, baseDir, home),
      target,
      readOnly,
      createHostPath: true,
    };
    if (selinux) mount.selinux = selinux;
    if (propagation) mount.propagation = propagation;
    return { ok: true, mount };
  }
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(source)) {
    return fail(
      `\`${source}\` is neither a volume name nor a path`,
      `for a host directory write \`./${source}\`; volume names use letters, digits, \`_\`, \`.\` and \`-\``,
      'source',
    );
  }
  const mount: MountSpec = { type: 'volume', source, target, readOnly };
  if (modes.includes('nocopy')) mount.noCopy = true;
  return { ok: true, mount };
}

const PROPAGATION = new Set(['shared', 'rshared', 'slave', 'rslave', 'private', 'rprivate']);

export interface LongMount {
  type?: unknown;
  source?: unknown;
  target?: unknown;
  read_only?: unknown;
}

/** Long form; `type` is one of volume, bind, tmpfs (others are reported as unsupported by the caller). */
export function parseVolumeMapping(input: LongMount, baseDir: string, home?: string): MountParse {
  const type = String(input.type ?? '');
  if (type !== 'volume' && type !== 'bind' && type !== 'tmpfs') {
    return fail(`mount type \`${type}\` is not supported`, 'use `volume`, `bind` or `tmpfs`', 'type');
  }
  if (input.target === undefined || input.target === null || input.target === '') {
    return fail('mount has no `target`', 'add `target:` with the absolute container path', 'target');
  }
  const target = String(input.target);
  const bad = checkTarget(target, target);
  if (bad) return bad;
  const readOnly = parseBoolean(input.read_only) === true;
  const source = input.source === undefined || input.source === null ? undefined : String(input.source);
  if (type === 'bind') {
    if (!source)
      return fail('bind mount has no `source`', 'add `source:` with the host path, e.g. `source: ./src`', 'source');
    return { ok: true, mount: { type, source: hostPath(source, baseDir, home), target, readOnly } };
  }
  const mount: MountSpec = { type, target, readOnly };
  if (type === 'volume' && source) mount.source = source;
  return { ok: true, mount };
}
