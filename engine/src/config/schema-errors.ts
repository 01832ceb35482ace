// Turns ajv's errors into Problems a person can act on: each one placed on the YAML key or value
// it is about (ajv's instancePath walked through the ConfigNode tree) and phrased in Compose terms
// ("`ports[0]` in service `web` must be a string or number like \"8000:8000\"").
//
// `oneOf` is where raw ajv output is unreadable (every branch reports its own failure). We pick the
// branch whose JSON type matches the value and re-validate against that branch alone; when no
// branch has the right type, one type error lists the accepted forms.

import type { ErrorObject } from 'ajv';
import type { SourceLocation } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import {
  DEBUG_KINDS,
  followRef,
  pointerOf,
  RUNTIMES,
  validateAgainstSchema,
  validateAgainstSubschema,
  WATCH_ACTIONS,
} from './compose-schema.js';
import { type ConfigNode, locate, parsePointer } from './config-node.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import { closest, didYouMean } from './edit-distance.js';

type JsonType = 'null' | 'boolean' | 'integer' | 'number' | 'string' | 'array' | 'object';

interface Issue {
  keyword: string;
  path: string[];
  params: Record<string, unknown>;
  data: unknown;
  message: string;
  /** Allowed property names, for did-you-mean on unknown keys. */
  knownKeys?: string[];
  /** Accepted JSON types, for type errors. */
  expected?: JsonType[];
  allowed?: unknown[];
}

/** Validates a document and returns its schema problems, located in `root`. */
export function schemaDiagnostics(document: unknown, root: ConfigNode): ConfigDiagnostic[] {
  const issues = collectIssues(validateAgainstSchema(document), [], 0);
  const seen = new Set<string>();
  const out: ConfigDiagnostic[] = [];
  for (const issue of issues) {
    const d = toDiagnostic(issue, root);
    const key = `${d.code}|${d.location?.line}:${d.location?.col}|${d.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out.sort(
    (a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.col ?? 0) - (b.location?.col ?? 0),
  );
}

function jsonType(value: unknown): JsonType {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string') return 'string';
  return 'object';
}

function typesOf(schema: Record<string, unknown> | undefined): JsonType[] | undefined {
  if (!schema) return undefined;
  const t = schema.type;
  if (typeof t === 'string') return [t as JsonType];
  if (Array.isArray(t)) return t as JsonType[];
  if ('const' in schema) return [jsonType(schema.const)];
  if (Array.isArray(schema.enum)) return [...new Set(schema.enum.map(jsonType))];
  if (schema.properties || schema.patternProperties || schema.required) return ['object'];
  if (schema.items) return ['array'];
  return undefined;
}

function accepts(types: JsonType[] | undefined, actual: JsonType): boolean {
  if (!types) return true;
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

function under(error: ErrorObject, path: string): boolean {
  return error.instancePath === path || error.instancePath.startsWith(`${path}/`);
}

function collectIssues(errors: ErrorObject[], base: string[], depth: number): Issue[] {
  const oneOfs = errors.filter((e) => e.keyword === 'oneOf');
  const outermost = new Map<string, ErrorObject>();
  for (const o of oneOfs) {
    const enclosed = oneOfs.some((other) => other.instancePath !== o.instancePath && under(o, other.instancePath));
    if (!enclosed) outermost.set(o.instancePath, o);
  }
  const issues: Issue[] = [];
  for (const e of errors) {
    if (e.keyword === 'oneOf' || oneOfs.some((o) => under(e, o.instancePath))) continue;
    issues.push(toIssue(e, base));
  }
  for (const o of outermost.values()) issues.push(...resolveOneOf(o, base, depth));
  return issues;
}

function toIssue(e: ErrorObject, base: string[]): Issue {
  const issue: Issue = {
    keyword: e.keyword,
    path: [...base, ...parsePointer(e.instancePath)],
    params: e.params as Record<string, unknown>,
    data: e.data,
    message: e.message ?? 'is invalid',
  };
  const parent = e.parentSchema as Record<string, unknown> | undefined;
  if (e.keyword === 'additionalProperties' && parent?.properties) {
    issue.knownKeys = Object.keys(parent.properties as object);
  }
  if (e.keyword === 'type') {
    const t = (e.params as { type: string | string[] }).type;
    issue.expected = (Array.isArray(t) ? t : String(t).split(',')) as JsonType[];
  }
  if (e.keyword === 'enum') issue.allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
  return issue;
}

function resolveOneOf(o: ErrorObject, base: string[], depth: number): Issue[] {
  const path = [...base, ...parsePointer(o.instancePath)];
  const branches = (Array.isArray(o.schema) ? o.schema : []) as Record<string, unknown>[];
  const actual = jsonType(o.data);
  const typed = branches.map((b, i) => ({ i, types: typesOf(followRef(b)) }));
  const candidates = typed.filter((b) => accepts(b.types, actual));
  if (candidates.length === 0 || depth > 8) {
    const expected = [...new Set(typed.flatMap((b) => b.types ?? []))];
    return [{ keyword: 'type', path, params: {}, data: o.data, message: 'has the wrong type', expected }];
  }
  let best: Issue[] | undefined;
  for (const candidate of candidates) {
    const pointer = pointerOf(branches[candidate.i]);
    if (!pointer) continue;
    const errors = validateAgainstSubschema(pointer, o.data);
    if (errors.length === 0) continue;
    const issues = collectIssues(errors, path, depth + 1);
    if (!best || issues.length < best.length) best = issues;
  }
  return best ?? [{ keyword: 'oneOf', path, params: {}, data: o.data, message: 'matches more than one accepted form' }];
}

// ---- wording -------------------------------------------------------------------------------

const GROUPS: Record<string, string> = {
  services: 'service',
  volumes: 'volume',
  networks: 'network',
  secrets: 'secret',
  configs: 'config',
};

function relative(segments: readonly string[]): string {
  return segments.map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** "`ports[0]` in service `web`", "service `web`", "`x-devenv.runtime`". */
export function describePath(segments: readonly string[]): string {
  const [group, name, ...rest] = segments;
  const kind = group === undefined ? undefined : GROUPS[group];
  if (kind && name !== undefined) {
    return rest.length === 0 ? `${kind} \`${name}\`` : `\`${relative(rest)}\` in ${kind} \`${name}\``;
  }
  return segments.length === 0 ? 'the top level' : `\`${relative(segments)}\``;
}

