import { describe, expect, it } from 'vitest';
import { kubernetesBench } from './bench.js';
import type { KubeApi } from './kube-api.js';

describe('kubernetesBench', () => {
  it('measures nothing without a cluster, and says so on every row', async () => {
    const rows = await kubernetesBench({});
    expect(rows.map((r) => [r.name, r.status, r.goal])).toEqual([
      ['cold up (cluster, Argo CD, images, all healthy)', 'not-measured', '≤ 120 s'],
      ['warm up (nothing changed)', 'not-measured', undefined],
      ['save → live in a pod (exec-stream agent)', 'not-measured', undefined],
    ]);
    expect(rows.every((r) => r.note === 'measured only where a cluster runs: no cluster is configured')).toBe(true);
    const unreachable = {
      context: 'kind-devenv',
      serverVersion: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:6443')),
    };
    const r2 = await kubernetesBench({ api: unreachable as unknown as KubeApi });
    expect(r2[0]!.note).toBe(
      'measured only where a cluster runs: context kind-devenv is not reachable (connect ECONNREFUSED 127.0.0.1:6443)',
    );
  });

  it('times the operations it is given where a cluster answers', async () => {
    const api = { context: 'k3d-devenv', serverVersion: async () => 'v1.31.5+k3s1' } as unknown as KubeApi;
    const rows = await kubernetesBench({ api, ops: { coldUp: async () => 130_000, saveToLive: async () => 42 } });
    expect(rows.map((r) => [r.status, r.ms, r.note])).toEqual([
      ['measured', 130_000, 'over the goal'],
      ['not-measured', undefined, 'no operation given to measure it'],
      ['measured', 42, 'context k3d-devenv'],
    ]);
  });
});
