// Validates kind and k3d cluster configs against JSON schemas devenv wrote from their documented
// fields (schemas/*.json). Used by tests and before a config is handed to the CLI, so a mistake
// is reported with its path instead of as a kind/k3d stack trace.

import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

// createRequire rather than an import attribute: `with { type: 'json' }` needs Node ≥ 20.10.
const require = createRequire(import.meta.url);
const kindSchema = require('./schemas/kind-cluster-v1alpha4.schema.json') as object;
const k3dSchema = require('./schemas/k3d-simple-v1alpha5.schema.json') as object;

let validators: { kind: ValidateFunction; k3d: ValidateFunction } | undefined;

function load(): { kind: ValidateFunction; k3d: ValidateFunction } {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true, strictTuples: false, logger: false });
    validators = { kind: ajv.compile(kindSchema), k3d: ajv.compile(k3dSchema) };
  }
  return validators;
}

/** Problems as `path: message` lines; empty when the config is valid. */
export function validateClusterConfig(provider: 'kind' | 'k3d', config: unknown): string[] {
  const validate = load()[provider];
  if (validate(config)) return [];
  return (validate.errors ?? []).map((e) => {
    const extra = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${extra}`;
  });
}