/** Path inside a service, with indices as `*`: `ports.*`, `develop.watch.*.action`. */
function servicePattern(segments: readonly string[]): string | undefined {
  if (segments[0] !== 'services' || segments.length < 3) return undefined;
  return segments
    .slice(2)
    .map((s) => (/^\d+$/.test(s) ? '*' : s))
    .join('.');
}

const FORMS: Record<string, string> = {
  ports: 'a list like ["8000:8000"]',
  'ports.*': 'a string or number like "8000:8000", or a mapping with `target` and `published`',
  environment: 'a mapping (`KEY: value`) or a list of "KEY=value" strings',
  labels: 'a mapping (`key: value`) or a list of "key=value" strings',
  'build.args': 'a mapping (`NAME: value`) or a list of "NAME=value" strings',
  volumes: 'a list like ["./src:/app/src"]',
  'volumes.*': 'a string like "./src:/app/src" or a mapping with `type`, `source` and `target`',
  depends_on: 'a list of service names or a mapping like `db: {condition: service_healthy}`',
  command: 'a string or a list of strings',
  entrypoint: 'a string or a list of strings',
  'healthcheck.test': 'a string or a list like ["CMD", "curl", "-f", "http://localhost"]',
  build: 'a path like "./backend" or a mapping with `context`',
  env_file: 'a path or a list of paths',
  profiles: 'a list of profile names',
  networks: 'a list of network names or a mapping of network names',
  healthcheck: 'a mapping with `test`, `interval`, `timeout`, `retries`',
  'develop.watch': 'a list of watch rules (`- path: ./src` with `action: sync`)',
  'x-devenv.process.command': 'a string or a list of strings',
  'x-devenv.process.env': 'a mapping (`KEY: value`) or a list of "KEY=value" strings',
};

const TOP_FORMS: Record<string, string> = {
  services: 'a mapping of service names to service definitions',
  volumes: 'a mapping of volume names',
  networks: 'a mapping of network names',
  'x-devenv': 'a mapping (see docs/config.md)',
};

const TYPE_WORDS: Record<JsonType, string> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  null: 'empty',
};

function expectedText(types: readonly JsonType[]): string {
  const words = [
    ...new Set(types.filter((t) => !(t === 'integer' && types.includes('number'))).map((t) => TYPE_WORDS[t])),
  ];
  if (words.length <= 1) return words[0] ?? 'something else';
  return `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`;
}

function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}

