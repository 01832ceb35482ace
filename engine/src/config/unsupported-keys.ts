// Compose keys that are valid but that devenv does not carry into its model, so no runtime would
// honour them (`deploy`, `secrets`, `privileged`, …). They are never silently dropped: the loader
// reports them, as one warning listing each with its position (or one per key for an editor).

import { relative } from 'node:path';
import type { SourceLocation } from '../model/spec.js';
import { ConfigCode } from './codes.js';
import { type ConfigNode, child, isMap, isSeq, type MapNode, text } from './config-node.js';
import type { ConfigDiagnostic } from './diagnostics.js';
import { describePath } from './schema-errors.js';

const SUPPORTED = {
  top: new Set(['version', 'name', 'services', 'volumes', 'networks']),
  service: new Set([
    'image',
    'build',
    'command',
    'entrypoint',
    'environment',
    'env_file',
    'ports',
    'volumes',
    'tmpfs',
    'depends_on',
    'healthcheck',
    'restart',
    'working_dir',
    'user',
    'labels',
    'networks',
    'profiles',
    'tty',
    'stdin_open',
    'stop_signal',
    'stop_grace_period',
    'develop',
    'extends',
  ]),
  build: new Set(['context', 'dockerfile', 'args', 'target']),
  healthcheck: new Set(['test', 'interval', 'timeout', 'retries', 'start_period', 'start_interval', 'disable']),
  dependsOn: new Set(['condition', 'required', 'restart']),
  port: new Set(['target', 'published', 'host_ip', 'protocol']),
  mount: new Set(['type', 'source', 'target', 'read_only']),
  envFile: new Set(['path', 'required']),
  watch: new Set(['path', 'action', 'target', 'ignore', 'initial_sync', 'exec']),
  exec: new Set(['command', 'user', 'working_dir']),
  volume: new Set(['driver', 'external', 'labels']),
  network: new Set(['driver', 'external']),
} satisfies Record<string, ReadonlySet<string>>;

export interface UnsupportedKey {
  /** Document path, e.g. ['services', 'web', 'deploy']. */
  path: string[];
  location: SourceLocation;
}

/** Every key devenv ignores, in document order. */
export function findUnsupportedKeys(root: MapNode): UnsupportedKey[] {
  const found: UnsupportedKey[] = [];
  const scan = (node: ConfigNode | undefined, path: string[], supported: ReadonlySet<string>) => {
    if (!isMap(node)) return;
    for (const [key, entry] of node.entries) {
      if (key.startsWith('x-') || supported.has(key)) continue;
      found.push({ path: [...path, key], location: entry.keyLoc });
    }
  };
  const items = (node: ConfigNode | undefined) => (isSeq(node) ? node.items.entries() : [].entries());

  scan(root, [], SUPPORTED.top);
  const services = child(root, 'services');
  for (const [name, entry] of isMap(services) ? services.entries : []) {
    const s = entry.value;
    const at = ['services', name];
    scan(s, at, SUPPORTED.service);
    scan(child(s, 'build'), [...at, 'build'], SUPPORTED.build);
    scan(child(s, 'healthcheck'), [...at, 'healthcheck'], SUPPORTED.healthcheck);
    const dependsOn = child(s, 'depends_on');
    for (const [dep, d] of isMap(dependsOn) ? dependsOn.entries : []) {
      scan(d.value, [...at, 'depends_on', dep], SUPPORTED.dependsOn);
    }
    for (const [i, port] of items(child(s, 'ports'))) scan(port, [...at, 'ports', String(i)], SUPPORTED.port);
    for (const [i, mount] of items(child(s, 'volumes'))) {
      scan(mount, [...at, 'volumes', String(i)], SUPPORTED.mount);
      const type = child(mount, 'type');
      const t = text(type);
      if (type && t !== undefined && !['volume', 'bind', 'tmpfs'].includes(t)) {
        found.push({ path: [...at, 'volumes', String(i), `type: ${t}`], location: type.loc });
      }
    }
    for (const [i, file] of items(child(s, 'env_file'))) scan(file, [...at, 'env_file', String(i)], SUPPORTED.envFile);
    const networks = child(s, 'networks');
    for (const [net, n] of isMap(networks) ? networks.entries : []) scan(n.value, [...at, 'networks', net], new Set());
    for (const [i, rule] of items(child(child(s, 'develop'), 'watch'))) {
      const rulePath = [...at, 'develop', 'watch', String(i)];
      scan(rule, rulePath, SUPPORTED.watch);
      scan(child(rule, 'exec'), [...rulePath, 'exec'], SUPPORTED.exec);
    }
  }
  for (const [group, kind] of [
    ['volumes', 'volume'],
    ['networks', 'network'],
  ] as const) {
    const declared = child(root, group);
    for (const [name, entry] of isMap(declared) ? declared.entries : []) {
      scan(entry.value, [group, name], SUPPORTED[kind]);
    }
  }
  return found;
}

function describeKey(path: readonly string[]): string {
  return describePath(path);
}

const HINT =
  'devenv runs the service as if these keys were absent; remove them, or keep them for `docker compose` (docs/config.md lists what devenv ignores)';

/** One warning that lists every ignored key with its position. */
export function unsupportedWarning(keys: readonly UnsupportedKey[], projectDir: string): ConfigDiagnostic | undefined {
  const first = keys[0];
  if (!first) return undefined;
  const at = (loc: SourceLocation) => {
    const rel = relative(projectDir, loc.file);
    return `${rel.startsWith('..') ? loc.file : rel}:${loc.line}:${loc.col}`;
  };
  const list = keys.map((k) => `${describeKey(k.path)} (${at(k.location)})`).join('; ');
  return {
    severity: 'warning',
    code: ConfigCode.unsupportedKey,
    message: `devenv does not support ${keys.length === 1 ? 'this Compose key' : `these ${keys.length} Compose keys`} yet and ignores ${keys.length === 1 ? 'it' : 'them'}: ${list}`,
    location: first.location,
    hint: HINT,
  };
}

/** One warning per key, for an editor that underlines each. */
export function unsupportedWarnings(keys: readonly UnsupportedKey[]): ConfigDiagnostic[] {
  return keys.map((k) => ({
    severity: 'warning',
    code: ConfigCode.unsupportedKey,
    message: `devenv does not support ${describeKey(k.path)} yet and ignores it`,
    location: k.location,
    hint: HINT,
  }));
}
