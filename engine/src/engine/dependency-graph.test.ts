import { describe, expect, it } from 'vitest';
import type { DependsOnSpec, ServiceSpec } from '../model/spec.js';
import { dependentsOf, topologicalOrder, withDependencies } from './dependency-graph.js';

const dep: DependsOnSpec = { condition: 'service_started', required: true, restart: false };
function svc(name: string, deps: string[] = []): ServiceSpec {
  return {
    name,
    environment: {},
    ports: [],
    volumes: [],
    dependsOn: Object.fromEntries(deps.map((d) => [d, dep])),
    restart: { name: 'no' },
    labels: {},
    networks: [],
    profiles: [],
    tty: false,
    stdinOpen: false,
    devenv: {},
  };
}
const stack = Object.fromEntries(
  [
    svc('postgres'),
    svc('redis'),
    svc('migrate', ['postgres']),
    svc('backend', ['migrate', 'redis']),
    svc('frontend', ['backend']),
  ].map((s) => [s.name, s]),
);

describe('dependency graph', () => {
  it('orders every service after its dependencies', () => {
    const order = topologicalOrder(stack);
    for (const s of Object.values(stack)) {
      for (const d of Object.keys(s.dependsOn)) expect(order.indexOf(d)).toBeLessThan(order.indexOf(s.name));
    }
    expect(order).toHaveLength(5);
  });

  it('adds transitive dependencies of the requested services', () => {
    expect(withDependencies(stack, ['backend']).sort()).toEqual(['backend', 'migrate', 'postgres', 'redis']);
  });

  it('finds transitive dependents', () => {
    expect(dependentsOf(stack, 'postgres').sort()).toEqual(['backend', 'frontend', 'migrate']);
  });

  it('names the cycle', () => {
    const cyclic = { a: svc('a', ['b']), b: svc('b', ['a']) };
    expect(() => topologicalOrder(cyclic)).toThrow('a → b → a');
  });
});