function typeHint(issue: Issue, key: string | undefined): string {
  const expected = issue.expected ?? [];
  const actual = jsonType(issue.data);
  if (expected.includes('string') && (actual === 'integer' || actual === 'number' || actual === 'boolean')) {
    return `quote the value: \`${key ?? 'key'}: "${String(issue.data)}"\``;
  }
  if (expected.includes('array') && !expected.includes('object') && actual === 'object') {
    return 'write it as a list: each entry on its own line starting with `- `, e.g. `- "8000:8000"`';
  }
  if (expected.includes('array') && actual === 'string')
    return 'write it as a list: each entry on its own line starting with `- `';
  if (expected.includes('object') && actual === 'array')
    return 'write it as a mapping of `key: value` lines (without `- `)';
  if (actual === 'null') return 'give it a value, or remove the key';
  if ((actual === 'array' || actual === 'object') && !expected.includes('array') && !expected.includes('object')) {
    return `give a single value, not ${actual === 'array' ? 'a list' : 'a mapping'}`;
  }
  if (expected.includes('object') && expected.includes('array')) {
    return 'write `key: value` lines indented below the key, or a list of "key=value" entries';
  }
  if (expected.includes('object')) return 'write `key: value` lines indented below the key';
  if (expected.includes('boolean')) return 'use `true` or `false` (unquoted)';
  if (expected.includes('integer') || expected.includes('number')) return 'use a number without quotes';
  return 'see docs/config.md for the accepted forms';
}

interface Placed {
  code: string;
  message: string;
  hint: string;
  location: SourceLocation;
}

function place(root: ConfigNode, segments: readonly string[], onKey: boolean): SourceLocation {
  const found = locate(root, segments);
  if (onKey && found.keyLoc) return found.keyLoc;
  return (found.node ?? found.nearest).loc;
}

function toDiagnostic(issue: Issue, root: ConfigNode): ConfigDiagnostic {
  const placed = describeIssue(issue, root);
  const override = specialise(issue, placed);
  return { severity: 'error', ...override };
}

function describeIssue(issue: Issue, root: ConfigNode): Placed {
  const { path } = issue;
  const subject = describePath(path);
  const lastKey = [...path].reverse().find((s) => !/^\d+$/.test(s));
  switch (issue.keyword) {
    case 'additionalProperties': {
      const key = String(issue.params.additionalProperty);
      const location = place(root, [...path, key], true);
      if (path.length === 1 && GROUPS[path[0] as string]) {
        const kind = GROUPS[path[0] as string];
        return {
          code: ConfigCode.invalidName,
          message: `${kind} name \`${key}\` is not valid`,
          hint: `use only letters, digits, \`.\`, \`_\` and \`-\`, e.g. \`${key.replace(/[^a-zA-Z0-9._-]+/g, '-')}\``,
          location,
        };
      }
      const suggestion = didYouMean(key, issue.knownKeys ?? []);
      return {
        code: ConfigCode.unknownKey,
        message: `unknown key \`${key}\` in ${describePath(path)}`,
        hint: suggestion ?? unknownKeyHint(key, path),
        location,
      };
    }
    case 'type': {
      const pattern = servicePattern(path);
      const form = (pattern && FORMS[pattern]) || (path.length === 1 ? TOP_FORMS[path[0] as string] : undefined);
      const expected = form ?? expectedText(issue.expected ?? []);
      return {
        code: ConfigCode.invalidType,
        message: `${subject} must be ${expected}, not ${shown(issue.data)}`,
        hint: typeHint(issue, lastKey),
        location: place(root, path, false),
      };
    }
    case 'enum': {
      const allowed = (issue.allowed ?? []).map(String);
      const suggestion = typeof issue.data === 'string' ? closest(issue.data, allowed) : undefined;
      return {
        code: ConfigCode.invalidValue,
        message: `${subject} must be one of ${allowed.map((a) => `\`${a}\``).join(', ')}, not ${shown(issue.data)}`,
        hint: suggestion ? `did you mean \`${suggestion}\`?` : `use one of: ${allowed.join(', ')}`,
        location: place(root, path, false),
      };
    }
    case 'required': {
      const missing = String(issue.params.missingProperty);
      return {
        code: ConfigCode.missingKey,
        message: `${subject} is missing the required key \`${missing}\``,
        hint: requiredHint(missing, path),
        location: place(root, path, true),
      };
    }
    case 'uniqueItems': {
      const j = String(issue.params.j);
      const value = locate(root, [...path, j]).node;
      return {
        code: ConfigCode.duplicateItem,
        message: `${subject} lists the same entry twice${value?.kind === 'scalar' ? ` (${shown(value.value)})` : ''}`,
        hint: 'remove the duplicate entry',
        location: place(root, [...path, j], false),
      };
    }
    case 'const':
      return {
        code: ConfigCode.invalidValue,
        message: `${subject} must be ${shown(issue.params.allowedValue)}, not ${shown(issue.data)}`,
        hint: `use ${shown(issue.params.allowedValue)}`,
        location: place(root, path, false),
      };
    case 'minimum':
    case 'maximum':
      return {
        code: ConfigCode.invalidValue,
        message: `${subject} ${issue.message}, got ${shown(issue.data)}`,
        hint: lastKey?.includes('port')
          ? 'use a port between 1 and 65535'
          : `use a value ${issue.message.replace(/^must be /, '')}`,
        location: place(root, path, false),
      };
    default:
      return {
        code: ConfigCode.invalidValue,
        message: `${subject} ${issue.message}`,
        hint: 'see docs/config.md for the accepted forms',
        location: place(root, path, false),
      };
  }
}

