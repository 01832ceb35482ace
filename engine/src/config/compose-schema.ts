// The Compose specification's JSON schema (draft-07), vendored in `compose-spec/` with its
// license and the commit it came from, plus devenv's own definitions for the service- and
// top-level `x-devenv` keys. The vendored file is never edited: devenv's additions are made to a
// copy in memory. Which keys devenv honours on which runtime is a separate table
// (compose-keys.ts); this schema only says what Compose itself accepts.

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Ajv as AjvClass, ErrorObject, ValidateFunction } from 'ajv';
import { defaultSchemaCacheFile, documentDigest, sourcesKey, ValidDocumentCache } from './schema-cache.js';

type Schema = Record<string, unknown>;

const require = createRequire(import.meta.url);

/** The vendored specification schema (see compose-spec/SOURCE.md). */
export const SPEC_SCHEMA_FILE = fileURLToPath(new URL('./compose-spec/compose-spec.json', import.meta.url));

const SCHEMA_ID = 'compose.json';
const listOrDict = { $ref: '#/definitions/list_or_dict' };
const command = { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };
const port = { type: 'integer', minimum: 1, maximum: 65535 };

export const WATCH_ACTIONS = ['sync', 'rebuild', 'sync+restart', 'sync+exec', 'restart'] as const;
export const RUNTIMES = ['auto', 'docker', 'process', 'kind', 'k3d'] as const;
export const DEBUG_KINDS = ['python', 'node'] as const;
export const PROBE_TYPES = ['command', 'http', 'tcp'] as const;

const devenvDefinitions: Record<string, Schema> = {
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
    properties: {
      runtime: { type: 'string', enum: [...RUNTIMES] },
      ci: { $ref: '#/definitions/devenv_ci' },
      metrics: {
        type: 'object',
        required: ['port'],
        properties: { port },
        additionalProperties: false,
      },
    },
    additionalProperties: false,
  },
  devenv_ci: {
    type: 'object',
    properties: {
      timeout: { type: 'string' },
      tests: { type: 'array', items: { $ref: '#/definitions/devenv_ci_test' } },
    },
    additionalProperties: false,
  },
  devenv_ci_test: {
    oneOf: [
      { type: 'string' },
      { type: 'array', items: { type: 'string' } },
      {
        type: 'object',
        required: ['command'],
        properties: {
          name: { type: 'string' },
          command,
          cwd: { type: 'string' },
          env: listOrDict,
          timeout: { type: 'string' },
        },
        additionalProperties: false,
      },
    ],
  },
};

function record(value: unknown): Schema {
  return value as Schema;
}

/** A fresh copy of the vendored specification schema, as published. */
export function specSchema(): Schema {
  // A literal path, so a bundler inlines the schema (the packed CLI has no compose-spec/ folder).
  const raw = record(JSON.parse(JSON.stringify(require('./compose-spec/compose-spec.json'))));
  // ajv would take these for base URIs of a remote meta-schema it does not have.
  delete raw.$schema;
  delete raw.$id;
  return raw;
}

/** The specification schema plus devenv's `x-devenv` definitions. */
export function composeSchema(): Schema {
  const schema = specSchema();
  Object.assign(record(schema.definitions), devenvDefinitions);
  record(schema.properties)['x-devenv'] = { $ref: '#/definitions/devenv_project' };
  const service = record(record(record(schema.definitions).service).properties);
  service['x-devenv'] = { $ref: '#/definitions/devenv_service' };
  return schema;
}

let compiled:
  | { ajv: AjvClass; validate: ValidateFunction; schema: Schema; pointers: WeakMap<object, string> }
  | undefined;
const branchValidators = new Map<string, ValidateFunction>();

function validator() {
  if (!compiled) {
    // verbose: errors carry the subschema and data, which schema-errors.ts needs to resolve oneOf.
    // strict off: the specification's schema uses annotations ajv's strict mode rejects
    // (`deprecated`, untyped `properties` beside `type` lists); values are checked by devenv's
    // own parsers with better messages. Loaded here, not at the top: a document the cache knows
    // never needs ajv at all.
    const { Ajv } = require('ajv') as typeof import('ajv');
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, logger: false });
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

/** What the digests of passed documents are keyed on: the vendored schema's and this module's bytes. */
export function schemaSourcesKey(): string | undefined {
  return sourcesKey([SPEC_SCHEMA_FILE, fileURLToPath(import.meta.url)]);
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
