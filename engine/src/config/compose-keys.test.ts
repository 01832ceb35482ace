import { describe, expect, it } from 'vitest';
import { COMPOSE_KEYS, keyRow } from './compose-keys.js';
import { specSchema } from './compose-schema.js';
import { findKeyUses, runtimeIndependentProblems, runtimeKeyProblems } from './key-uses.js';
import { parseYamlSource } from './yaml-source.js';

type Schema = Record<string, unknown>;

/**
 * Every key path the Compose specification's schema defines: `properties` add a key,
 * `patternProperties` (names) and `items` (list entries) add `*`; `$ref`s and `oneOf` branches
 * are followed. `x-` extension patterns are not Compose keys.
 */
function schemaKeys(): string[] {
  const root = specSchema();
  const definitions = root.definitions as Record<string, Schema>;
  const out = new Set<string>();
  const walk = (node: unknown, path: string, seen: ReadonlySet<string>) => {
    if (node === null || typeof node !== 'object') return;
    const s = node as Schema;
    if (typeof s.$ref === 'string') {
      const ref = s.$ref.split('/').at(-1) as string;
      if (seen.has(`${ref}@${path}`)) return;
      walk(definitions[ref], path, new Set([...seen, `${ref}@${path}`]));
      return;
    }
    for (const k of ['oneOf', 'anyOf', 'allOf'])
      for (const branch of (s[k] as unknown[]) ?? []) walk(branch, path, seen);
    for (const [key, sub] of Object.entries((s.properties as Record<string, unknown>) ?? {})) {
      const p = path ? `${path}.${key}` : key;
      out.add(p);
      walk(sub, p, seen);
    }
    for (const [pattern, sub] of Object.entries((s.patternProperties as Record<string, unknown>) ?? {})) {
      if (pattern === '^x-') continue;
      walk(sub, path ? `${path}.*` : '*', seen);
    }
    if (s.items && typeof s.items === 'object') walk(s.items, `${path}.*`, seen);
    if (s.additionalProperties && typeof s.additionalProperties === 'object')
      walk(s.additionalProperties, `${path}.*`, seen);
  };
  walk(root, '', new Set());
  return [...out].sort();
}

function coveredBy(key: string): string | undefined {
  const parts = key.split('.');
  for (let i = parts.length; i > 0; i--) {
    const prefix = parts.slice(0, i).join('.');
    const row = keyRow(prefix);
    if (row && (i === parts.length || row.subtree)) return prefix;
  }
  return undefined;
}

describe('the key table against the Compose specification', () => {
  const keys = schemaKeys();

  it('walks a schema of the expected size (the current specification: 92 service keys, 9 top-level)', () => {
    expect(keys.filter((k) => !k.includes('.'))).toHaveLength(9);
    expect(keys.filter((k) => /^services\.\*\.[^.]+$/.test(k))).toHaveLength(92);
  });

  it('covers every key of the schema, nested ones included', () => {
    expect(keys.filter((k) => coveredBy(k) === undefined)).toEqual([]);
  });

  it('has no row for a key the schema does not define', () => {
    const known = new Set(keys);
    expect(COMPOSE_KEYS.map((r) => r.key).filter((k) => !known.has(k))).toEqual([]);
  });

  it('has one row per key, and says why and what to do for every refusal and warning', () => {
    expect(new Set(COMPOSE_KEYS.map((r) => r.key)).size).toBe(COMPOSE_KEYS.length);
    for (const row of COMPOSE_KEYS) {
      for (const state of [row.docker, row.process, row.kubernetes]) {
        if (state.state === 'refused') {
          expect(state.why.length, row.key).toBeGreaterThan(10);
          expect(state.fix.length, row.key).toBeGreaterThan(5);
        }
        if (state.state === 'warned') expect(state.why.length, row.key).toBeGreaterThan(10);
      }
      // `replaced` means the process runtime's own section stands in: never on the other runtimes.
      expect(row.docker.state, row.key).not.toBe('replaced');
      expect(row.kubernetes.state, row.key).not.toBe('replaced');
    }
  });
});

describe('findKeyUses and the checks', () => {
  const root = (yaml: string) => {
    const parsed = parseYamlSource(yaml, '/p/compose.yaml');
    if (!parsed.root) throw new Error(JSON.stringify(parsed.diagnostics));
    return parsed.root;
  };

  it('finds keys under names and list entries, skips names, values and x- keys', () => {
    const uses = findKeyUses(
      root(`services:
  web:
    image: x
    environment: {NAME: v}
    networks:
      front: {aliases: [w]}
    ulimits: {nofile: {soft: 1, hard: 2}}
    x-devenv: {debug: false}
    secrets:
      - source: s
        mode: 0400
networks:
  front: {ipam: {config: [{subnet: 10.1.0.0/16}]}}
`),
    );
    expect(uses.map((u) => u.pattern)).toEqual([
      'services',
      'services.*.image',
      'services.*.environment',
      'services.*.networks',
      'services.*.networks.*.aliases',
      'services.*.ulimits',
      'services.*.secrets',
      'services.*.secrets.*.source',
      'services.*.secrets.*.mode',
      'networks',
      'networks.*.ipam',
      'networks.*.ipam.config',
      'networks.*.ipam.config.*.subnet',
    ]);
    expect(uses[4]).toMatchObject({
      path: ['services', 'web', 'networks', 'front', 'aliases'],
      location: { line: 6, col: 15 },
    });
  });

  it('reports keys in the same state everywhere while loading, the rest for the runtime', () => {
    const uses = findKeyUses(
      root('services:\n  web:\n    image: x\n    cap_add: [NET_ADMIN]\n    gpus: all\n    scale: 2\n'),
    );
    expect(runtimeIndependentProblems(uses).map((p) => [p.use.pattern, p.severity])).toEqual([
      ['services.*.gpus', 'error'],
    ]);
    expect(runtimeKeyProblems(uses, { kind: 'docker' })).toEqual([]);
    const onProcess = runtimeKeyProblems(uses, { kind: 'process' });
    expect(onProcess.map((p) => [p.use.pattern, p.code])).toEqual([
      ['services.*.cap_add', 'config.refused-key'],
      ['services.*.scale', 'config.refused-key'],
    ]);
    expect(onProcess[0]?.hint).toContain('devenv --runtime docker up');
    expect(onProcess[1]?.message).toContain('cannot be 2 on the process runtime');
  });

  it('refuses a key the Docker engine is too old for, naming both API versions', () => {
    const uses = findKeyUses(root('services:\n  web:\n    image: x\n    annotations: {a: b}\n'));
    expect(runtimeKeyProblems(uses, { kind: 'docker', dockerApi: '1.41' })).toMatchObject([
      { code: 'config.refused-key', message: expect.stringContaining('API 1.43 or newer; this engine speaks 1.41') },
    ]);
    expect(runtimeKeyProblems(uses, { kind: 'docker', dockerApi: '1.43' })).toEqual([]);
  });
});