const SERVICE_KEYS = new Set([
  'image',
  'build',
  'ports',
  'environment',
  'volumes',
  'command',
  'depends_on',
  'healthcheck',
]);

function unknownKeyHint(key: string, path: readonly string[]): string {
  if (path.length === 0 && SERVICE_KEYS.has(key)) {
    return `\`${key}\` is a service setting: indent it under a service in \`services:\``;
  }
  if (path.length === 0) return 'remove it, or prefix custom top-level keys with `x-`';
  if (path.includes('x-devenv')) return 'see docs/config.md for the keys `x-devenv` accepts';
  return 'remove it, or prefix custom keys with `x-`';
}

const REQUIRED_HINTS: Record<string, string> = {
  path: 'add `path:` with the host directory or file to watch, e.g. `path: ./src`',
  action: `add \`action:\` with one of ${WATCH_ACTIONS.join(', ')}`,
  command: 'add `command:` with the program to run, as a string or a list',
  type: 'add `type:`',
  service: 'add `service:` with the name of the service to extend',
  condition: 'add `condition:` (service_started, service_healthy or service_completed_successfully)',
};

function requiredHint(missing: string, path: readonly string[]): string {
  if (missing === 'type' && path.includes('debug')) return `add \`type:\` with one of ${DEBUG_KINDS.join(', ')}`;
  if (missing === 'type' && path.includes('healthcheck')) return 'add `type:` with one of command, http, tcp';
  if (missing === 'type' && path.includes('volumes')) return 'add `type:` with one of volume, bind, tmpfs';
  return REQUIRED_HINTS[missing] ?? `add \`${missing}:\``;
}

/** Path-specific codes and wording for the `x-devenv` and `develop` extensions. */
function specialise(issue: Issue, placed: Placed): Placed {
  const pattern = servicePattern(issue.path) ?? '';
  if (pattern === 'x-devenv.debug' || pattern.startsWith('x-devenv.debug.')) {
    const typo = typeof issue.data === 'string' ? closest(issue.data, DEBUG_KINDS) : undefined;
    if (pattern === 'x-devenv.debug' && issue.data === true) {
      return {
        ...placed,
        code: ConfigCode.invalidDebug,
        message: `\`x-devenv.debug\` in service \`${issue.path[1]}\` cannot be \`true\`: devenv needs to know which debugger`,
        hint: 'write `debug: python` or `debug: node`, or leave `debug` out to infer it from the command',
      };
    }
    const wrongForm =
      pattern === 'x-devenv.debug' &&
      (issue.keyword === 'type' || issue.keyword === 'enum' || issue.keyword === 'const');
    return {
      ...placed,
      code: ConfigCode.invalidDebug,
      hint: typo
        ? `did you mean \`${typo}\`?`
        : wrongForm
          ? 'use `python`, `node`, `false`, or a mapping like `{type: python, port: 5678, wait: true}`'
          : placed.hint,
    };
  }
  if (pattern === 'pull_policy' && issue.keyword === 'pattern') {
    return {
      ...placed,
      code: ConfigCode.invalidPullPolicy,
      message: `\`pull_policy\` in service \`${issue.path[1]}\` is ${shown(issue.data)}, which is not a pull policy`,
      hint: 'use `always`, `never`, `missing`, `build`, `daily`, `weekly`, `every_12h` or `refresh`',
    };
  }
  if (pattern === 'develop.watch.*.action' && issue.keyword !== 'required') {
    return { ...placed, code: ConfigCode.invalidWatchAction };
  }
  if (issue.path.length === 2 && issue.path[0] === 'x-devenv' && issue.path[1] === 'runtime') {
    return {
      ...placed,
      code: ConfigCode.invalidRuntime,
      hint:
        typeof issue.data === 'string' && closest(issue.data, RUNTIMES)
          ? `did you mean \`${closest(issue.data, RUNTIMES)}\`?`
          : `use one of: ${RUNTIMES.join(', ')}`,
    };
  }
  return placed;
}
