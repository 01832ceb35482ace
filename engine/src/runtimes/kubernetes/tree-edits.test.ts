import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { mergeServices, removeService, setReplicas } from './tree-edits.js';

const top = '.devenv-k8s/demo';
const patch = stringify({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'api' },
  spec: { replicas: 1 },
});

function tree(): Record<string, string> {
  return {
    [`${top}/apps/kustomization.yaml`]: stringify({ resources: ['api.yaml', 'db.yaml'] }),
    [`${top}/apps/api.yaml`]: stringify({
      kind: 'Application',
      metadata: { name: 'demo-api', annotations: { 'dev.devenv/replicas': '1' } },
    }),
    [`${top}/apps/db.yaml`]: stringify({ kind: 'Application', metadata: { name: 'demo-db' } }),
    [`${top}/services/api/kustomization.yaml`]: stringify({
      patches: [{ target: { kind: 'Deployment', name: 'api' }, patch }],
    }),
    [`${top}/base/api/manifests.yaml`]: 'kind: Deployment\n',
    [`${top}/services/db/kustomization.yaml`]: 'resources: [x]\n',
  };
}

describe('tree edits', () => {
  it('sets replicas in the overlay patch and on the Application, nothing else', () => {
    const files = tree();
    expect(setReplicas(files, 'demo', 'api', 0)).toBe(true);
    const overlay = parse(files[`${top}/services/api/kustomization.yaml`]!) as { patches: { patch: string }[] };
    expect(parse(overlay.patches[0]!.patch).spec.replicas).toBe(0);
    expect(parse(files[`${top}/apps/api.yaml`]!).metadata.annotations['dev.devenv/replicas']).toBe('0');
    expect(files[`${top}/services/db/kustomization.yaml`]).toBe(tree()[`${top}/services/db/kustomization.yaml`]);
    expect(setReplicas(files, 'demo', 'ghost', 0)).toBe(false);
  });

  it('removes a service: its Application, overlay and base, and its entry in the app list', () => {
    const files = tree();
    expect(removeService(files, 'demo', 'api')).toBe(true);
    expect(Object.keys(files).sort()).toEqual([
      `${top}/apps/db.yaml`,
      `${top}/apps/kustomization.yaml`,
      `${top}/services/db/kustomization.yaml`,
    ]);
    expect(parse(files[`${top}/apps/kustomization.yaml`]!).resources).toEqual(['db.yaml']);
  });

  it('merges a fresh rendering of some services into the last tree, keeping the others byte for byte', () => {
    const previous = tree();
    const fresh = {
      [`${top}/apps/kustomization.yaml`]: 'ignored',
      [`${top}/apps/web.yaml`]: 'kind: Application\n',
      [`${top}/services/web/kustomization.yaml`]: 'resources: []\n',
      [`${top}/apps/api.yaml`]: 'kind: Application # new\n',
    };
    const merged = mergeServices(previous, fresh, 'demo', ['api', 'web']);
    expect(merged[`${top}/apps/db.yaml`]).toBe(previous[`${top}/apps/db.yaml`]);
    expect(merged[`${top}/apps/api.yaml`]).toBe('kind: Application # new\n');
    expect(merged[`${top}/base/api/manifests.yaml`]).toBeUndefined();
    expect(parse(merged[`${top}/apps/kustomization.yaml`]!).resources).toEqual(['api.yaml', 'db.yaml', 'web.yaml']);
  });
});
