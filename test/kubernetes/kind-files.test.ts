// The cluster configs committed under kind/clusters are what devenv generates, and valid.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterSpec } from '../../engine/src/runtimes/kubernetes/cluster-config.js';
import { validateClusterConfig } from '../../engine/src/runtimes/kubernetes/cluster-schemas.js';

const repo = path.resolve(__dirname, '../..');

describe.each(['kind', 'k3d'] as const)('kind/clusters/%s.yaml', (provider) => {
  const committed = parse(readFileSync(path.join(repo, `kind/clusters/${provider}.yaml`), 'utf8'));

  it('equals the config devenv generates for the default cluster', () => {
    expect(committed).toEqual(clusterSpec({ provider, name: 'devenv' }).config);
  });

  it('validates against the schema, and binds the API server on 127.0.0.1', () => {
    expect(validateClusterConfig(provider, committed)).toEqual([]);
    const address = provider === 'kind' ? committed.networking.apiServerAddress : committed.kubeAPI.hostIP;
    expect(address).toBe('127.0.0.1');
  });
});
